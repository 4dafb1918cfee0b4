package org.ptsingest.service.report;

import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ptsingest.feed.PlainDecimal;
import org.ptsingest.pipeline.FeedPipeline;
import org.ptsingest.rules.ManualEntry;
import org.ptsingest.service.persistence.jooq.tables.records.ManualReportRecord;
import org.ptsingest.service.web.FeedGateway;
import org.ptsingest.service.web.Months;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The owner's steps on the /report pages, server-rendered like the ops console: (1) log in, "Enter
 * production data"; (2) the systems, reported or to report in the open window; (3) one system's reading
 * and when it was taken, stored at once through the ingest route ({@link ManualReadings}); (4) operational
 * experience, optional; (5) Save: the month is complete, with a summary and the receipt. Every POST
 * answers with a redirect (post/redirect/get), and every form carries what makes it one-time (the
 * reading's attempt number; a month completes once), so Back, reload and double clicks store nothing twice.
 */
@Controller
class ReportController {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH);

    private final ManualReadings manual;
    private final SelfReporters reporters;
    private final FeedPipeline pipeline;

    ReportController(ManualReadings manual, SelfReporters reporters, FeedPipeline pipeline) {
        this.manual = manual;
        this.reporters = reporters;
        this.pipeline = pipeline;
    }

    @ModelAttribute
    void header(Authentication who, Model model) {
        if (who != null && who.isAuthenticated() && !"anonymousUser".equals(who.getName())) {
            model.addAttribute("reporter", reporters.account(who.getName())
                    .map(a -> a.name() + " (" + a.reporterId() + ")").orElse(who.getName()));
        }
        model.addAttribute("zone", manual.windows().zone());
    }

    @GetMapping("/report/login")
    String login() {
        return "report/login";
    }

    /** Step 1. */
    @GetMapping("/report")
    String home(Model model) {
        window(model);
        return "report/home";
    }

    /** Step 2: the systems, each reported this window or to report; between windows, when the next opens. */
    @GetMapping("/report/systems")
    String systems(Authentication who, Model model) {
        YearMonth month = window(model);
        if (month != null) {
            model.addAttribute("systems", manual.systems(who.getName(), month));
        }
        return "report/systems";
    }

    /** Step 3: one system's form (or, once reported, what was stored; above the threshold, why not here). */
    @GetMapping("/report/system")
    String system(Authentication who, @RequestParam String id, Model model) {
        YearMonth month = window(model);
        if (month == null) {
            return "redirect:/report/systems";
        }
        ManualReadings.SystemRow system = mine(who, month, id);
        model.addAttribute("system", system);
        model.addAttribute("history", manual.history(id, month));
        model.addAttribute("attempt", manual.nextAttempt(who.getName(), month, id));
        model.addAttribute("maxReadAt", manual.now().atZone(manual.windows().zone()).format(ManualEntry.LOCAL));
        model.addAttribute("minReadAt", manual.windows().opens(month).atZone(manual.windows().zone())
                .format(ManualEntry.LOCAL));
        if (system.report() != null) {
            model.addAttribute("stored", manual.storedReading(system.report().getFeedId()));
            model.addAttribute("opsRejection", manual.opsRejection(system.report()));
        }
        return "report/system";
    }

    @PostMapping("/report/system/reading")
    String reading(Authentication who, @RequestParam String id, @RequestParam(defaultValue = "1") String attempt,
            @RequestParam(defaultValue = "") String kwh, @RequestParam(name = "read_at", defaultValue = "") String readAt,
            RedirectAttributes flash) throws Exception {
        ManualReadings.Outcome outcome;
        try {
            outcome = manual.submit(who.getName(), id, number(attempt), kwh, readAt);
        } catch (ManualReadings.FormProblems e) {
            flash.addFlashAttribute("problems", e.problems);
            flash.addFlashAttribute("typedKwh", kwh);
            flash.addFlashAttribute("typedReadAt", readAt);
            return "redirect:" + systemUrl("/report/system", id);
        } catch (FeedGateway.NotRecorded e) {
            flash.addFlashAttribute("problems", Map.of("system",
                    "Your reading could not be stored just now. Please try again in a few minutes."));
            return "redirect:" + systemUrl("/report/system", id);
        }
        if (!outcome.stored()) {
            flash.addFlashAttribute("rejected", Map.of("plain", PlainWords.explain(outcome.code()),
                    "detail", outcome.message(), "feed", outcome.feedId(), "kwh", kwh, "readAt", readAt));
            return "redirect:" + systemUrl("/report/system", id);
        }
        flash.addFlashAttribute("notice", PlainWords.explain(outcome.code()));
        return "redirect:" + systemUrl("/report/system/experience", id);
    }

    /** Step 4: operational experience, optional; Save completes the month. */
    @GetMapping("/report/system/experience")
    String experience(Authentication who, @RequestParam String id, Model model) {
        YearMonth month = window(model);
        if (month == null) {
            return "redirect:/report/systems";
        }
        ManualReadings.SystemRow system = mine(who, month, id);
        if (system.state() != ManualReadings.State.REPORTED) {
            // nothing stored for the month (or ops rejected what was): the reading first
            return "redirect:" + systemUrl("/report/system", id);
        }
        if (system.report().getCompletedAt() != null) {
            return "redirect:" + summaryUrl(id, month);
        }
        model.addAttribute("system", system);
        model.addAttribute("stored", manual.storedReading(system.report().getFeedId()));
        return "report/experience";
    }

    @PostMapping("/report/system/experience")
    String save(Authentication who, @RequestParam String id, @RequestParam String month,
            @RequestParam(defaultValue = "") String maintenance, @RequestParam(defaultValue = "") String repair,
            @RequestParam(defaultValue = "") String service, @RequestParam(name = "outage_days", defaultValue = "") String outageDays,
            @RequestParam(name = "outage_notes", defaultValue = "") String notes, RedirectAttributes flash) {
        YearMonth m = month(month);
        Map<String, String> problems = new LinkedHashMap<>();
        BigDecimal maintenanceUsd = usd("maintenance", "Maintenance cost", maintenance, problems);
        BigDecimal repairUsd = usd("repair", "Repair cost", repair, problems);
        BigDecimal serviceUsd = usd("service", "Service cost", service, problems);
        Integer days = days(outageDays, problems);
        String outageNotes = notes.isBlank() ? null : notes.strip();
        if (outageNotes != null && (outageNotes.length() > 2000 || outageNotes.chars().anyMatch(c -> c < 0x20
                && c != '\n' && c != '\r' && c != '\t'))) {
            problems.put("outage_notes", "Describe the outages in at most 2,000 characters of plain text.");
        }
        if (!problems.isEmpty()) {
            flash.addFlashAttribute("problems", problems);
            flash.addFlashAttribute("typed", Map.of("maintenance", maintenance, "repair", repair, "service", service,
                    "outage_days", outageDays, "outage_notes", notes));
            return "redirect:" + systemUrl("/report/system/experience", id);
        }
        manual.complete(who.getName(), m, id, maintenanceUsd, repairUsd, serviceUsd, days, outageNotes);
        return "redirect:" + summaryUrl(id, m);
    }

    /** Step 5: the month's summary, with the receipt. */
    @GetMapping("/report/system/summary")
    String summary(Authentication who, @RequestParam String id, @RequestParam String month, Model model) {
        YearMonth m = month(month);
        ManualReportRecord report = manual.report(who.getName(), m, id);
        if (report == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no report of " + id + " for " + m);
        }
        model.addAttribute("systemId", id);
        model.addAttribute("month", m);
        model.addAttribute("monthLabel", m.format(MONTH));
        model.addAttribute("report", report);
        model.addAttribute("stored", manual.storedReading(report.getFeedId()));
        ManualReadings.Outcome outcome = manual.outcome(report.getFeedId());
        model.addAttribute("outcome", outcome);
        model.addAttribute("outcomeText", PlainWords.explain(outcome.code()));
        model.addAttribute("opsRejection", manual.opsRejection(report));
        model.addAttribute("zone", manual.windows().zone());
        return "report/summary";
    }

    /** A correction of an accepted reading goes to ops as a request; the stored reading stands meanwhile. */
    @PostMapping("/report/system/correction")
    String correction(Authentication who, @RequestParam String id, @RequestParam String month,
            @RequestParam(defaultValue = "") String kwh, @RequestParam(defaultValue = "") String note,
            RedirectAttributes flash) {
        YearMonth m = month(month);
        BigDecimal value;
        try {
            value = PlainDecimal.parse("The corrected reading", kwh.trim(), 15, 3);
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("problem", "Enter the corrected reading in kWh as digits (for example 10452.5).");
            return "redirect:" + summaryUrl(id, m);
        }
        String text = note.strip();
        if (text.length() > 2000) {
            text = text.substring(0, 2000);
        }
        if (manual.requestCorrection(who.getName(), m, id, value, text.isEmpty() ? null : text)) {
            flash.addFlashAttribute("notice", "Your correction request was sent to the programme staff.");
        } else {
            flash.addFlashAttribute("problem", "There is no stored reading of " + id + " for " + m.format(MONTH)
                    + " to correct. If programme staff rejected it, enter the reading again while the reporting"
                    + " window is open.");
        }
        return "redirect:" + summaryUrl(id, m);
    }

    /** The receipt of one of the owner's own readings (JSON, schemas/receipt-v1.schema.json). */
    @GetMapping("/report/feeds/{feedId}/receipt")
    void receipt(Authentication who, @PathVariable long feedId, HttpServletResponse response) throws Exception {
        if (!manual.owns(who.getName(), feedId)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        response.setContentType("application/json");
        response.setHeader("Content-Disposition", "attachment; filename=\"receipt-" + feedId + ".json\"");
        pipeline.writeReceipt(feedId, response.getOutputStream());
    }

    /** The open window (month, its dates) or, between windows, the next one; returns the open month or null. */
    private YearMonth window(Model model) {
        YearMonth open = manual.openMonth();
        ZoneId zone = manual.windows().zone();
        YearMonth shown = open != null ? open : manual.windows().nextWindow(manual.now());
        model.addAttribute("open", open != null);
        model.addAttribute("month", shown);
        model.addAttribute("monthLabel", shown.format(MONTH));
        model.addAttribute("windowText", ManualEntry.describe(manual.windows(), shown));
        model.addAttribute("opensAt", manual.windows().opens(shown).atZone(zone).format(WHEN));
        return open;
    }

    private ManualReadings.SystemRow mine(Authentication who, YearMonth month, String id) {
        ManualReadings.SystemRow system = manual.system(who.getName(), month, id);
        if (system == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "you do not report for system " + id);
        }
        return system;
    }

    private static String systemUrl(String path, String id) {
        return UriComponentsBuilder.fromPath(path).queryParam("id", id).encode().build().toUriString();
    }

    private static String summaryUrl(String id, YearMonth month) {
        return UriComponentsBuilder.fromPath("/report/system/summary").queryParam("id", id)
                .queryParam("month", month.toString()).encode().build().toUriString();
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static YearMonth month(String text) {
        try {
            return Months.parse(text);
        } catch (DateTimeParseException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no month " + text);
        }
    }

    private static BigDecimal usd(String field, String label, String text, Map<String, String> problems) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return PlainDecimal.parse(label, text.trim(), 10, 2);
        } catch (IllegalArgumentException e) {
            problems.put(field, label + ": enter US dollars as digits with at most 2 decimals (for example 125.50).");
            return null;
        }
    }

    private static Integer days(String text, Map<String, String> problems) {
        if (text.isBlank()) {
            return null;
        }
        try {
            int days = Integer.parseInt(text.trim());
            if (days >= 0 && days <= 31) {
                return days;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        problems.put("outage_days", "Outage days: a whole number from 0 to 31.");
        return null;
    }
}
