package org.ptsingest.service.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FLAG_DECISION;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.ptsingest.service.IngestItSupport;

/**
 * The ops console end to end in a real headless Chromium: what ops do every morning, what a viewer
 * may not do, and a feed carrying markup shown as text. Writes the README's screenshots.
 */
class OpsConsoleIT extends IngestItSupport {
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
    void opsFindARejectedFeedFixTheRegistryReprocessDismissAnotherAndDecideAFlaggedReading() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        ingest("sunwatch", "csv-v1/sunwatch/02-every-code.csv");      // HIGH_PRODUCTION on line 13
        ingest("sunwatch", "csv-v1/sunwatch/05-invalid-values.csv");  // rejected: to dismiss
        JsonNode rejected = ingest("sunwatch", "csv-v1/sunwatch/06-unregistered-system.csv");
        assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
        long rejectedId = rejected.get("feed_id").asLong();

        // a named ops user, so the audit trail says who acted
        opsUser("alice", "alice-long-password", "OPS");
        browser.logIn("alice", "alice-long-password");
        assertThat(browser.find("#who").getText()).isEqualTo("alice · OPS");
        assertThat(browser.find("#to-review .value").getText()).isEqualTo("3");
        assertThat(browser.find("#today-by-provider").getText()).contains("sunwatch", "REJECTED");
        browser.screenshot("home");

        // find it: rejected feeds from sunwatch
        browser.clickAndWait(browser.find("#to-review"));
        assertThat(browser.all("#feeds a.feed-link")).as("the count links to the feeds it counts").hasSize(3);
        browser.open("/ops/feeds?provider=sunwatch&status=REJECTED");
        browser.screenshot("feeds");
        WebElement link = browser.all("#feeds a.feed-link").stream()
                .filter(a -> a.getText().equals(Long.toString(rejectedId))).findFirst().orElseThrow();
        browser.clickAndWait(link);

        // the error line, the offending field highlighted
        assertThat(browser.find("#feed-status").getText()).isEqualTo("REJECTED");
        WebElement error = browser.find(".error[data-line='2']");
        assertThat(error.getText()).contains("UNKNOWN_SYSTEM");
        WebElement errorLine = error.findElement(By.cssSelector("pre.raw .error-line"));
        assertThat(errorLine.getText()).contains("MA-1010,SN-1010-A,2025-04-01T00:00:00-04:00,2000");
        assertThat(errorLine.findElement(By.tagName("mark")).getText()).isEqualTo("MA-1010");
        browser.screenshot("feed-rejected");

        // two clicks to "why": the system page says nobody is registered
        browser.clickAndWait(error.findElement(By.linkText("MA-1010")));
        assertThat(browser.find("main").getText()).contains("not in the registry");
        browser.screenshot("system-not-registered");

        // ops fix the registry (API), then reprocess in the console
        importRegistry("systems", SAMPLES.resolve("registry/fix/systems.csv"));
        importRegistry("designations", SAMPLES.resolve("registry/fix/designations.csv"));
        browser.open("/ops/feeds/" + rejectedId);
        browser.find("#reprocess-reason").sendKeys("MA-1010 registered (ticket 4711)");
        browser.clickAndWait(browser.find("#reprocess"));
        // The reprocess is a delivery the worker judges: the page says so, then lists it with its new feed.
        assertThat(browser.find("#notice").getText()).startsWith("Reprocess requested (delivery");
        long newId = await("reprocessed").atMost(java.time.Duration.ofSeconds(30)).until(() -> dsl.select(FEED.FEED_ID)
                .from(FEED).where(FEED.REPROCESS_OF.eq(rejectedId)).fetchOne(FEED.FEED_ID), java.util.Objects::nonNull);
        browser.open("/ops/feeds/" + rejectedId);
        assertThat(browser.find("#reprocesses").getText()).contains("JUDGED", "alice", Long.toString(newId));
        browser.open("/ops/feeds/" + newId);
        assertThat(browser.find("#feed-status").getText()).isEqualTo("ACCEPTED");
        assertThat(newId).isNotEqualTo(rejectedId);
        browser.screenshot("feed-reprocessed");

