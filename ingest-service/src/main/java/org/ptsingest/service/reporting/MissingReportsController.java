package org.ptsingest.service.reporting;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.servlet.http.HttpServletResponse;
import org.ptsingest.feed.Echo;
import org.ptsingest.service.web.AcceptHeader;
import org.ptsingest.service.web.Months;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Ops: who has not reported in a month's reporting window, as JSON or (Accept: text/csv) CSV. */
@RestController
class MissingReportsController {

    private static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

    private final MissingReports missing;
    private final ObjectMapper json;

    MissingReportsController(MissingReports missing, ObjectMapper json) {
        this.missing = missing;
        this.json = json;
    }

    /** JSON by default; CSV when the client asks for {@code text/csv} (a spreadsheet, the console's download). */
    @GetMapping("/api/v1/reporting-windows/{month}/missing")
    void missing(@PathVariable String month, @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
            HttpServletResponse response) throws IOException {
        boolean csv = AcceptHeader.parse(accept).stream().anyMatch(t -> t.equalsTypeAndSubtype(TEXT_CSV));
        YearMonth m = parse(month);
        if (m == null) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "month " + Echo.quote(month) + " is not YYYY-MM");
            p.setTitle("INVALID_VALUE");
            p.setProperty("code", "INVALID_VALUE");
            json.writeValue(response.getOutputStream(), p);
            return;
        }
        List<MissingReports.Missing> rows = missing.of(m);
        if (!csv) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            json.writeValue(response.getOutputStream(), rows.stream().map(MissingReportsController::row).toList());
            return;
        }
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"missing-reports-" + m + ".csv\"");
        MissingReports.csv(rows, new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
    }

    private static Map<String, Object> row(MissingReports.Missing r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("system_id", r.systemId());
        out.put("provider_id", r.providerId());
        out.put("last_close_month", r.lastCloseMonth() == null ? null : r.lastCloseMonth().toString());
        return out;
    }

    private static YearMonth parse(String month) {
        try {
            return Months.parse(month);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
