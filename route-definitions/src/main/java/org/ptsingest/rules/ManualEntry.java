package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ptsingest.feed.PlainDecimal;

/**
 * What a self-reporter may enter on the /report pages, checked before anything is stored: a meter
 * reading in kWh (the feeds' register domain: plain decimal, at most 15 integer digits and 3 decimals;
 * a thousands separator or a comma is refused, not guessed) taken at a local date and time in the
 * programme zone that lies in the reporting window open now and not in the future. The reading itself is
 * then judged by the same rules as any feed's ({@link ReadingJudge}: designation, DAS mandate, register
 * order, capacity).
 */
public final class ManualEntry {
    public static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm", Locale.ROOT);

    /** A valid entry, or the problems by form field ({@code kwh}, {@code read_at}) in the owner's words. */
    public record Checked(YearMonth month, Instant readAt, BigDecimal kwh, Map<String, String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private ManualEntry() {}

    /**
     * @param kwhText the register as typed
     * @param readAtText {@code yyyy-MM-ddTHH:mm} (an HTML {@code datetime-local} field) in the programme zone
     */
    public static Checked check(String kwhText, String readAtText, Instant now, ReportingWindow windows) {
        Map<String, String> problems = new LinkedHashMap<>();
        YearMonth month = windows.windowAt(now);
        BigDecimal kwh = null;
        try {
            kwh = PlainDecimal.parse("The reading", kwhText == null ? "" : kwhText.trim(), 15, 3);
        } catch (IllegalArgumentException e) {
            problems.put("kwh", "Enter the meter reading in kWh as digits, with at most 3 decimals after a point "
                    + "(for example 10452.5). " + e.getMessage() + ".");
        }
        Instant readAt = null;
        try {
            // what an HTML datetime-local field sends: minutes, or seconds when the browser adds them
            LocalDateTime local = LocalDateTime.parse(readAtText == null ? "" : readAtText.trim(),
                    DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            readAt = local.atZone(windows.zone()).toInstant();
        } catch (DateTimeParseException e) {
            problems.put("read_at", "Enter the date and time the reading was taken.");
        }
        if (month == null) {
            problems.put("window", "No reporting window is open now.");
        } else if (readAt != null) {
            if (readAt.isAfter(now)) {
                problems.put("read_at", "The date and time are in the future; enter when the reading was taken.");
            } else if (!windows.contains(month, readAt)) {
                problems.put("read_at", "The reading must be taken in the current reporting window, "
                        + describe(windows, month) + ".");
            }
        }
        return new Checked(month, readAt, kwh, java.util.Collections.unmodifiableMap(problems));
    }

    /** "from 26 November 2026 00:00 to 5 December 2026 24:00" in the programme zone. */
    public static String describe(ReportingWindow windows, YearMonth month) {
        DateTimeFormatter day = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
        return "from " + windows.opens(month).atZone(windows.zone()).format(day) + " to "
                + windows.closes(month).minusSeconds(1).atZone(windows.zone()).format(day) + " (inclusive)";
    }
}
