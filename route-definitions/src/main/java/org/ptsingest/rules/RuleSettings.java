package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The tunable numbers of the reading rules.
 *
 * @param dasThresholdKw systems with DC capacity strictly above this must report through an approved DAS provider
 * @param highProductionCapacityFactor capacity factor above which a reading is flagged HIGH_PRODUCTION
 * @param highProductionMinInterval shortest interval the capacity-factor ceiling applies to; shorter intervals
 *     are held only to the hard CAPACITY_EXCEEDED ceiling, because a sunny hour runs far above any monthly average
 * @param futureTolerance clock skew tolerated before a reading counts as FUTURE_READING
 * @param zone the programme's zone: registry dates (designations, approvals, interconnection) are local dates here
 */
public record RuleSettings(
        BigDecimal dasThresholdKw,
        double highProductionCapacityFactor,
        Duration highProductionMinInterval,
        Duration futureTolerance,
        ZoneId zone) {

    public static RuleSettings defaults() {
        return new RuleSettings(new BigDecimal("10"), 0.35, Duration.ofDays(7), Duration.ofMinutes(5),
                ZoneId.of("America/New_York"));
    }
}
