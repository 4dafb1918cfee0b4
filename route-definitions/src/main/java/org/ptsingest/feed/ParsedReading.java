package org.ptsingest.feed;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One readable data record of a feed.
 *
 * @param record the record's number in the feed, 1-based, in document order: its identity in the feed
 *     (a one-line document has every record on line 1)
 * @param line where the record starts (CSV header = line 1), for people reading the raw feed
 */
public record ParsedReading(int record, int line, String systemId, String meterSerial, Instant readAt,
        BigDecimal registerKwh) {}
