package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.YearMonth;

/** A month's production as ops set it (an audit result), with their reason; it stands until removed. */
public record ProductionAdjustment(YearMonth month, BigDecimal kwh, String reason) {}
