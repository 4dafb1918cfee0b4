package org.ptsingest.service.notify;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.ptsingest.rules.ReportingWindow;

/** The words of every e-mail the service sends: plain text, dates in the programme's zone. */
final class Texts {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM uuuu", Locale.ENGLISH);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMMM uuuu", Locale.ENGLISH);
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm", Locale.ENGLISH);

    record Text(String subject, String body) {}

    private final String baseUrl;
    private final ReportingWindow windows;

    Texts(String baseUrl, ReportingWindow windows) {
        this.baseUrl = baseUrl;
        this.windows = windows;
    }

    /** The texts with the configured base URL and the programme's reporting windows. */
    static Texts of(org.ptsingest.config.IngestProperties properties) {
        return new Texts(properties.notifications().baseUrl(),
                new ReportingWindow(properties.rules().zone(), properties.production().windowDays()));
    }

    String passwordLink(String token) {
        return baseUrl + "/report/password?token=" + token;
    }

    Text invitation(String name, String reporterId, String token, Instant expiresAt) {
        return new Text("Your account for reporting solar production", """
                Hello %s,

                You are invited to report your solar system's production to the Production Tracking System \
                yourself, once a month, on the web.

                Choose your password here (the link works once, until %s %s):
                %s

                Your reporter ID, to log in with: %s
                Log in at %s/report/login

                If you did not expect this message, ignore it: nothing happens without the link.
                """.formatted(name, AT.format(expiresAt.atZone(zone())), zone(), passwordLink(token), reporterId,
                baseUrl));
    }

    Text passwordReset(String name, String reporterId, String token, Instant expiresAt) {
        return new Text("Set a new password for production reporting", """
                Hello %s,

                Someone (we hope you) asked for a new password for reporter ID %s.

                Choose a new password here (the link works once, until %s %s):
                %s

                If it was not you, ignore this message: your password stays as it is.
                """.formatted(name, reporterId, AT.format(expiresAt.atZone(zone())), zone(), passwordLink(token)));
    }

    Text windowOpen(String name, String reporterId, YearMonth month, List<String> systems) {
        StringBuilder list = new StringBuilder();
        systems.forEach(s -> list.append("  - ").append(s).append('\n'));
        return new Text("Reporting window open: your meter reading for " + MONTH.format(month), """
                Hello %s,

                The reporting window for %s is open from %s to %s (inclusive, %s time).
                Please enter the meter reading of:
                %s
                at %s/report (reporter ID %s).

                No password yet, or forgotten? Ask for a link at %s/report/forgot
                """.formatted(name, MONTH.format(month), DAY.format(firstDay(month)), DAY.format(lastDay(month)),
                zone(), list, baseUrl, reporterId, baseUrl));
    }

    Text missingReports(String name, String providerId, YearMonth month, int count, String attachmentName) {
        return new Text("Missing production reports: " + count + " systems for " + MONTH.format(month), """
                %s (%s),

                %d of the systems designated to you have no reading in the reporting window for %s, which \
                closes at the end of %s (%s time).

                The list is attached (%s: system_id, provider_id, last_close_month).
                Please deliver their readings before the window closes.
                """.formatted(name, providerId, count, MONTH.format(month), DAY.format(lastDay(month)), zone(),
                attachmentName));
    }

    Text correctionDecided(String name, String systemId, YearMonth month, String requestedKwh, boolean adjusted,
            String reason) {
        return new Text("Your correction request for " + systemId + ", " + MONTH.format(month) + ": "
                + (adjusted ? "adjusted" : "declined"), """
                Hello %s,

                You asked to correct the meter reading of %s for %s to %s kWh.

                %s

                The programme staff's reason: %s

                The month's summary, with this decision: %s/report/system/summary?id=%s&month=%s
                """.formatted(name, systemId, MONTH.format(month), requestedKwh, adjusted
                        ? "The programme staff adjusted the month's production accordingly."
                        : "The programme staff declined the correction: the stored reading stands.",
                reason, baseUrl, systemId, month));
    }

    private ZoneId zone() {
        return windows.zone();
    }

    private java.time.LocalDate firstDay(YearMonth month) {
        return windows.opens(month).atZone(zone()).toLocalDate();
    }

    private java.time.LocalDate lastDay(YearMonth month) {
        return windows.closes(month).atZone(zone()).toLocalDate().minusDays(1);
    }
}
