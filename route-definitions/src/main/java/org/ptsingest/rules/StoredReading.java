package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Instant;

/** An accepted reading already in the database. */
public record StoredReading(String systemId, String meterSerial, Instant readAt, BigDecimal registerKwh) {}
