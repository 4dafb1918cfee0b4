package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production rules of issue 12, America/New_York, 5-day windows, 10 kW DC, Y = 62, 71, 94, 104, 118,
 * 119, 129, 118, 101, 79, 56, 50. Every expected number is worked out by hand from the rule text in the
 * comment above it.
 */
class ProductionRulesTest {
    static final List<BigDecimal> Y = Arrays.stream(new int[] {62, 71, 94, 104, 118, 119, 129, 118, 101, 79, 56, 50})
            .mapToObj(BigDecimal::valueOf).toList();
    final ProductionRules rules = new ProductionRules(new ReportingWindow(ZoneId.of("America/New_York"), 5), Y);

    final List<StoredReading> readings = new ArrayList<>();
    final List<MeterExchange> exchanges = new ArrayList<>();
    final Map<YearMonth, ProductionAdjustment> adjustments = new HashMap<>();

    // Boundaries used below (00:00 local on the 1st): B(Sep 2025) 2025-10-01T04:00Z (EDT), B(Dec 2025)
    // 2026-01-01T05:00Z, B(Jan 2026) 2026-02-01T05:00Z, B(Feb 2026) 2026-03-01T05:00Z (EST).

    void read(String meter, String at, String kwh) {
        readings.add(new StoredReading("S1", meter, Instant.parse(at), new BigDecimal(kwh)));
    }

    Map<YearMonth, MonthProduction> ledger(String now) {
        Map<YearMonth, MonthProduction> byMonth = new java.util.LinkedHashMap<>();
        rules.months(new ProductionRules.SystemHistory(new BigDecimal("10"), readings, exchanges, adjustments),
                Instant.parse(now)).forEach(m -> byMonth.put(m.month(), m));
        return byMonth;
    }

    static void assertMonth(MonthProduction m, ProductionBasis basis, String kwh, String close) {
        assertThat(m.basis()).as(m.month() + " basis").isEqualTo(basis);
        assertThat(m.kwh()).as(m.month() + " kWh").isEqualTo(kwh == null ? null : new BigDecimal(kwh));
        assertThat(m.closeKwh()).as(m.month() + " close").isEqualTo(close == null ? null : new BigDecimal(close));
    }

    static YearMonth ym(String s) {
        return YearMonth.parse(s);
    }

