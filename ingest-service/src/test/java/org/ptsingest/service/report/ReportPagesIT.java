package org.ptsingest.service.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.MANUAL_REPORT;
import static org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.console.Browser;
import org.ptsingest.service.notify.CorrectionDecisions;
import org.ptsingest.service.persistence.jooq.tables.records.NotificationRecord;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An owner reports on the /report pages in headless Chromium, on a fixed clock (programme zone
 * America/New_York, 5-day windows): the window of November 2026 is 26 November 00:00 to 6 December 00:00
 * local, and "now" is 1 December 2026, 10:00 local (15:00 UTC). The owner {@code owner-2001} reports
 * MA-2001 (7.5 kW), MA-2002 (9.8 kW) and MA-2003 (9.6 kW when designated, 12.6 kW since
 * {@code systems-expanded.csv}); fixtures in sample-feeds/registry/self-reporting. Writes the README's
 * screenshots.
 */
class ReportPagesIT extends IngestItSupport {
    static final Path FIXTURES = SAMPLES.resolve("registry/self-reporting");
    static final String OWNER = "owner-2001";
    static final String PASSWORD = "sunny-meadow-2001";
    /** 1 December 2026, 10:00 in New York: in November's window. */
    static final Instant IN_NOVEMBER_WINDOW = Instant.parse("2026-12-01T15:00:00Z");

    @Autowired
    SelfReporters reporters;
    @Autowired
    CorrectionDecisions corrections;
    @Autowired
    org.ptsingest.service.report.ManualReadings manualReadings;

    Browser browser;

