package org.ptsingest.feed;

/** A data record with a value that cannot be read (code INVALID_VALUE); systemId when it had one. */
public record InvalidRecord(int line, String systemId, String meterSerial, String message) {}
