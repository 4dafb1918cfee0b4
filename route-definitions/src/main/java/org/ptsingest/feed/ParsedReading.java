package org.ptsingest.feed;

import java.math.BigDecimal;
import java.time.Instant;

/** One readable data record of a feed; {@code line} is where the record starts (header = line 1). */
public record ParsedReading(int line, String systemId, String meterSerial, Instant readAt, BigDecimal registerKwh) {}