    @BeforeEach
    void owner() throws Exception {
        loadSampleRegistry();
        for (String table : new String[] {"self-reporters", "systems", "designations"}) {
            JsonNode result = importRegistry(table, FIXTURES.resolve(table + ".csv"));
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        }
        reporters.setPassword(reporters.newLink(OWNER, SelfReporters.Purpose.INVITATION).token(), PASSWORD, PASSWORD);
        clock.set(IN_NOVEMBER_WINDOW);
        browser = new Browser("https://localhost:" + port);
        browser.logIn("/report/login", OWNER, PASSWORD);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    /** Steps 1–5 for MA-2001, then the month is immutable: no form, and a form posted by hand stores nothing. */
    @Test
    void anOwnerReportsAMonthEndToEndAndItIsThenImmutable() throws Exception {
        // 1: home, "Enter production data"
        assertThat(browser.find("#window-open").getText()).contains("November 2026", "26 November 2026",
                "5 December 2026");
        browser.screenshot("report-home");
        browser.clickAndWait(browser.find("#enter"));

        // 2: the systems, each to report; MA-2003 above the threshold with the explanation, no link
        assertThat(row("MA-2001").getText()).contains("to report");
        assertThat(row("MA-2002").getText()).contains("to report");
        browser.screenshot("report-systems");

        // 3: the reading and when it was taken; the last three periods are shown (none yet)
        browser.clickAndWait(row("MA-2001").findElement(By.linkText("Enter reading")));
        assertThat(browser.all("#history tbody tr")).hasSize(3);
        assertThat(browser.find("#history").getText()).contains("October 2026", "September 2026", "August 2026");
        browser.find("#kwh").sendKeys("10452.5");
        setValue("#read_at", "2026-12-01T09:30");
        browser.screenshot("report-reading");
        browser.clickAndWait(browser.find("#next"));

        // stored at once, through the ingest route, channel MANUAL
        assertThat(browser.find("#notice").getText()).isEqualTo("Your reading is stored.");
        var reading = dsl.selectFrom(READING).where(READING.SYSTEM_ID.eq("MA-2001")).fetchSingle();
        assertThat(reading.getRegisterKwh()).isEqualByComparingTo("10452.5");
        assertThat(reading.getReadAt().toInstant()).isEqualTo(Instant.parse("2026-12-01T14:30:00Z"));
        assertThat(reading.getMeterSerial()).isEqualTo("SN-2001-A");
        var feed = dsl.selectFrom(FEED).where(FEED.FEED_ID.eq(reading.getFeedId())).fetchSingle();
        assertThat(feed.getChannel()).isEqualTo("MANUAL");
        assertThat(feed.getProviderId()).isEqualTo(OWNER);
        assertThat(feed.getStatus()).isEqualTo("ACCEPTED");

        // 4: operational experience; 5: Save completes the month, with the summary and the receipt
        browser.find("#maintenance").sendKeys("120");
        browser.find("#outage_days").sendKeys("2");
        browser.find("#outage_notes").sendKeys("inverter restarted after a storm");
        browser.screenshot("report-experience");
        browser.clickAndWait(browser.find("#save"));
        assertThat(browser.find("#complete").getText()).contains("complete");
        assertThat(browser.find("#summary").getText()).contains("10452.5 kWh", "1 December 2026, 09:30", "SN-2001-A",
                "$120", "inverter restarted after a storm", "Feed " + feed.getFeedId());
        browser.screenshot("report-summary");
        var report = dsl.selectFrom(MANUAL_REPORT).where(MANUAL_REPORT.SYSTEM_ID.eq("MA-2001")).fetchSingle();
        assertThat(report.getMonth()).isEqualTo(LocalDate.of(2026, 11, 1));
        assertThat(report.getMaintenanceUsd()).isEqualByComparingTo("120");
        assertThat(report.getOutageDays()).isEqualTo(2);
        assertThat(report.getCompletedAt()).isNotNull();
        String receipt = (String) browser.driver.executeScript(
                "var r = new XMLHttpRequest(); r.open('GET', arguments[0], false); r.send(); return r.responseText;",
                browser.find("#receipt").getAttribute("href"));
        assertThat(JSON.readTree(receipt).get("feed_id").asLong()).isEqualTo(feed.getFeedId());

        // immutable: the system is reported, its page offers no form, and a form posted by hand stores nothing
        browser.open("/report/systems");
        assertThat(row("MA-2001").getText()).contains("reported this window");
        browser.open("/report/system?id=MA-2001");
        assertThat(browser.find("#reported").getText()).contains("10452.5 kWh", "can no longer be changed");
        assertThat(browser.all("#entry")).isEmpty();
        postByHand("/report/system/reading", "MA-2001", 2, "10460", "2026-12-01T09:45");
        assertThat(browser.find("[data-field=system]").getText()).contains("already stored");
        assertThat(dsl.fetchCount(READING, READING.SYSTEM_ID.eq("MA-2001"))).isEqualTo(1);

        // a correction goes to ops as a request; the stored reading stands
        browser.open("/report/system/summary?id=MA-2001&month=2026-11");
        browser.find("#correction-kwh").sendKeys("10425.5");
        browser.find("#correction-note").sendKeys("I swapped two digits");
        browser.clickAndWait(browser.find("#request-correction"));
        assertThat(browser.find("#correction-sent").getText()).contains("10425.5");
        assertThat(dsl.fetchOne(READING, READING.SYSTEM_ID.eq("MA-2001")).getRegisterKwh()).isEqualByComparingTo("10452.5");

        // ops, in the same browser, see the month with its experience and the correction request, and the
        // feed in the feed list as channel MANUAL; the owner stays logged in beside them
        browser.logIn("/ops/login", "ops", properties.ops().password());
        browser.open("/ops/manual-reports?month=2026-11");
        assertThat(row("MA-2001").getText()).contains(OWNER, "10452.5", "120", "2 d inverter restarted",
                "10425.5 kWh: I swapped two digits");
        browser.screenshot("ops-manual-reports");
        browser.open("/ops/feeds?channel=MANUAL");
        assertThat(browser.find("main").getText()).contains("manual-reading.csv", OWNER);
        browser.open("/report/systems");
        assertThat(row("MA-2001").getText()).contains("reported this window");

        // ops adjusted the month (elsewhere) and record the decision: kept, audited, told to the owner
        int decisions = dsl.fetchCount(OPS_ACTION, OPS_ACTION.ACTION.eq("DECIDE_CORRECTION"));
        browser.open("/ops/manual-reports?month=2026-11");
        new Select(row("MA-2001").findElement(By.name("decision"))).selectByValue("ADJUSTED");
        row("MA-2001").findElement(By.name("reason")).sendKeys("November set to 310 kWh by an adjustment");
        browser.clickAndWait(row("MA-2001").findElement(By.cssSelector(".decide-correction button")));
        assertThat(browser.find("#notice").getText()).contains("MA-2001 2026-11", "ADJUSTED", "told by e-mail");
        assertThat(row("MA-2001").findElement(By.cssSelector(".decided")).getText())
                .contains("ADJUSTED by ops", "November set to 310 kWh by an adjustment");
        assertThat(row("MA-2001").findElements(By.cssSelector(".decide-correction"))).isEmpty();
        assertThat(dsl.fetchCount(OPS_ACTION, OPS_ACTION.ACTION.eq("DECIDE_CORRECTION"))).isEqualTo(decisions + 1);
        assertThat(dsl.fetchExists(OPS_ACTION, OPS_ACTION.ACTION.eq("DECIDE_CORRECTION"),
                OPS_ACTION.TARGET.eq("MA-2001 2026-11"), OPS_ACTION.USERNAME.eq("ops"),
                OPS_ACTION.RESULT.eq("ADJUSTED (10425.5 kWh requested)"))).isTrue();
        NotificationRecord told = dsl.fetchOne(NOTIFICATION, NOTIFICATION.KIND.eq("CORRECTION_DECIDED"));
        assertThat(told.getRecipientId()).isEqualTo(OWNER);
        assertThat(told.getSubject()).isEqualTo("Your correction request for MA-2001, November 2026: adjusted");
        assertThat(told.getBody()).contains("10425.5 kWh", "November set to 310 kWh by an adjustment",
                "/report/system/summary?id=MA-2001&month=2026-11");
        // the owner sees it on the month's summary
        browser.open("/report/system/summary?id=MA-2001&month=2026-11");
        assertThat(browser.find("#correction-decided").getText()).contains("10425.5", "adjusted",
                "1 December 2026", "November set to 310 kWh by an adjustment");
        assertThat(browser.all("#correction-sent")).isEmpty();
        // the decision was of the request ops saw, once; a new request is pending again
        Instant decidedRequest = dsl.fetchOne(MANUAL_REPORT, MANUAL_REPORT.SYSTEM_ID.eq("MA-2001"))
                .getCorrectionAt().toInstant();
        assertThatThrownBy(() -> corrections.decide("MA-2001", YearMonth.of(2026, 11), decidedRequest,
                CorrectionDecisions.Decision.DECLINED, "twice", "ops"))
                .isInstanceOf(CorrectionDecisions.Refused.class).hasMessageContaining("decided already (ADJUSTED by ops)");
        clock.set(IN_NOVEMBER_WINDOW.plusSeconds(60));
        browser.find("#correction-kwh").sendKeys("10426");
        browser.find("#correction-note").sendKeys("one more digit");
        browser.clickAndWait(browser.find("#request-correction"));
        assertThat(browser.find("#correction-sent").getText()).contains("10426");
        assertThat(browser.all("#correction-decided")).isEmpty();
        assertThatThrownBy(() -> corrections.decide("MA-2001", YearMonth.of(2026, 11), decidedRequest,
                CorrectionDecisions.Decision.DECLINED, "seen the old one", "ops"))
                .isInstanceOf(CorrectionDecisions.Refused.class).hasMessageContaining("sent another correction");
        assertThatThrownBy(() -> corrections.decide("MA-2001", YearMonth.of(2026, 11),
                IN_NOVEMBER_WINDOW.plusSeconds(60), CorrectionDecisions.Decision.DECLINED, " ", "ops"))
                .isInstanceOf(CorrectionDecisions.Refused.class).hasMessageContaining("a reason is required");
        assertThatThrownBy(() -> corrections.decide("MA-2001", YearMonth.of(2026, 11),
                IN_NOVEMBER_WINDOW.plusSeconds(60), CorrectionDecisions.Decision.DECLINED, "x".repeat(2001), "ops"))
                .isInstanceOf(CorrectionDecisions.Refused.class).hasMessageContaining("at most 2000 characters");
        assertThat(dsl.fetchOne(MANUAL_REPORT, MANUAL_REPORT.SYSTEM_ID.eq("MA-2001")).getCorrectionDecision()).isNull();
    }

    /** A double click on Next, Back and Next again, a reload, a double click on Save: one reading, one delivery. */
    @Test
    void backReloadAndDoubleClicksStoreOnce() throws Exception {
        browser.open("/report/system?id=MA-2002");
        browser.find("#kwh").sendKeys("2210");
        setValue("#read_at", "2026-11-30T17:05");
        // two submits of the same form, the second while the first is in flight
        browser.driver.executeScript("var f = document.getElementById('entry'); f.requestSubmit(); f.requestSubmit();");
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60))
                .until(d -> d.getCurrentUrl().contains("/experience"));
        assertThat(browser.find("#experience")).isNotNull();

