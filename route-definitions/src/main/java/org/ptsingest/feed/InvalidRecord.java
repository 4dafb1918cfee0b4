package org.ptsingest.feed;

/**
 * A data record with a value that cannot be read (code INVALID_VALUE). {@code record} and {@code line}
 * as in {@link ParsedReading}; systemId and meterSerial only when they are within their value domain
 * (else null, and the message quotes them with {@link Echo}).
 */
public record InvalidRecord(int record, int line, String systemId, String meterSerial, String message) {}
