package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Windows in America/New_York, 5 days, written from the rule text (issue 12). */
class ReportingWindowTest {
    final ReportingWindow w = new ReportingWindow(ZoneId.of("America/New_York"), 5);

    @Test
    void januarysWindowIsTheLastFiveDaysOfJanuaryAndTheFirstFiveOfFebruary() {
        YearMonth jan = YearMonth.of(2026, 1);
        assertThat(w.boundary(jan)).isEqualTo(Instant.parse("2026-02-01T05:00:00Z")); // EST, UTC-5
        assertThat(w.opens(jan)).isEqualTo(Instant.parse("2026-01-27T05:00:00Z"));
        assertThat(w.closes(jan)).isEqualTo(Instant.parse("2026-02-06T05:00:00Z"));
        assertThat(w.contains(jan, Instant.parse("2026-01-27T05:00:00Z"))).isTrue();
        assertThat(w.contains(jan, Instant.parse("2026-01-27T04:59:59.999999Z"))).isFalse();
        assertThat(w.contains(jan, Instant.parse("2026-02-06T04:59:59.999999Z"))).isTrue();
        assertThat(w.contains(jan, Instant.parse("2026-02-06T05:00:00Z"))).isFalse();
    }

    /** March's window spans no change (DST starts 8 March 2026); February's does not either; the spring one: */
    @Test
    void aWindowAcrossTheSpringChangeIsAnHourShorter() {
        // DST 2026 starts Sunday 8 March: no window spans it with 5 days (Feb window ends 6 Mar). With 10 days
        // February's window [19 Feb, 11 Mar) does.
        ReportingWindow ten = new ReportingWindow(ZoneId.of("America/New_York"), 10);
        YearMonth feb = YearMonth.of(2026, 2);
        assertThat(ten.opens(feb)).isEqualTo(Instant.parse("2026-02-19T05:00:00Z"));
        assertThat(ten.closes(feb)).isEqualTo(Instant.parse("2026-03-11T04:00:00Z")); // EDT, UTC-4
        assertThat(ten.length(feb)).isEqualTo(Duration.ofHours(20 * 24 - 1));
    }

    /** October's window ends on 6 November 2026, after the fall change (1 November): an hour longer. */
    @Test
    void octobersWindowAcrossTheFallChangeIsAnHourLonger() {
        YearMonth oct = YearMonth.of(2026, 10);
        assertThat(w.opens(oct)).isEqualTo(Instant.parse("2026-10-27T04:00:00Z")); // EDT
        assertThat(w.boundary(oct)).isEqualTo(Instant.parse("2026-11-01T04:00:00Z")); // still EDT at 00:00
        assertThat(w.closes(oct)).isEqualTo(Instant.parse("2026-11-06T05:00:00Z")); // EST
        assertThat(w.length(oct)).isEqualTo(Duration.ofHours(10 * 24 + 1));
    }

    @Test
    void windowAtAndNextWindow() {
        assertThat(w.windowAt(Instant.parse("2026-02-03T12:00:00Z"))).isEqualTo(YearMonth.of(2026, 1));
        assertThat(w.windowAt(Instant.parse("2026-01-29T12:00:00Z"))).isEqualTo(YearMonth.of(2026, 1));
        assertThat(w.windowAt(Instant.parse("2026-02-15T12:00:00Z"))).isNull();
        assertThat(w.nextWindow(Instant.parse("2026-02-15T12:00:00Z"))).isEqualTo(YearMonth.of(2026, 2));
        assertThat(w.ended(YearMonth.of(2026, 1), Instant.parse("2026-02-06T05:00:00Z"))).isTrue();
        assertThat(w.ended(YearMonth.of(2026, 1), Instant.parse("2026-02-06T04:59:59Z"))).isFalse();
    }
}
