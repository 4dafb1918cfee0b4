package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Objects;

/**
 * One month of a system's production ledger.
 *
 * @param kwh P(M), 3 decimals; null when the basis carries no value ({@link ProductionBasis#hasValue()})
 * @param closeKwh C(M), the system register at the month's boundary, 3 decimals; null without a close
 * @param reason why an UNRESOLVED month has no value, or ops' reason for an ADJUSTED one; else null
 */
public record MonthProduction(YearMonth month, BigDecimal kwh, ProductionBasis basis, BigDecimal closeKwh, String reason) {

    /** Same value, basis, close and reason: no new revision is due (numbers compared by value, not scale). */
    public boolean sameAs(MonthProduction other) {
        return other != null && month.equals(other.month) && basis == other.basis && same(kwh, other.kwh)
                && same(closeKwh, other.closeKwh) && Objects.equals(reason, other.reason);
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }
}
