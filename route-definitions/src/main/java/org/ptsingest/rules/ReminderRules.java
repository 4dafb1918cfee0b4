package org.ptsingest.rules;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which e-mail reminders are due, and who gets them.
 *
 * <ul>
 *   <li><b>Window opening</b> ({@link Kind#WINDOW_OPEN}): while the reporting window of M is open, every
 *       enabled self-reporter that owes a close for M (a system designated to it that has none yet) gets one
 *       reminder listing those systems.
 *   <li><b>Missing production report</b> ({@link Kind#MISSING_REPORTS}): from 00:00 local {@code daysBeforeClose}
 *       calendar days before the window of M closes until it closes, every DAS provider with at least
 *       {@code threshold} systems without a close gets one notice.
 * </ul>
 * "Owes a close" is decided elsewhere (the missing-reports query); these rules only say when and to whom.
 */
public record ReminderRules(ReportingWindow windows, int daysBeforeClose, int threshold) {

    public enum Kind { WINDOW_OPEN, MISSING_REPORTS }

    /** A reminder run that is due: one kind, for one reporting month. */
    public record Due(Kind kind, YearMonth month) {}

    /** A system without a close in the window, and its designated reporter. */
    public record Owed(String systemId, String reporterId) {}

    public ReminderRules {
        if (daysBeforeClose < 1 || threshold < 1) {
            throw new IllegalArgumentException("daysBeforeClose and threshold must be positive");
        }
    }

    /** The reminder runs due at {@code now}: none between windows. */
    public List<Due> due(Instant now) {
        YearMonth open = windows.windowAt(now);
        if (open == null) {
            return List.of();
        }
        List<Due> due = new ArrayList<>();
        due.add(new Due(Kind.WINDOW_OPEN, open));
        if (!now.isBefore(missingNoticeFrom(open))) {
            due.add(new Due(Kind.MISSING_REPORTS, open));
        }
        return due;
    }

    /**
     * When the missing-report notice of M's window is due: 00:00 local, {@code daysBeforeClose} calendar days
     * before the window's end (never before the window opens).
     */
    public Instant missingNoticeFrom(YearMonth month) {
        Instant from = month.plusMonths(1).atDay(1).plusDays(windows.days() - daysBeforeClose)
                .atStartOfDay(windows.zone()).toInstant();
        return from.isBefore(windows.opens(month)) ? windows.opens(month) : from;
    }

    /**
     * Who gets the window-opening reminder: each enabled self-reporter among the designated reporters of
     * {@code owed}, with its systems in id order. DAS providers and disabled self-reporters get none.
     *
     * @param kinds every reporter's kind (a reporter missing from it gets nothing)
     * @param disabled self-reporters whose accounts are disabled
     */
    public Map<String, List<String>> windowOpen(Collection<Owed> owed, Map<String, ReporterKind> kinds,
            Set<String> disabled) {
        Map<String, List<String>> out = byReporter(owed);
        out.keySet().removeIf(r -> kinds.get(r) != ReporterKind.SELF_REPORTER || disabled.contains(r));
        return out;
    }

    /**
     * Who gets the missing-report notice: each DAS provider with at least {@code threshold} systems in
     * {@code owed}, with its systems in id order.
     */
    public Map<String, List<String>> missingNotices(Collection<Owed> owed, Map<String, ReporterKind> kinds) {
        Map<String, List<String>> out = byReporter(owed);
        out.entrySet().removeIf(e -> kinds.get(e.getKey()) != ReporterKind.DAS_PROVIDER
                || e.getValue().size() < threshold);
        return out;
    }

    private static Map<String, List<String>> byReporter(Collection<Owed> owed) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Owed o : owed) {
            out.computeIfAbsent(o.reporterId(), r -> new ArrayList<>()).add(o.systemId());
        }
        out.values().forEach(systems -> systems.sort(null));
        out.replaceAll((r, systems) -> systems.stream().distinct().toList());
        return out;
    }
}
