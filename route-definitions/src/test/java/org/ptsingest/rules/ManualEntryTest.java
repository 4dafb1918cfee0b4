package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * What an owner may enter. New York, 5-day windows: November 2026's window is [26 Nov 00:00, 6 Dec 00:00)
 * local (EST, UTC−5), so it opens at 2026-11-26T05:00Z and closes at 2026-12-06T05:00Z.
 */
class ManualEntryTest {
    static final ReportingWindow WINDOWS = new ReportingWindow(ZoneId.of("America/New_York"), 5);
    /** 1 December 2026, 10:00 in New York. */
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");

    @Test
    void aReadingInTheOpenWindowIsTakenInTheProgrammeZone() {
        ManualEntry.Checked c = ManualEntry.check("10452.5", "2026-12-01T09:30", NOW, WINDOWS);

        assertThat(c.valid()).as(c.problems().toString()).isTrue();
        assertThat(c.month()).isEqualTo(YearMonth.of(2026, 11));
        assertThat(c.readAt()).isEqualTo(Instant.parse("2026-12-01T14:30:00Z"));
        assertThat(c.kwh()).isEqualByComparingTo("10452.5");
    }

    @Test
    void theWindowsFirstMinuteCountsTheMinuteBeforeDoesNot() {
        assertThat(ManualEntry.check("1", "2026-11-26T00:00", NOW, WINDOWS).valid()).isTrue();
        assertThat(ManualEntry.check("1", "2026-11-25T23:59", NOW, WINDOWS).problems())
                .containsKey("read_at").extractingByKey("read_at").asString()
                .contains("current reporting window", "26 November 2026", "5 December 2026");
    }

    @Test
    void aTimeAfterNowIsRefused() {
        assertThat(ManualEntry.check("1", "2026-12-01T10:01", NOW, WINDOWS).problems())
                .extractingByKey("read_at").asString().contains("future");
        assertThat(ManualEntry.check("1", "2026-12-01T10:00", NOW, WINDOWS).valid()).isTrue();
    }

    @Test
    void registersOutsideTheFeedDomainAreRefusedNotGuessed() {
        for (String bad : new String[] {"", "abc", "10,452.5", "-5", "1e3", "1.2345", "1234567890123456"}) {
            assertThat(ManualEntry.check(bad, "2026-12-01T09:30", NOW, WINDOWS).problems()).as(bad)
                    .containsOnlyKeys("kwh");
        }
        assertThat(ManualEntry.check(" 0.5 ", "2026-12-01T09:30", NOW, WINDOWS).valid()).isTrue();
    }

    @Test
    void anUnreadableTimeIsRefused() {
        for (String bad : new String[] {"", "yesterday", "2026-12-01", "0000-12-01T09:30", "2026-13-01T09:30"}) {
            assertThat(ManualEntry.check("1", bad, NOW, WINDOWS).problems()).as(bad).containsKey("read_at");
        }
        assertThat(ManualEntry.check("1", "2026-12-01T09:30:15", NOW, WINDOWS).valid()).isTrue();
    }

    @Test
    void betweenWindowsNothingIsTaken() {
        Instant between = Instant.parse("2026-12-10T15:00:00Z");
        ManualEntry.Checked c = ManualEntry.check("1", "2026-12-10T09:00", between, WINDOWS);

        assertThat(c.month()).isNull();
        assertThat(c.problems()).containsKey("window");
    }
}