        // the provider finds the new receipt where it found the first one (the worker writes it after the new feed
        // committed)
        Path receiptFile = providerDir("sunwatch").resolve("receipts/06-unregistered-system.csv.receipt.json");
        JsonNode newReceipt = await("the new receipt").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> JSON.readTree(Files.readString(receiptFile, StandardCharsets.UTF_8)),
                        r -> r.get("feed_id").asLong() == newId);
        assertValidReceipt(newReceipt);
        assertThat(newReceipt.get("feed_id").asLong()).isEqualTo(newId);
        assertThat(newReceipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(dsl.fetchOne(FEED, FEED.FEED_ID.eq(rejectedId)).getSupersededBy()).isEqualTo(newId);
        assertThat(dsl.fetchCount(READING, READING.SYSTEM_ID.eq("MA-1010"))).isEqualTo(2);
        browser.open("/ops/feeds/" + rejectedId);
        assertThat(browser.find("#superseded-by").getText()).isEqualTo("feed " + newId);
        assertThat(browser.all("#reprocess")).as("a superseded feed cannot be reprocessed again").isEmpty();
        assertThat(browser.find("#history").getText()).contains("REPROCESS", "alice", "MA-1010 registered (ticket 4711)");

        // dismiss another
        long invalidId = dsl.select(FEED.FEED_ID).from(FEED).where(FEED.FILE_NAME.eq("05-invalid-values.csv"))
                .fetchSingle(FEED.FEED_ID);
        browser.open("/ops/feeds/" + invalidId);
        browser.find("#dismiss-reason").sendKeys("provider resent a corrected file");
        browser.clickAndWait(browser.find("#dismiss"));
        assertThat(browser.find("#notice").getText()).contains("dismissed");
        assertThat(browser.find("#dismissed").getText()).isNotBlank();
        assertThat(dsl.fetchOne(FEED, FEED.FEED_ID.eq(invalidId)).getDismissedAt()).isNotNull();

        // decide the flagged reading: rejected, it leaves the production figures
        browser.open("/ops/review");
        browser.screenshot("review-queue");
        browser.clickAndWait(browser.find("#flags a"));
        WebElement decide = browser.find("#flagged form.decide");
        decide.findElement(By.name("reason")).sendKeys("meter swap week, double counted");
        browser.clickAndWait(decide.findElement(By.cssSelector("button[value='REJECTED']")));
        assertThat(browser.find("#notice").getText()).contains("rejected");
        assertThat(dsl.fetchCount(READING, READING.FLAG.isNotNull())).isZero();
        var decision = dsl.selectFrom(FLAG_DECISION).fetchSingle();
        assertThat(decision.getDecision()).isEqualTo("REJECTED");
        assertThat(decision.getDecidedBy()).isEqualTo("alice");
        assertThat(dsl.fetchCount(OPS_ACTION)).isEqualTo(3);
        assertThat(dsl.fetchCount(OPS_ACTION, OPS_ACTION.USERNAME.eq("alice"))).isEqualTo(3);
        browser.open("/ops");
        assertThat(browser.find("#to-review .value").getText()).as("02 (partial) still waits; 05 dismissed, 06 reprocessed")
                .isEqualTo("1");
        assertThat(browser.find("#to-decide .value").getText()).isEqualTo("0");
    }

    void opsUser(String name, String password, String role) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/ops-users/" + name).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        java.util.Map.of("password", password, "role", role)))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aViewerReadsButCannotActAndProviderCredentialsDoNotOpenTheConsole() throws Exception {
        long feedId = ingest("sunwatch", "csv-v1/sunwatch/05-invalid-values.csv").get("feed_id").asLong();

        browser.open("/ops/login");
        browser.screenshot("login");
        browser.logIn("viewer", "it-viewer");
        browser.open("/ops/feeds/" + feedId);
        assertThat(browser.find("#who").getText()).contains("VIEWER");
        assertThat(browser.all("#reprocess-form")).isEmpty();
        assertThat(browser.all("#dismiss-form")).isEmpty();

        // even a hand-made POST with the viewer's session and a valid CSRF token is refused
        String csrf = browser.find("header.top form input[name='_csrf']").getAttribute("value");
        String session = browser.driver.manage().getCookieNamed("JSESSIONID").getValue();
        HttpResponse<String> post = send(HttpRequest.newBuilder(url("/ops/feeds/" + feedId + "/dismiss"))
                .header("Cookie", "JSESSIONID=" + session).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("reason=x&_csrf=" + csrf)).build());
        assertThat(post.statusCode()).isEqualTo(403);
        // and without the token, ops' own session is refused too (CSRF)
        browser.logOut();
        browser.logIn("ops", "it-secret");
        String opsSession = browser.driver.manage().getCookieNamed("JSESSIONID").getValue();
        HttpResponse<String> forged = send(HttpRequest.newBuilder(url("/ops/feeds/" + feedId + "/dismiss"))
                .header("Cookie", "JSESSIONID=" + opsSession).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("reason=forged")).build());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(dsl.fetchOne(FEED, FEED.FEED_ID.eq(feedId)).getDismissedAt()).isNull();

        // a disabled user cannot log in
        browser.logOut();
        opsUser("bob", "bob-long-password", "VIEWER");
        assertThat(send(asOps("/api/v1/ops-users/bob").DELETE().build()).statusCode()).isEqualTo(204);
        browser.logIn("bob", "bob-long-password");
        assertThat(browser.driver.getCurrentUrl()).endsWith("/ops/login?error");
        HttpResponse<String> weak = send(asOps("/api/v1/ops-users/carol").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"short\",\"role\":\"OPS\"}")).build());
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body()).contains("at least 12 characters");

        // a provider's API key opens no page and reaches no ops action
        String key = issueKey("sunwatch");
        HttpResponse<String> page = send(HttpRequest.newBuilder(url("/ops/feeds/" + feedId))
                .header("Authorization", "Bearer " + key).GET().build());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElse("")).endsWith("/ops/login");
        HttpResponse<String> api = send(HttpRequest.newBuilder(url("/api/v1/feeds/" + feedId + "/dismiss"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"x\"}")).build());
        assertThat(api.statusCode()).isEqualTo(403);
        // the viewer's password does not open the ops API either
        HttpResponse<String> viewerApi = send(HttpRequest.newBuilder(url("/api/v1/feeds/" + feedId + "/dismiss"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "viewer:it-viewer".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"x\"}")).build());
        assertThat(viewerApi.statusCode()).isEqualTo(403);
    }

    @Test
    void aFeedCarryingMarkupIsShownAsText() throws Exception {
        // markup in a file name is refused (FILE_NAME_NOT_ALLOWED, receipt under the safe name) and shown as text
        String name = "x<img src=x onerror=alert(1)>.csv";
        drop("sunwatch", SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"), name);
        long named = awaitReceipt("sunwatch", org.ptsingest.feed.FeedFileName.safe(name)).get("feed_id").asLong();
        drop("sunwatch", SAMPLES.resolve("csv-v1/malicious/script-in-fields.csv"), "script-in-fields.csv");
        long feedId = awaitReceipt("sunwatch", "script-in-fields.csv").get("feed_id").asLong();

        browser.logIn("ops", "it-secret");
        browser.open("/ops/feeds/" + named);
        assertThat(browser.find("#file-name").getText()).isEqualTo(name);
        assertThat(browser.all("main img")).isEmpty();
        browser.open("/ops/feeds/" + feedId);
        WebElement error = browser.find(".error[data-line='2']");
        assertThat(error.getText()).contains("<script>alert('pwned')</script>");
        assertThat(browser.all("main script")).isEmpty();
        assertThat(browser.all("main img")).isEmpty();
        assertThat(browser.driver.getPageSource()).contains("&lt;script&gt;alert('pwned')&lt;/script&gt;");
        browser.screenshot("feed-markup-as-text");
        browser.open("/ops/feeds?provider=sunwatch");
        assertThat(browser.all("main img")).isEmpty();
        assertThat(browser.find("#feeds").getText()).contains(name);
    }

    @Test
    void reprocessAndDecisionsAreOnTheApiToo() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        long partial = ingest("sunwatch", "csv-v1/sunwatch/02-every-code.csv").get("feed_id").asLong();
        var flagged = dsl.selectFrom(READING).where(READING.FLAG.isNotNull()).fetchSingle();

        HttpResponse<String> noReason = send(asOps("/api/v1/feeds/" + partial + "/reprocess")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(noReason.statusCode()).isEqualTo(409);
        HttpResponse<String> approve = send(asOps("/api/v1/flagged-readings/decision").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of(
                        "system_id", flagged.getSystemId(), "meter_serial", flagged.getMeterSerial(),
                        "read_at", flagged.getReadAt().toString(), "decision", "APPROVED", "reason", "checked on site"))))
                .build());
        assertThat(approve.statusCode()).as(approve.body()).isEqualTo(200);
        assertThat(dsl.fetchCount(READING, READING.SYSTEM_ID.eq(flagged.getSystemId()), READING.READ_AT.eq(flagged.getReadAt())))
                .as("an approved reading stays").isEqualTo(1);

        int storedBefore = dsl.fetchCount(READING);
        HttpResponse<String> reprocess = send(asOps("/api/v1/feeds/" + partial + "/reprocess")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"rerun after registry import\"}")).build());
        assertThat(reprocess.statusCode()).as(reprocess.body()).isEqualTo(202);
        String poll = reprocess.headers().firstValue("Location").orElseThrow();
        // the delivery answers 202 while the worker judges it, then the new feed's receipt
        HttpResponse<String> judged = await("reprocessed").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> send(asOps(poll).GET().build()), a -> a.statusCode() != 202);
        long newId = JSON.readTree(judged.body()).get("feed_id").asLong();
        assertThat(newId).isNotEqualTo(partial);
        // the old feed's receipt now answers with the new one; readings already accepted stayed
        HttpResponse<String> oldReceipt = send(asOps("/api/v1/feeds/" + partial + "/receipt").GET().build());
        assertThat(JSON.readTree(oldReceipt.body()).get("feed_id").asLong()).isEqualTo(newId);
        assertThat(oldReceipt.headers().firstValue("X-PTS-Superseded-By")).contains(Long.toString(newId));
        assertThat(dsl.fetchCount(READING)).as("nothing changed in the registry: same readings").isEqualTo(storedBefore);
        HttpResponse<String> again = send(asOps("/api/v1/feeds/" + partial + "/reprocess")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"twice\"}")).build());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("reprocessed as feed " + newId);
    }
}