    @Test
    void aReadingExactlyOnTheBoundaryIsTheCloseAndTwoClosesMakeAnActualMonth() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-01-31T05:00:00Z", "1480"); // in January's window, but the boundary reading wins
        read("A", "2026-02-01T05:00:00Z", "1500.5");
        var l = ledger("2026-03-01T12:00:00Z");
        // months after the first close (Dec 2025) up to the current month; Feb's window ends 6 Mar: OPEN
        assertThat(l.keySet()).containsExactly(ym("2026-01"), ym("2026-02"), ym("2026-03"));
        assertMonth(l.get(ym("2026-01")), ProductionBasis.ACTUAL, "500.500", "1500.500");
        assertMonth(l.get(ym("2026-02")), ProductionBasis.OPEN, null, null);
        assertMonth(l.get(ym("2026-03")), ProductionBasis.OPEN, null, null);
    }

    @Test
    void theCloseInterpolatesBetweenTheLatestReadingBeforeAndTheEarliestAfterTheBoundary() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-01-28T05:00:00Z", "1300"); // not the latest before
        read("A", "2026-01-31T17:00:00Z", "1400"); // 12 h before B(Jan)
        read("A", "2026-02-02T05:00:00Z", "1430"); // 24 h after
        read("A", "2026-02-04T05:00:00Z", "1480"); // not the earliest after
        // 1400 + 30 × 12/36 = 1410.000; January 1410 − 1000
        assertMonth(ledger("2026-03-01T00:00:00Z").get(ym("2026-01")), ProductionBasis.ACTUAL, "410.000", "1410.000");
    }

    @Test
    void anInterpolatedCloseIsRoundedHalfUp() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-01-31T17:00:00Z", "1400.000");
        read("A", "2026-02-01T17:00:00Z", "1400.001");
        // halfway: 1400.0005 → 1400.001
        assertMonth(ledger("2026-03-01T00:00:00Z").get(ym("2026-01")), ProductionBasis.ACTUAL, "400.001", "1400.001");
    }

    @Test
    void withReadingsOnOneSideOnlyTheNearestIsTheClose() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-02-02T05:00:00Z", "1450"); // earliest after B(Jan): nearest
        read("A", "2026-02-03T05:00:00Z", "1470");
        read("A", "2026-02-28T05:00:00Z", "1800"); // before B(Feb), in February's window
        read("A", "2026-02-27T05:00:00Z", "1790");
        var l = ledger("2026-03-07T00:00:00Z");
        assertMonth(l.get(ym("2026-01")), ProductionBasis.ACTUAL, "450.000", "1450.000");
        // February: latest before B(Feb) is 28 Feb, 1800; 1800 − 1450
        assertMonth(l.get(ym("2026-02")), ProductionBasis.ACTUAL, "350.000", "1800.000");
    }

    @Test
    void aCloseOfAWindowThatHasNotEndedIsNotACloseYet() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-02-01T05:00:00Z", "1500");
        // 3 Feb: January's window runs to 6 Feb
        assertMonth(ledger("2026-02-03T00:00:00Z").get(ym("2026-01")), ProductionBasis.OPEN, null, null);
    }

    @Test
    void aClosedGapOfTwoMonthsIsSharedByExpectedYieldAndSumsExactly() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-01-15T05:00:00Z", "1060"); // mid-month: in no window, no close for January
        read("A", "2026-03-01T05:00:00Z", "1133.333");
        var l = ledger("2026-04-01T00:00:00Z");
        // D = 133.333 over Jan (62) and Feb (71), ΣY = 133: Jan 133.333 × 62 / 133 = 62.15523… → 62.155;
        // Feb takes the remainder 133.333 − 62.155 = 71.178
        assertMonth(l.get(ym("2026-01")), ProductionBasis.PRORATED, "62.155", null);
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PRORATED, "71.178", "1133.333");
        assertMonth(l.get(ym("2026-03")), ProductionBasis.OPEN, null, null);
    }

    @Test
    void aClosedGapOfFourMonthsIsSharedByExpectedYieldAndSumsExactly() {
        read("A", "2025-11-01T04:00:00Z", "5000"); // B(Oct 2025), EDT
        read("A", "2026-03-01T05:00:00Z", "5300");
        var l = ledger("2026-03-10T00:00:00Z");
        // D = 300 over Nov 56, Dec 50, Jan 62, Feb 71; ΣY = 239.
        // Nov 16800/239 = 70.29288… → 70.293; Dec 15000/239 = 62.76150… → 62.762;
        // Jan 18600/239 = 77.82426… → 77.824; Feb = 300 − 70.293 − 62.762 − 77.824 = 89.121
        assertMonth(l.get(ym("2025-11")), ProductionBasis.PRORATED, "70.293", null);
        assertMonth(l.get(ym("2025-12")), ProductionBasis.PRORATED, "62.762", null);
        assertMonth(l.get(ym("2026-01")), ProductionBasis.PRORATED, "77.824", null);
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PRORATED, "89.121", "5300.000");
    }

    @Test
    void anOpenGapWithFewerThanThreeActualMonthsIsProjectedWithRatioOne() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-02-01T05:00:00Z", "1620"); // January ACTUAL 620: one ACTUAL month, r = 1
        var l = ledger("2026-05-01T12:00:00Z");
        // 10 kW × 71 × 1, 10 kW × 94 × 1; April's window ends 6 May: OPEN
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PROJECTED, "710.000", null);
        assertMonth(l.get(ym("2026-03")), ProductionBasis.PROJECTED, "940.000", null);
        assertMonth(l.get(ym("2026-04")), ProductionBasis.OPEN, null, null);
        assertMonth(l.get(ym("2026-05")), ProductionBasis.OPEN, null, null);
    }

    @Test
    void anOpenGapIsProjectedWithTheRatioOfTheActualMonthsBeforeIt() {
        read("A", "2025-10-01T04:00:00Z", "10000"); // B(Sep 2025)
        read("A", "2025-11-01T04:00:00Z", "10790"); // Oct 790 (expected 10 × 79 = 790)
        read("A", "2025-12-01T05:00:00Z", "11294"); // Nov 504 (expected 560)
        read("A", "2026-01-01T05:00:00Z", "11744"); // Dec 450 (expected 500)
        read("A", "2026-02-01T05:00:00Z", "12364"); // Jan 620 (expected 620)
        var l = ledger("2026-05-01T12:00:00Z");
        // r = 2364 / 2470. Feb 710 × 2364 / 2470 = 679.53036… → 679.530; Mar 940 × 2364 / 2470 = 899.65991… → 899.660
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PROJECTED, "679.530", null);
        assertMonth(l.get(ym("2026-03")), ProductionBasis.PROJECTED, "899.660", null);
    }

    @Test
    void theRatioTakesTheTwelveMostRecentActualMonthsOnly() {
        // closes Oct 2024 … Jan 2026 on every boundary; Nov 2024 – Jan 2025 produce nothing, the twelve
        // months Feb 2025 – Jan 2026 produce 0.9 × 10 × Y: r = 0.9 when only those twelve count
        BigDecimal register = new BigDecimal("1000");
        read("A", "2024-11-01T04:00:00Z", register.toPlainString());
        for (YearMonth m = ym("2024-11"); !m.isAfter(ym("2026-01")); m = m.plusMonths(1)) {
            if (m.isAfter(ym("2025-01"))) {
                register = register.add(new BigDecimal("9").multiply(Y.get(m.getMonthValue() - 1)));
            }
            Instant boundary = m.plusMonths(1).atDay(1).atStartOfDay(ZoneId.of("America/New_York")).toInstant();
            read("A", boundary.toString(), register.toPlainString());
        }
        var l = ledger("2026-05-01T12:00:00Z");
        // 710 × 0.9 = 639.000; 940 × 0.9 = 846.000
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PROJECTED, "639.000", null);
        assertMonth(l.get(ym("2026-03")), ProductionBasis.PROJECTED, "846.000", null);
    }

    @Test
    void proratedMonthsDoNotCountTowardsTheRatio() {
        read("A", "2025-10-01T04:00:00Z", "1000");  // B(Sep)
        read("A", "2025-11-01T04:00:00Z", "1395");  // Oct ACTUAL 395 (half of 790)
        read("A", "2026-01-01T05:00:00Z", "1925");  // Nov, Dec PRORATED
        read("A", "2026-02-01T05:00:00Z", "2235");  // Jan ACTUAL 310 (half of 620)
        var l = ledger("2026-04-01T00:00:00Z");
        // Nov, Dec share 530 by 56 : 50 → 280, 250
        assertMonth(l.get(ym("2025-11")), ProductionBasis.PRORATED, "280.000", null);
        assertMonth(l.get(ym("2025-12")), ProductionBasis.PRORATED, "250.000", "1925.000");
        // two ACTUAL months only: r = 1 (had the prorated ones counted, r would not be 1): Feb 710
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PROJECTED, "710.000", null);
    }

    @Test
    void aLateCloseTurnsProjectedMonthsIntoProratedOnes() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-02-01T05:00:00Z", "1620");
        var before = ledger("2026-05-10T00:00:00Z");
        assertMonth(before.get(ym("2026-04")), ProductionBasis.PROJECTED, "1040.000", null);
        read("A", "2026-05-01T04:00:00Z", "4420"); // B(Apr), EDT: the late close
        var after = ledger("2026-05-10T00:00:00Z");
        // D = 2800 over Feb 71, Mar 94, Apr 104, ΣY = 269: Feb 198800/269 = 739.03345… → 739.033;
        // Mar 263200/269 = 978.43866… → 978.439; Apr 2800 − 739.033 − 978.439 = 1082.528
        assertMonth(after.get(ym("2026-02")), ProductionBasis.PRORATED, "739.033", null);
        assertMonth(after.get(ym("2026-03")), ProductionBasis.PRORATED, "978.439", null);
        assertMonth(after.get(ym("2026-04")), ProductionBasis.PRORATED, "1082.528", "4420.000");
    }

    @Test
    void aMeterExchangeMidMonthContinuesTheRegisterOnTheNewMeter() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("B", "2026-01-10T05:00:00Z", "3");    // new meter before its exchange: not used
        read("A", "2026-01-31T17:00:00Z", "1350"); // old meter after its exchange: not used
        read("B", "2026-01-31T05:00:00Z", "195");
        read("B", "2026-02-02T05:00:00Z", "215");
        exchanges.add(new MeterExchange(Instant.parse("2026-01-15T17:00:00Z"), "A", new BigDecimal("1300"), "B",
                new BigDecimal("5")));
        var l = ledger("2026-03-01T00:00:00Z");
        // B at B(Jan): 195 + 20 × 1/2 = 205, shifted by 1300 − 5: close 1500;
        // production (1300 − 1000) + (205 − 5) = 500
        assertMonth(l.get(ym("2026-01")), ProductionBasis.ACTUAL, "500.000", "1500.000");
    }

    @Test
    void aMeterExchangeMidWindowInterpolatesAcrossBothMeters() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-01-30T05:00:00Z", "1490"); // latest used before B(Jan), old meter
        exchanges.add(new MeterExchange(Instant.parse("2026-02-02T05:00:00Z"), "A", new BigDecimal("1500"), "B",
                BigDecimal.ZERO));
        read("B", "2026-02-03T05:00:00Z", "10"); // 10 + 1500 = 1510 on the system register
        var l = ledger("2026-03-01T00:00:00Z");
        // between 30 Jan (1490) and 3 Feb (1510), B(Jan) is 2 of 4 days in: 1500
        assertMonth(l.get(ym("2026-01")), ProductionBasis.ACTUAL, "500.000", "1500.000");
    }

    @Test
    void twoMetersWithoutAnExchangeAreUnresolvedUntilTheExchangeIsRegistered() {
        read("A", "2025-12-01T05:00:00Z", "1000");
        read("A", "2026-01-01T05:00:00Z", "1500");
        read("B", "2026-01-20T05:00:00Z", "50");
        read("A", "2026-01-25T05:00:00Z", "1590"); // A keeps reading after B appeared
        read("B", "2026-02-01T05:00:00Z", "100");
        var l = ledger("2026-03-10T00:00:00Z");
        assertMonth(l.get(ym("2025-12")), ProductionBasis.ACTUAL, "500.000", "1500.000");
        for (String m : List.of("2026-01", "2026-02", "2026-03")) {
            assertMonth(l.get(ym(m)), ProductionBasis.UNRESOLVED, null, null);
        }
        assertThat(l.get(ym("2026-01")).reason()).contains("meter B").contains("meter A").contains("no meter exchange");

        exchanges.add(new MeterExchange(Instant.parse("2026-01-20T00:00:00Z"), "A", new BigDecimal("1600"), "B",
                BigDecimal.ZERO));
        var resolved = ledger("2026-03-10T00:00:00Z");
        // A's 25 Jan reading is after the exchange: not used. Jan close 100 + 1600 = 1700: ACTUAL 200.
        assertMonth(resolved.get(ym("2026-01")), ProductionBasis.ACTUAL, "200.000", "1700.000");
        // Dec and Jan: two ACTUAL months, r = 1: Feb 710
        assertMonth(resolved.get(ym("2026-02")), ProductionBasis.PROJECTED, "710.000", null);
        assertMonth(resolved.get(ym("2026-03")), ProductionBasis.OPEN, null, null);
    }

    @Test
    void anAdjustmentStandsInsteadOfTheComputedValue() {
        read("A", "2026-01-01T05:00:00Z", "1000");
        read("A", "2026-02-01T05:00:00Z", "1620");
        adjustments.put(ym("2026-01"), new ProductionAdjustment(ym("2026-01"), new BigDecimal("555.5"), "site audit"));
        var l = ledger("2026-03-10T00:00:00Z");
        assertMonth(l.get(ym("2026-01")), ProductionBasis.ADJUSTED, "555.500", "1620.000");
        assertThat(l.get(ym("2026-01")).reason()).isEqualTo("site audit");
        assertMonth(l.get(ym("2026-02")), ProductionBasis.PROJECTED, "710.000", null);
    }

    @Test
    void octobersWindowEndsAtMidnightEasternStandardTimeAfterTheFallChange() {
        read("A", "2026-10-01T04:00:00Z", "1000"); // B(Sep 2026), EDT
        read("A", "2026-10-27T03:59:00Z", "1700"); // 26 Oct 23:59 EDT: before October's window
        read("A", "2026-11-06T04:30:00Z", "1800"); // 5 Nov 23:30 EST: inside (it would be 00:30 in EDT)
        read("A", "2026-11-06T05:00:00Z", "1801"); // 6 Nov 00:00 EST: after
        var l = ledger("2026-11-10T00:00:00Z");
        // one side only, earliest after B(Oct): 1800
        assertMonth(l.get(ym("2026-10")), ProductionBasis.ACTUAL, "800.000", "1800.000");
    }

    @Test
    void marchsWindowOpensAtMidnightEasternDaylightTime() {
        read("A", "2026-03-01T05:00:00Z", "1000"); // B(Feb 2026), EST
        read("A", "2026-03-27T03:30:00Z", "1890"); // 26 Mar 23:30 EDT: before March's window
        read("A", "2026-03-27T04:00:00Z", "1900"); // 27 Mar 00:00 EDT: the window's first instant
        var l = ledger("2026-04-10T00:00:00Z");
        assertMonth(l.get(ym("2026-03")), ProductionBasis.ACTUAL, "900.000", "1900.000");
    }
}
