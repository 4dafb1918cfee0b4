package org.ptsingest.service.console;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptsingest.rules.MonthProduction;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.service.production.GisExport;
import org.ptsingest.service.production.ProductionLedger;
import org.ptsingest.service.production.ProductionOps;
import org.ptsingest.service.reporting.MissingReports;
import org.ptsingest.service.web.Months;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The console's production pages: a system's monthly production (chart, months, revisions, ops'
 * adjustments), the reporting windows' missing reports, and the quarterly GIS export. Server-rendered,
 * no JavaScript, like the rest of the console; every action is a CSRF-protected form for OPS users and
 * goes through the same services as the API.
 */
@Controller
class ProductionConsoleController {
    /** Months shown on a system page: the last two years up to the current month. */
    static final int MONTHS_SHOWN = 24;

    private final ProductionLedger ledger;
    private final ProductionOps ops;
    private final GisExport gis;
    private final MissingReports missing;

    ProductionConsoleController(ProductionLedger ledger, ProductionOps ops, GisExport gis, MissingReports missing) {
        this.ledger = ledger;
        this.ops = ops;
        this.gis = gis;
        this.missing = missing;
    }

    // ---- a system's production ----

    @GetMapping("/ops/systems/{systemId}/production")
    String production(@PathVariable String systemId, Model model) {
        YearMonth now = YearMonth.from(Instant.now().atZone(ledger.window().zone()));
        ProductionLedger.SystemLedger l = ledger.months(systemId, now.minusMonths(MONTHS_SHOWN - 1), now)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "system " + systemId
                        + " is not in the registry"));
        List<MonthProduction> months = l.months().stream().map(ProductionLedger.LedgerMonth::value).toList();
        model.addAttribute("systemId", systemId);
        model.addAttribute("ledger", l);
        model.addAttribute("chart", ProductionChart.of(months));
        // newest first in the table
        List<ProductionLedger.LedgerMonth> rows = new ArrayList<>(l.months());
        java.util.Collections.reverse(rows);
        model.addAttribute("rows", rows);
        model.addAttribute("thisMonth", now.toString());
        return "ops/production";
    }

    @GetMapping("/ops/systems/{systemId}/production/{month}")
    String revisions(@PathVariable String systemId, @PathVariable String month, Model model) {
        YearMonth m = month(month);
        model.addAttribute("systemId", systemId);
        model.addAttribute("month", m.toString());
        model.addAttribute("revisions", ledger.revisions(systemId, m));
        return "ops/production-month";
    }

    @PostMapping("/ops/systems/{systemId}/production/adjustment")
    String adjust(@PathVariable String systemId, @RequestParam String month, @RequestParam String kwh,
            @RequestParam String reason, Authentication who, RedirectAttributes flash) {
        try {
            ops.setAdjustment(systemId, month(month), new BigDecimal(kwh.strip()), who.getName(), reason);
            flash.addFlashAttribute("notice", "Production of " + month + " set to " + kwh.strip() + " kWh (ADJUSTED)");
        } catch (ProductionOps.Refused | NumberFormatException | ResponseStatusException e) {
            flash.addFlashAttribute("problem", e instanceof NumberFormatException ? "kWh must be a number, e.g. 812.5"
                    : e.getMessage());
        }
        return "redirect:" + productionUrl(systemId);
    }

    @PostMapping("/ops/systems/{systemId}/production/adjustment/remove")
    String removeAdjustment(@PathVariable String systemId, @RequestParam String month, @RequestParam String reason,
            Authentication who, RedirectAttributes flash) {
        try {
            ops.removeAdjustment(systemId, month(month), who.getName(), reason);
            flash.addFlashAttribute("notice", "Adjustment of " + month + " removed; the month follows its readings again");
        } catch (ProductionOps.Refused | ResponseStatusException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:" + productionUrl(systemId);
    }

    /**
     * The system's production page, its id encoded: a redirect to a raw id outside Latin-1 (U+202E, say) was
     * dropped by Tomcat, leaving a 302 that went nowhere.
     */
    private static String productionUrl(String systemId) {
        return UriComponentsBuilder.fromPath("/ops/systems/{id}/production").buildAndExpand(systemId).encode()
                .toUriString();
    }

    // ---- missing reports ----

    /** One reporting window's missing reports, grouped by provider. */
    /** @param span the window in the programme's zone, e.g. "26 Nov 2026 00:00 – 6 Dec 2026 00:00 America/New_York" */
    public record WindowMissing(String month, String span, boolean ended,
            Map<String, List<MissingReports.Missing>> byProvider, int total) {}

    @GetMapping("/ops/missing")
    String missingReports(Model model) {
        ReportingWindow windows = missing.windows();
        Instant now = Instant.now();
        YearMonth current = windows.windowAt(now) != null ? windows.windowAt(now) : windows.nextWindow(now).minusMonths(1);
        List<WindowMissing> shown = new ArrayList<>();
        for (YearMonth m : new YearMonth[] {current, current.minusMonths(1)}) {
            Map<String, List<MissingReports.Missing>> byProvider = new TreeMap<>();
            List<MissingReports.Missing> all = missing.of(m);
            for (MissingReports.Missing x : all) {
                byProvider.computeIfAbsent(x.providerId(), k -> new ArrayList<>()).add(x);
            }
            java.time.format.DateTimeFormatter local = java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy HH:mm",
                    java.util.Locale.ENGLISH);
            String span = windows.opens(m).atZone(windows.zone()).format(local) + " – "
                    + windows.closes(m).atZone(windows.zone()).format(local) + " " + windows.zone();
            shown.add(new WindowMissing(m.toString(), span, windows.ended(m, now), byProvider, all.size()));
        }
        model.addAttribute("windows", shown);
        return "ops/missing";
    }

    @GetMapping("/ops/missing/{month}.csv")
    void missingCsv(@PathVariable String month, HttpServletResponse response) throws IOException {
        YearMonth m = month(month);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"missing-reports-" + m + ".csv\"");
        MissingReports.csv(missing.of(m), new java.io.OutputStreamWriter(response.getOutputStream(),
                StandardCharsets.UTF_8));
    }

    // ---- the quarterly GIS export ----

    @GetMapping("/ops/exports/gis")
    String gisExport(@RequestParam(required = false) String quarter, Model model) {
        GisExport.Quarter q = quarter == null || quarter.isBlank() ? lastEndedQuarter() : quarter(quarter);
        model.addAttribute("quarter", q.toString());
        model.addAttribute("previous", previous(q).toString());
        model.addAttribute("next", next(q).toString());
        model.addAttribute("lines", gis.lines(q));
        List<GisExport.Export> exports = gis.exportsOf(q);
        model.addAttribute("exports", exports);
        model.addAttribute("seenLatest", exports.isEmpty() ? 0L : exports.get(0).exportId());
        model.addAttribute("adjustments", gis.adjustments());
        return "ops/gis-export";
    }

    @GetMapping("/ops/exports/gis/{quarter}.csv")
    void gisCsv(@PathVariable String quarter, HttpServletResponse response) throws IOException {
        GisExport.Quarter q = quarter(quarter);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"gis-" + q + ".csv\"");
        response.getOutputStream().write(GisExport.csv(gis.lines(q)).getBytes(StandardCharsets.UTF_8));
    }

    @PostMapping("/ops/exports/gis/{quarter}/finalize")
    String finalizeGis(@PathVariable String quarter, @RequestParam String reason,
            @RequestParam(name = "seen", required = false) Long seen, Authentication who, RedirectAttributes flash) {
        GisExport.Quarter q = quarter(quarter);
        try {
            // the page's latest export of the quarter (0: none), so a double click records the quarter once
            long id = gis.finalizeExport(q, who.getName(), reason, seen == null ? 0L : seen);
            flash.addFlashAttribute("notice", "Export of " + q + " recorded as sent (export " + id + ")");
        } catch (RuntimeException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/exports/gis?quarter=" + q;
    }

    private GisExport.Quarter lastEndedQuarter() {
        YearMonth now = YearMonth.from(Instant.now().atZone(ledger.window().zone()));
        YearMonth inLast = now.minusMonths(3);
        return new GisExport.Quarter(inLast.getYear(), (inLast.getMonthValue() - 1) / 3 + 1);
    }

    private static GisExport.Quarter previous(GisExport.Quarter q) {
        return q.quarter() == 1 ? new GisExport.Quarter(q.year() - 1, 4) : new GisExport.Quarter(q.year(), q.quarter() - 1);
    }

    private static GisExport.Quarter next(GisExport.Quarter q) {
        return q.quarter() == 4 ? new GisExport.Quarter(q.year() + 1, 1) : new GisExport.Quarter(q.year(), q.quarter() + 1);
    }

    private static GisExport.Quarter quarter(String text) {
        try {
            return GisExport.Quarter.parse(text);
        } catch (RuntimeException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "not a quarter: " + text + " (e.g. 2026Q3)");
        }
    }

    private static YearMonth month(String text) {
        try {
            return Months.parse(text);
        } catch (DateTimeParseException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "not a month: " + text + " (YYYY-MM)");
        }
    }
}
