package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.LocalDate;

/** What the rules need to know about a registered system. */
public record SystemInfo(String systemId, BigDecimal dcCapacityKw, LocalDate interconnectedOn) {}
