package org.ptsingest.service.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_MONTH;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.service.IngestItSupport;

/**
 * The console's production pages in headless Chromium: a system's monthly production (SVG chart with a
 * legend, months, revisions, an adjustment), the missing reports of the current and previous windows,
 * and the quarter's GIS export with finalize and an adjustment after it. Writes the README's screenshots.
 *
 * <p>MA-1002 (250 kW) closes every month from February to August 2026 exactly on the boundary
 * (sample-feeds/production/console-2026.csv): March … August are ACTUAL (the register differences:
 * 23,000, 26,500, 28,500, 30,000, 32,500, 29,500 kWh); September and October, whose windows have ended
 * with no reading, are PROJECTED.
 */
class ProductionConsoleIT extends IngestItSupport {
    Browser browser;

    @BeforeEach
    void start() throws Exception {
        loadSampleRegistry();
        browser = new Browser("https://localhost:" + port);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void opsSeeASystemsProductionAdjustAMonthListMissingReportsAndExportTheQuarter() throws Exception {
        dsl.update(PTS_SYSTEM).set(PTS_SYSTEM.GIS_UNIT_ID, "NON12345").where(PTS_SYSTEM.SYSTEM_ID.eq("MA-1002")).execute();
        assertThat(ingest("sunwatch", "production/console-2026.csv").get("status").asText()).isEqualTo("ACCEPTED");
        await("the ledger has MA-1002's months").atMost(Duration.ofSeconds(30)).until(() ->
                dsl.fetchCount(PRODUCTION_MONTH, PRODUCTION_MONTH.SYSTEM_ID.eq("MA-1002"),
                        PRODUCTION_MONTH.MONTH.eq(LocalDate.of(2026, 10, 1))) == 1);
        opsUser("alice", "alice-long-password");
        browser.logIn("alice", "alice-long-password");

        // the system page links to its production: the chart, its legend, the months
        browser.open("/ops/systems/MA-1002");
        browser.clickAndWait(browser.find("#production-link"));
        assertThat(browser.all("#chart rect.ACTUAL")).hasSize(6);
        assertThat(browser.all("#chart rect.PROJECTED")).hasSize(2);
        assertThat(browser.find("#legend").getText()).contains("ACTUAL", "PROJECTED");
        assertThat(browser.find("#month-2026-03").getText()).contains("ACTUAL", "23000.000", "123000.000");
        assertThat(browser.find("#month-2026-07").getText()).contains("ACTUAL", "32500.000", "240500.000");
        // r = 170,000 kWh / (250 kW × (94+104+118+119+129+118) kWh/kW = 170,500) = 0.9970674…;
        // September 250 × 101 × r = 25,175.953, October 250 × 79 × r = 19,692.082
        assertThat(browser.find("#month-2026-09").getText()).contains("PROJECTED", "25175.953");
        assertThat(browser.find("#month-2026-10").getText()).contains("PROJECTED", "19692.082");
        browser.screenshot("production");

        // ops set August after a site audit: ADJUSTED, a second revision, the reason kept
        browser.find("#adjust-month").clear();
        browser.find("#adjust-month").sendKeys("2026-08");
        browser.find("#adjust-kwh").sendKeys("29000");
        browser.find("#adjust-reason").sendKeys("site audit 4711: meter read 500 kWh high");
        browser.clickAndWait(browser.find("#adjust"));
        assertThat(browser.find("#notice").getText()).contains("2026-08", "ADJUSTED");
        await("the adjustment in the ledger").atMost(Duration.ofSeconds(30)).until(() -> {
            browser.open("/ops/systems/MA-1002/production");
            return browser.find("#month-2026-08").getText().contains("ADJUSTED");
        });
        assertThat(browser.find("#month-2026-08").getText()).contains("29000.000", "site audit 4711");
        assertThat(browser.all("#chart rect.ADJUSTED")).hasSize(1);
        browser.clickAndWait(browser.find("#month-2026-08").findElement(By.tagName("a")));
        assertThat(browser.all("#revisions tr")).as("header, ACTUAL, ADJUSTED").hasSize(3);
        assertThat(browser.find("#revisions").getText()).contains("ACTUAL", "29500.000", "ADJUSTED", "29000.000");
        browser.screenshot("production-month");

        // missing reports: the current window and the one before, grouped by provider, with a CSV
        ReportingWindow windows = new ReportingWindow(properties.rules().zone(), properties.production().windowDays());
        Instant now = Instant.now();
        YearMonth current = windows.windowAt(now) != null ? windows.windowAt(now) : windows.nextWindow(now).minusMonths(1);
        browser.open("/ops/missing");
        assertThat(browser.all("#window-" + current + ", #window-" + current.minusMonths(1))).hasSize(2);
        assertThat(browser.find("#window-" + current).getText()).contains("sunwatch", "MA-1002");
        browser.screenshot("missing-reports");
        HttpResponse<String> csv = send(HttpRequest.newBuilder(url("/api/v1/reporting-windows/" + current + "/missing"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("ops:" + properties.ops().password()).getBytes())).header("Accept", "text/csv").GET().build());
        assertThat(csv.body()).contains("MA-1002,sunwatch");

        // the quarter's export: July and August as ACTUAL/ADJUSTED, September projected; finalize, then an
        // adjustment of an exported month is listed as a restated total
        browser.open("/ops/exports/gis?quarter=2026Q3");
        assertThat(browser.find("#lines").getText()).contains("NON12345", "2026-07", "32.500", "2026-08", "29.000",
                "2026-09");
        browser.find("#finalize-reason").sendKeys("uploaded to GIS, ticket 815");
        browser.clickAndWait(browser.find("#finalize"));
        assertThat(browser.find("#notice").getText()).contains("2026Q3");
        long exportId = dsl.fetchValue(org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT.EXPORT_ID);
        assertThat(browser.find("#exports").getText()).contains("Recorded as exported: export " + exportId + " by alice");
        // the same form sent again (a double click: it carries the page's "none yet") records nothing
        java.net.http.HttpClient console = opsConsole();
        HttpResponse<String> again = console.send(HttpRequest.newBuilder(url("/ops/exports/gis/2026Q3/finalize"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("reason=uploaded+to+GIS%2C+ticket+815&seen=0&_csrf="
                        + java.net.URLEncoder.encode(csrfToken(console, "/ops"), java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(302);
        String page = console.send(HttpRequest.newBuilder(url("/ops/exports/gis?quarter=2026Q3")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("2026Q3 was recorded as exported meanwhile (export " + exportId + " by alice at ");
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT)).isEqualTo(1);
        browser.open("/ops/systems/MA-1002/production");
        browser.find("#unadjust-month").sendKeys("2026-08");
        browser.find("#unadjust-reason").sendKeys("audit withdrawn");
        browser.clickAndWait(browser.find("#unadjust"));
        await("the restated August listed").atMost(Duration.ofSeconds(30)).until(() -> {
            browser.open("/ops/exports/gis?quarter=2026Q3");
            return browser.find("#adjustments").getText().contains("PENDING");
        });
        assertThat(browser.find("#adjustments").getText()).contains("2026-08", "29.000", "29.500");
        browser.screenshot("gis-export");
    }

    void opsUser(String name, String password) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/ops-users/" + name).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        java.util.Map.of("password", password, "role", "OPS")))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
