package org.ptsingest.service.production;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ptsingest.rules.MonthProduction;
import org.ptsingest.service.security.SecurityConfig;
import org.ptsingest.service.web.Months;
import org.ptsingest.feed.Echo;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The production ledger on the API: a system's months and a month's revisions (ops, and a provider key for
 * systems it reports or reported: any other system answers 404, as if it did not exist), ops' adjustments
 * and rebuild, and the quarterly NEPOOL GIS export.
 */
@RestController
class ProductionController {
    private final ProductionLedger ledger;
    private final ProductionOps ops;
    private final GisExport gis;

    ProductionController(ProductionLedger ledger, ProductionOps ops, GisExport gis) {
        this.ledger = ledger;
        this.ops = ops;
        this.gis = gis;
    }

    @GetMapping("/api/v1/systems/{systemId}/production")
    Map<String, Object> months(@PathVariable String systemId, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, Authentication caller) {
        visibleTo(caller, systemId);
        ProductionLedger.SystemLedger l = ledger.months(systemId, month(from), month(to)).orElseThrow(() -> notFound(systemId));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("system_id", l.systemId());
        body.put("dc_capacity_kw", l.dcCapacityKw());
        List<Map<String, Object>> months = new ArrayList<>();
        for (ProductionLedger.LedgerMonth m : l.months()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("month", m.value().month().toString());
            row.put("kwh", kwh(m.value().kwh()));
            row.put("basis", m.value().basis().name());
            row.put("close_kwh", kwh(m.value().closeKwh()));
            row.put("revision", m.revision());
            months.add(row);
        }
        body.put("months", months);
        return body;
    }

    @GetMapping("/api/v1/systems/{systemId}/production/{month}/revisions")
    Map<String, Object> revisions(@PathVariable String systemId, @PathVariable String month, Authentication caller) {
        visibleTo(caller, systemId);
        YearMonth m = month(month);
        if (ledger.months(systemId, m, m).isEmpty()) {
            throw notFound(systemId);
        }
        List<Map<String, Object>> revisions = new ArrayList<>();
        for (ProductionLedger.Revision r : ledger.revisions(systemId, m)) {
            MonthProduction v = r.value();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("revision", r.revision());
            row.put("kwh", kwh(v.kwh()));
            row.put("basis", v.basis().name());
            row.put("close_kwh", kwh(v.closeKwh()));
            row.put("reason", v.reason());
            row.put("recorded_at", r.recordedAt().toString());
            row.put("cause", r.cause().name());
            row.put("cause_ref", r.causeRef());
            revisions.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("system_id", systemId);
        body.put("month", m.toString());
        body.put("revisions", revisions);
        return body;
    }

    /** Body {@code {"kwh": "812.000", "reason": "..."}} (kwh as a string or a number). */
    @PutMapping("/api/v1/systems/{systemId}/production/{month}/adjustment")
    Map<String, Object> adjust(@PathVariable String systemId, @PathVariable String month,
            @RequestBody Map<String, Object> body, Authentication who) {
        Object kwh = body.get("kwh");
        BigDecimal value;
        try {
            value = kwh == null ? null : new BigDecimal(kwh.toString());
        } catch (NumberFormatException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "kwh must be a decimal number");
        }
        YearMonth m = month(month);
        ops.setAdjustment(systemId, m, value, who.getName(), (String) body.get("reason"));
        return months(systemId, month, month, who);
    }

    /** Body {@code {"reason": "..."}} (or {@code ?reason=}). */
    @DeleteMapping("/api/v1/systems/{systemId}/production/{month}/adjustment")
    Map<String, Object> removeAdjustment(@PathVariable String systemId, @PathVariable String month,
            @RequestBody(required = false) Map<String, Object> body, @RequestParam(required = false) String reason,
            Authentication who) {
        String why = reason != null ? reason : body == null ? null : (String) body.get("reason");
        ops.removeAdjustment(systemId, month(month), who.getName(), why);
        return months(systemId, month, month, who);
    }

    /** Body {@code {"reason": "..."}}: recomputes every system; answers what changed (nothing on a current ledger). */
    @PostMapping("/api/v1/production/rebuild")
    Map<String, Object> rebuild(@RequestBody Map<String, String> body, Authentication who) {
        ProductionLedger.Changes c = ops.rebuild(who.getName(), body.get("reason"));
        return Map.of("systems", c.systems(), "revisions", c.revisions());
    }

    @GetMapping(path = "/api/v1/exports/gis/{quarter}", produces = "text/csv")
    ResponseEntity<String> gisExport(@PathVariable String quarter) {
        GisExport.Quarter q = GisExport.Quarter.parse(quarter);
        return ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"gis-" + q + ".csv\"")
                .body(GisExport.csv(gis.lines(q)));
    }

    /**
     * Records the quarter's lines as exported. Body optional: {@code {"reason": "...", "after_export_id": "12"}};
     * with {@code after_export_id} (the quarter's latest export the caller knows, {@code 0} for none) it is
     * recorded only if no other was since — a client's retry records the quarter once (409 otherwise).
     */
    @PostMapping("/api/v1/exports/gis/{quarter}/finalize")
    Map<String, Object> finalizeExport(@PathVariable String quarter,
            @RequestBody(required = false) Map<String, String> body, Authentication who) {
        GisExport.Quarter q = GisExport.Quarter.parse(quarter);
        String after = body == null ? null : body.get("after_export_id");
        Long seen;
        try {
            seen = after == null ? null : Long.valueOf(after.strip());
        } catch (NumberFormatException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "after_export_id " + Echo.quote(after)
                    + " is not an export id (0 for none)");
        }
        long exportId = gis.finalizeExport(q, who.getName(), body == null ? null : body.get("reason"), seen);
        return Map.of("export_id", exportId, "quarter", q.toString(), "lines", gis.lines(q).size());
    }

    @GetMapping("/api/v1/exports/gis/adjustments")
    List<Map<String, Object>> gisAdjustments() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (GisExport.Adjustment a : gis.adjustments()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("system_id", a.systemId());
            row.put("unit_id", a.unitId());
            row.put("month", a.month().toString());
            row.put("quarter", a.quarter().toString());
            row.put("exported_mwh", kwh(a.exportedMwh()));
            row.put("mwh", kwh(a.mwh()));
            row.put("revision", a.revision());
            row.put("status", a.status());
            row.put("done_by_export", a.doneBy());
            out.add(row);
        }
        return out;
    }

    private void visibleTo(Authentication caller, String systemId) {
        boolean ops = caller.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + SecurityConfig.ROLE_OPS));
        if (!ops && !ledger.reportedBy(systemId, caller.getName())) {
            throw notFound(systemId);
        }
    }

    private static ResponseStatusException notFound(String systemId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "system " + systemId + " does not exist");
    }

    private static YearMonth month(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Months.parse(text);
        } catch (DateTimeParseException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "a month is YYYY-MM: " + text);
        }
    }

    /** Three decimals as a string (JSON numbers lose trailing zeros and, in many clients, precision). */
    private static String kwh(BigDecimal v) {
        return v == null ? null : v.setScale(3).toPlainString();
    }

    @ExceptionHandler(GisExport.ExportedMeanwhile.class)
    ProblemDetail exportedMeanwhile(GisExport.ExportedMeanwhile e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(ProductionOps.Refused.class)
    ProblemDetail refused(ProductionOps.Refused e) {
        return ProblemDetail.forStatusAndDetail(e.notFound() ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST,
                e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
