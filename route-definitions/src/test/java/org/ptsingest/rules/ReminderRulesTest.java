package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ptsingest.rules.ReminderRules.Due;
import org.ptsingest.rules.ReminderRules.Kind;
import org.ptsingest.rules.ReminderRules.Owed;

/**
 * Reminders in America/New_York with 5-day windows, the notice 2 days before the close, threshold 10;
 * expectations written from the rule text (issue 13). October 2025's window: 27 Oct 00:00 EDT (04:00Z) to
 * 6 Nov 00:00 EST (05:00Z; the clocks went back on 2 Nov); its notice is due from 4 Nov 00:00 EST (05:00Z).
 */
class ReminderRulesTest {
    static final YearMonth OCT = YearMonth.of(2025, 10);
    final ReminderRules rules = new ReminderRules(new ReportingWindow(ZoneId.of("America/New_York"), 5), 2, 10);

    @Test
    void nothingIsDueBetweenWindows() {
        assertThat(rules.due(Instant.parse("2025-10-27T03:59:59Z"))).isEmpty(); // 26 Oct 23:59:59 EDT
        assertThat(rules.due(Instant.parse("2025-10-15T12:00:00Z"))).isEmpty();
        assertThat(rules.due(Instant.parse("2025-11-06T05:00:00Z"))).isEmpty(); // October's window has closed
    }

    @Test
    void theWindowOpeningReminderIsDueFromTheFirstInstantOfTheWindow() {
        assertThat(rules.due(Instant.parse("2025-10-27T04:00:00Z"))).containsExactly(new Due(Kind.WINDOW_OPEN, OCT));
        // on 1 November, still October's window (and not yet the notice)
        assertThat(rules.due(Instant.parse("2025-11-01T12:00:00Z"))).containsExactly(new Due(Kind.WINDOW_OPEN, OCT));
    }

    @Test
    void theMissingReportNoticeIsDueTwoLocalDaysBeforeTheWindowCloses() {
        assertThat(rules.missingNoticeFrom(OCT)).isEqualTo(Instant.parse("2025-11-04T05:00:00Z"));
        assertThat(rules.due(Instant.parse("2025-11-04T04:59:59Z"))).containsExactly(new Due(Kind.WINDOW_OPEN, OCT));
        assertThat(rules.due(Instant.parse("2025-11-04T05:00:00Z")))
                .containsExactly(new Due(Kind.WINDOW_OPEN, OCT), new Due(Kind.MISSING_REPORTS, OCT));
        assertThat(rules.due(Instant.parse("2025-11-06T04:59:59Z")))
                .containsExactly(new Due(Kind.WINDOW_OPEN, OCT), new Due(Kind.MISSING_REPORTS, OCT));
        // January 2026 (EST throughout): window 27 Jan – 6 Feb, notice from 4 Feb 00:00 EST
        assertThat(rules.missingNoticeFrom(YearMonth.of(2026, 1))).isEqualTo(Instant.parse("2026-02-04T05:00:00Z"));
    }

    @Test
    void aNoticeLeadLongerThanTheWindowStartsWithTheWindow() {
        ReminderRules early = new ReminderRules(new ReportingWindow(ZoneId.of("America/New_York"), 5), 30, 10);
        assertThat(early.missingNoticeFrom(OCT)).isEqualTo(Instant.parse("2025-10-27T04:00:00Z"));
    }

    static final Map<String, ReporterKind> KINDS = Map.of(
            "owner-ada", ReporterKind.SELF_REPORTER, "owner-grace", ReporterKind.SELF_REPORTER,
            "owner-off", ReporterKind.SELF_REPORTER,
            "sunwatch", ReporterKind.DAS_PROVIDER, "gridsense", ReporterKind.DAS_PROVIDER);

    @Test
    void everyEnabledSelfReporterThatOwesACloseGetsOneReminderWithItsSystems() {
        List<Owed> owed = List.of(new Owed("SR-2", "owner-ada"), new Owed("SR-1", "owner-ada"),
                new Owed("SR-3", "owner-off"), new Owed("MA-1001", "sunwatch"), new Owed("SR-9", "unknown"));

        Map<String, List<String>> reminders = rules.windowOpen(owed, KINDS, Set.of("owner-off"));

        // grace owes nothing (reported), off is disabled, sunwatch is a DAS provider, unknown is not registered
        assertThat(reminders).containsExactly(Map.entry("owner-ada", List.of("SR-1", "SR-2")));
    }

    @Test
    void aDasProviderWithAtLeastTheThresholdOfMissingSystemsGetsTheNotice() {
        List<Owed> owed = new java.util.ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            owed.add(new Owed("SW-" + (100 + i), "sunwatch")); // exactly 10: notified
        }
        for (int i = 1; i <= 9; i++) {
            owed.add(new Owed("GS-" + (100 + i), "gridsense")); // 9: not
        }
        for (int i = 1; i <= 12; i++) {
            owed.add(new Owed("SR-" + (100 + i), "owner-ada")); // a self-reporter: never this notice
        }

        Map<String, List<String>> notices = rules.missingNotices(owed, KINDS);

        assertThat(notices).containsOnlyKeys("sunwatch");
        assertThat(notices.get("sunwatch")).hasSize(10).first().isEqualTo("SW-101");
    }
}
