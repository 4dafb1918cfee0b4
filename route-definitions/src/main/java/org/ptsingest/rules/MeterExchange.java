package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A registered meter exchange of one system: from {@code exchangedAt} on, the system's register
 * continues on the new meter. The old meter's last register and the new meter's first are part of
 * the event, so the production across it is known without readings at that instant.
 * The new meter's readings are shifted by {@code oldFinalKwh − newInitialKwh} (plus the shifts of
 * earlier exchanges) to continue the system register.
 */
public record MeterExchange(Instant exchangedAt, String oldMeterSerial, BigDecimal oldFinalKwh,
        String newMeterSerial, BigDecimal newInitialKwh) {}
