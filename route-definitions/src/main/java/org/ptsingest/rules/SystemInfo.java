package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.LocalDate;

/** What the rules need to know about a registered system. */
public record SystemInfo(String systemId, BigDecimal dcCapacityKw, LocalDate interconnectedOn, InstalledMeters meters) {

    /** A system with no registered meter and no exchange: every meter counts as installed. */
    public SystemInfo(String systemId, BigDecimal dcCapacityKw, LocalDate interconnectedOn) {
        this(systemId, dcCapacityKw, interconnectedOn, InstalledMeters.ANY);
    }
}
