package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A registered meter exchange: from {@code exchangedAt} on, the system's register continues on the new
 * meter, shifted by {@code oldFinalKwh − newInitialKwh} (plus the shifts of earlier exchanges).
 */
public record MeterExchange(Instant exchangedAt, String oldMeterSerial, BigDecimal oldFinalKwh,
        String newMeterSerial, BigDecimal newInitialKwh) {}