        // Back to the form and Next again: the same form, the same delivery
        browser.driver.navigate().back();
        if (!browser.all("#entry").isEmpty()) {
            browser.clickAndWait(browser.find("#next"));
        }
        assertThat(browser.driver.getCurrentUrl()).doesNotContain("error");
        // reload the page the POST redirected to
        browser.driver.navigate().refresh();
        assertThat(browser.all("#experience, #reported")).isNotEmpty();
        assertThat(dsl.fetchCount(READING, READING.SYSTEM_ID.eq("MA-2002"))).isEqualTo(1);
        assertThat(dsl.fetchCount(DELIVERY, DELIVERY.CHANNEL.eq("MANUAL"))).isEqualTo(1);
        // the same form (attempt 1) resent with other values, for certain (a browser may cancel the double
        // submit above before it leaves): answered with what the first became, nothing new stored
        postByHand("/report/system/reading", "MA-2002", 1, "2300", "2026-11-30T18:00");
        assertThat(browser.driver.getCurrentUrl()).contains("/experience");
        assertThat(dsl.fetchOne(READING, READING.SYSTEM_ID.eq("MA-2002")).getRegisterKwh()).isEqualByComparingTo("2210");
        assertThat(dsl.fetchCount(DELIVERY, DELIVERY.CHANNEL.eq("MANUAL"))).isEqualTo(1);

