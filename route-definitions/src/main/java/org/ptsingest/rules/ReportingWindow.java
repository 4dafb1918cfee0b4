package org.ptsingest.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * Month boundaries and reporting windows in the programme's zone. The boundary of month M, B(M), is
 * 00:00 local on the first day of the next month; the reporting window of M is
 * {@code [B(M) − days, B(M) + days)} in local calendar days (so a window spanning a daylight-saving
 * change is an hour shorter or longer than {@code 2 × days × 24 h}). January with 5 days: 27 Jan 00:00
 * to 6 Feb 00:00.
 */
public record ReportingWindow(ZoneId zone, int days) {

    /** B(M): 00:00 local on the first day of the month after M. */
    public Instant boundary(YearMonth month) {
        return month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
    }

    /** The window's first instant (inclusive). */
    public Instant opens(YearMonth month) {
        return month.plusMonths(1).atDay(1).minusDays(days).atStartOfDay(zone).toInstant();
    }

    /** The window's end (exclusive). */
    public Instant closes(YearMonth month) {
        return month.plusMonths(1).atDay(1).plusDays(days).atStartOfDay(zone).toInstant();
    }

    public boolean contains(YearMonth month, Instant t) {
        return !t.isBefore(opens(month)) && t.isBefore(closes(month));
    }

    /** Whether the window of M has ended at {@code now} (its months' values are then due). */
    public boolean ended(YearMonth month, Instant now) {
        return !now.isBefore(closes(month));
    }

    /** The month whose window holds {@code t}, or null between windows (windows never overlap). */
    public YearMonth windowAt(Instant t) {
        YearMonth local = YearMonth.from(t.atZone(zone));
        for (YearMonth m : new YearMonth[] {local, local.minusMonths(1)}) {
            if (contains(m, t)) {
                return m;
            }
        }
        return null;
    }

    /** The month of the next window to open after {@code t} (for "the next window opens on …"). */
    public YearMonth nextWindow(Instant t) {
        YearMonth m = YearMonth.from(t.atZone(zone)).minusMonths(1);
        while (!opens(m).isAfter(t)) {
            m = m.plusMonths(1);
        }
        return m;
    }

    public Duration length(YearMonth month) {
        return Duration.between(opens(month), closes(month));
    }
}