        // Save twice: completed once, the summary shown
        browser.open("/report/system/experience?id=MA-2002");
        browser.find("#repair").sendKeys("80");
        browser.driver.executeScript("var f = document.getElementById('experience'); f.requestSubmit(); f.requestSubmit();");
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60))
                .until(d -> d.getCurrentUrl().contains("/summary"));
        assertThat(browser.find("#complete")).isNotNull();
        browser.driver.navigate().refresh();
        assertThat(browser.find("#summary").getText()).contains("2210 kWh", "$80");
        assertThat(dsl.fetchCount(READING, READING.SYSTEM_ID.eq("MA-2002"))).isEqualTo(1);
        assertThat(dsl.fetchCount(MANUAL_REPORT, MANUAL_REPORT.SYSTEM_ID.eq("MA-2002"))).isEqualTo(1);
    }

    /** Between windows the pages say when the next opens and offer nothing; a form posted by hand stores nothing. */
    @Test
    void outsideTheWindowNothingCanBeEntered() throws Exception {
        clock.set(Instant.parse("2026-12-10T15:00:00Z")); // November's window closed on 6 December
        browser.open("/report");
        assertThat(browser.find("#window-closed").getText()).contains("December 2026", "27 December 2026, 00:00");
        browser.open("/report/systems");
        assertThat(browser.find("#window-closed").getText()).contains("nothing to enter");
        assertThat(browser.all("#systems, #entry")).isEmpty();
        browser.screenshot("report-closed");
        browser.open("/report/system?id=MA-2001");
        assertThat(browser.driver.getCurrentUrl()).endsWith("/report/systems");

        postByHand("/report/system/reading", "MA-2001", 1, "10452.5", "2026-12-05T09:30");
        assertThat(browser.find("#window-closed")).isNotNull();
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(dsl.fetchCount(DELIVERY)).isZero();
    }

    /** MA-2003 grew above 10 kW after it was designated: listed with the explanation, and a reading posted by hand is DAS_MANDATE. */
    @Test
    void aSystemAboveTheThresholdIsExplainedAndRefusedDasMandate() throws Exception {
        assertThat(importRegistry("systems", FIXTURES.resolve("systems-expanded.csv")).get("status").asText())
                .isEqualTo("ACCEPTED");
        browser.open("/report/systems");
        assertThat(row("MA-2003").getText()).contains("reports through a DAS provider",
                "must be reported through an approved Data Acquisition System");
        assertThat(row("MA-2003").findElements(By.linkText("Enter reading"))).isEmpty();
        browser.open("/report/system?id=MA-2003");
        assertThat(browser.find("#das-mandate").getText()).contains("12.6 kW DC", "10 kW DC");
        assertThat(browser.all("#entry")).isEmpty();
        browser.screenshot("report-das-mandate");

        postByHand("/report/system/reading", "MA-2003", 1, "5120", "2026-12-01T08:00");
        assertThat(browser.find("#rejected").getText()).contains("larger than the limit for self-reporting");
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(dsl.select(READING_OUTCOME.CODE).from(READING_OUTCOME).fetchSingle().value1()).isEqualTo("DAS_MANDATE");
    }

    /**
     * October's reading (1,000 kWh on 1 November 08:00) is stored; in November's window 900 kWh is below
     * it: REGISTER_DECREASED, explained, nothing stored, and the form is there again; 1,400 kWh is then
     * accepted (400 kWh in 30 days on 7.5 kW is well under the capacity ceiling).
     */
    @Test
    void aRejectedReadingIsExplainedAndCanBeEnteredAgain() throws Exception {
        clock.set(Instant.parse("2026-11-02T15:00:00Z")); // October's window: 27 October to 6 November
        enter("MA-2001", "1000", "2026-11-01T08:00");
        assertThat(browser.find("#notice").getText()).isEqualTo("Your reading is stored.");

        clock.set(IN_NOVEMBER_WINDOW);
        enter("MA-2001", "900", "2026-12-01T08:00");
        assertThat(browser.find("#rejected").getText()).contains("lower than a reading already on record",
                "900", "1000");
        assertThat(browser.find("#history").getText()).contains("October 2026", "1000");
        browser.screenshot("report-rejected");
        assertThat(dsl.fetchCount(READING)).isEqualTo(1);
        assertThat(browser.find("#entry")).isNotNull();

        browser.find("#kwh").sendKeys("1400");
        setValue("#read_at", "2026-12-01T08:00");
        browser.clickAndWait(browser.find("#next"));
        assertThat(browser.find("#notice").getText()).isEqualTo("Your reading is stored.");
        assertThat(dsl.select(READING.REGISTER_KWH).from(READING).where(READING.SYSTEM_ID.eq("MA-2001"))
                .orderBy(READING.READ_AT).fetch(READING.REGISTER_KWH))
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("1000"), new BigDecimal("1400"));
    }

    /**
     * A reading stored but flagged for review (3,000 kWh in a month on 7.5 kW, a capacity factor of 0.56: possible,
     * above the 35 % ceiling; a digit mistyped), then rejected
     * by ops, is deleted from the readings. The owner's pages read the month's stored reading and failed on its
     * absence (500 on the system, summary and experience pages), and the month stayed "reported" for ever. Now
     * they say what ops decided, and the owner enters the reading again in the same window.
     */
    @Test
    void aFlaggedReadingOpsRejectIsExplainedAndTheMonthTakesAnother() throws Exception {
        clock.set(Instant.parse("2026-11-02T15:00:00Z")); // October's window
        enter("MA-2001", "1000", "2026-11-01T08:00");
        clock.set(IN_NOVEMBER_WINDOW);
        enter("MA-2001", "4000", "2026-12-01T08:00");
        assertThat(browser.find("#notice").getText()).contains("programme staff will look at it");
        long flaggedFeed = dsl.fetchOne(READING, READING.SYSTEM_ID.eq("MA-2001"), READING.REGISTER_KWH.eq(
                new BigDecimal("4000.000"))).getFeedId();

        HttpResponse<String> reject = send(asOps("/api/v1/flagged-readings/decision")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        java.util.Map.of("system_id", "MA-2001", "meter_serial", "SN-2001-A", "read_at",
                                "2026-12-01T13:00:00Z", "decision", "REJECTED", "reason", "a digit mistyped")))).build());
        assertThat(reject.statusCode()).as(reject.body()).isEqualTo(200);

        // the summary says what ops decided, and offers no correction of a reading that is not there
        browser.open("/report/system/summary?id=MA-2001&month=2026-11");
        assertThat(browser.find("#summary").getText()).contains("4000 kWh", "Rejected by programme staff",
                "a digit mistyped");
        assertThat(browser.all("#correction")).isEmpty();
        assertThat(manualReadings.requestCorrection(OWNER, YearMonth.of(2026, 11), "MA-2001", new BigDecimal("3000"),
                "posted anyway")).as("no correction of a rejected reading").isFalse();
        // the experience step is not offered for a month without a reading: back to the reading
        browser.open("/report/system/experience?id=MA-2001");
        assertThat(browser.driver.getCurrentUrl()).endsWith("/report/system?id=MA-2001");
        assertThat(browser.find("#ops-rejected").getText()).contains("4000 kWh", "1 December 2026, 08:00",
                "a digit mistyped", "Enter the reading again");
        browser.open("/report/systems");
        assertThat(row("MA-2001").getText()).contains("to report");

        // entered again, at the same time: stored, and the month's report is now this reading's
        enter("MA-2001", "1600", "2026-12-01T08:00");
        assertThat(browser.find("#notice").getText()).isEqualTo("Your reading is stored.");
        var reading = dsl.fetchOne(READING, READING.SYSTEM_ID.eq("MA-2001"),
                READING.READ_AT.eq(java.time.OffsetDateTime.parse("2026-12-01T13:00:00Z")));
        assertThat(reading.getRegisterKwh()).isEqualByComparingTo("1600");
        var report = dsl.selectFrom(MANUAL_REPORT).where(MANUAL_REPORT.SYSTEM_ID.eq("MA-2001"),
                MANUAL_REPORT.MONTH.eq(LocalDate.of(2026, 11, 1))).fetchSingle();
        assertThat(report.getFeedId()).isEqualTo(reading.getFeedId()).isNotEqualTo(flaggedFeed);
        browser.clickAndWait(browser.find("#save"));
        assertThat(browser.find("#summary").getText()).contains("1600 kWh").doesNotContain("Rejected");
        assertThat(browser.all("#correction")).hasSize(1);
    }

    void enter(String system, String kwh, String readAt) {
        browser.open("/report/system?id=" + system);
        browser.find("#kwh").sendKeys(kwh);
        setValue("#read_at", readAt);
        browser.clickAndWait(browser.find("#next"));
    }

    WebElement row(String systemId) {
        return browser.find("tr[data-system='" + systemId + "']");
    }

    /** A datetime-local field: typed keys depend on the browser's locale; the value is what the form sends. */
    void setValue(String css, String value) {
        browser.driver.executeScript("arguments[0].value = arguments[1];", browser.find(css), value);
    }

    /** A form the page does not offer, posted as a browser would (with the session's CSRF token from the logout form). */
    void postByHand(String action, String systemId, int attempt, String kwh, String readAt) {
        WebElement page = browser.find("html");
        browser.driver.executeScript("""
                var csrf = document.querySelector('header form input[name=_csrf]').value;
                var f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
                var add = function (n, v) { var i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); };
                add('_csrf', csrf); add('id', arguments[1]); add('attempt', arguments[2]); add('kwh', arguments[3]);
                add('read_at', arguments[4]);
                document.body.appendChild(f); f.submit();""", action, systemId, String.valueOf(attempt), kwh, readAt);
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60)).until(d -> {
            try {
                page.isEnabled();
                return false;
            } catch (org.openqa.selenium.WebDriverException e) {
                return true;
            }
        });
    }
}
