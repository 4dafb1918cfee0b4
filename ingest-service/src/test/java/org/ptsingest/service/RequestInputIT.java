package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_ADJUSTMENT;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What the API answers to request input that is not a feed's: query parameters and JSON bodies. A NUL
 * ({@code %00} in a URL, an escaped NUL in JSON text) cannot be stored in PostgreSQL text; before, a filter, an AS2
 * message id or a reason holding one failed as a 500 inside a query. An unknown filter value listed nothing, as if there were no
 * such feeds. Each is now a 400 problem document saying what was wrong, and nothing is written.
 */
@ExtendWith(OutputCaptureExtension.class)
class RequestInputIT extends IngestItSupport {

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    @Test
    void aNulInAQueryParameterIsRefusedNamingTheParameter(CapturedOutput log) throws Exception {
        for (String path : new String[] {"/api/v1/feeds?provider=%00", "/api/v1/feeds?provider=sun%00watch",
                "/api/v1/as2/receipt?message_id=%00"}) {
            HttpResponse<String> r = send(asOps(path).GET().build());
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            String parameter = path.substring(path.indexOf('?') + 1, path.indexOf('='));
            assertThat(JSON.readTree(r.body()).get("detail").asText()).as(path)
                    .contains("\"" + parameter).contains("\\u0000");
        }
        // and logged, once per refusal, escaped
        assertThat(log.getOut()).contains("request refused by the firewall: GET /api/v1/as2/receipt from 127.0.0.1: ")
                .contains("\\u0000");
        // the same parameters without the NUL are answered
        assertThat(send(asOps("/api/v1/feeds?provider=sunwatch").GET().build()).statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownFilterValueIsRefusedWithTheValuesItMayTake() throws Exception {
        assertThat(problem("/api/v1/feeds?status=REJECT"))
                .isEqualTo("status: 'REJECT' is not one of ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, DUPLICATE_FEED");
        assertThat(problem("/api/v1/feeds?channel=ftp")).isEqualTo("channel: 'ftp' is not one of SFTP, HTTPS, AS2, MANUAL");
        assertThat(problem("/api/v1/deliveries?state=failed"))
                .isEqualTo("state: 'failed' is not one of RECEIVED, JUDGED, FAILED, QUARANTINED, DISCARDED");
        assertThat(problem("/api/v1/feeds?limit=ten"))
                .isEqualTo("limit: 'ten' is not a whole number from -2147483648 to 2147483647");
        assertThat(problem("/api/v1/feeds?before=99999999999999999999")).isEqualTo("before: '99999999999999999999'"
                + " is not a whole number from -9223372036854775808 to 9223372036854775807");

        // a known value still filters: the rejected feed is listed under REJECTED and not under ACCEPTED
        long rejected = ingest("sunwatch", "csv-v1/malformed/unterminated-quote.csv").get("feed_id").asLong();
        JsonNode listed = JSON.readTree(send(asOps("/api/v1/feeds?status=REJECTED&channel=SFTP").GET().build()).body());
        assertThat(listed.get("feeds")).hasSize(1);
        assertThat(listed.get("feeds").get(0).get("feed_id").asLong()).isEqualTo(rejected);
        assertThat(JSON.readTree(send(asOps("/api/v1/feeds?status=ACCEPTED").GET().build()).body()).get("feeds"))
                .isEmpty();
    }

    @Test
    void aNulInTheTextOfAJsonBodyIsRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        int actions = dsl.fetchCount(OPS_ACTION);

        HttpResponse<String> adjust = send(asOps("/api/v1/systems/MA-1001/production/2025-01/adjustment")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"kwh\": \"10\", \"reason\": \"meter \\u0000 swapped\"}"))
                .build());
        assertThat(adjust.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(adjust.body()).get("detail").asText())
                .isEqualTo("reason: text holds a NUL character (\\u0000), which is not allowed");

        HttpResponse<String> finalize = send(asOps("/api/v1/exports/gis/2025Q1/finalize")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"\\u0000\"}")).build());
        assertThat(finalize.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(finalize.body()).get("detail").asText()).startsWith("reason: text holds a NUL");

        assertThat(dsl.fetchCount(PRODUCTION_ADJUSTMENT)).isZero();
        assertThat(dsl.fetchCount(GIS_EXPORT)).isZero();
        assertThat(dsl.fetchCount(OPS_ACTION)).isEqualTo(actions);
        // a body that is not JSON at all keeps Spring's answer
        HttpResponse<String> broken = send(asOps("/api/v1/exports/gis/2025Q1/finalize")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": ")).build());
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).get("detail").asText()).isEqualTo("Failed to read request");
        // and no body at all is said as such
        HttpResponse<String> none = send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(none.body()).get("detail").asText()).isEqualTo("the request has no body, and needs one");
    }

    @Test
    void aMonthOrDayBeyondTheYearsPostgresqlHoldsIsRefusedAndNothingIsWritten() throws Exception {
        // Java's calendar reads these; PostgreSQL's timestamps do not reach them (they were 500s)
        for (String month : new String[] {"+999999999-12", "-999999999-01", "+10000-01"}) {
            assertThat(send(asOps("/api/v1/systems/MA-1001/production/" + month + "/revisions").GET().build())
                    .statusCode()).as(month).isEqualTo(400);
            HttpResponse<String> adjust = send(asOps("/api/v1/systems/MA-1001/production/" + month + "/adjustment")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"kwh\": \"10\", \"reason\": \"typo\"}")).build());
            assertThat(adjust.statusCode()).as(month).isEqualTo(400);
            assertThat(JSON.readTree(adjust.body()).get("detail").asText()).isEqualTo("a month is YYYY-MM: " + month);
        }
        assertThat(dsl.fetchCount(PRODUCTION_ADJUSTMENT)).isZero();

        // the console: the same refusals, for a logged-in ops user
        HttpClient console = opsConsole();
        Map<String, Integer> answers = new LinkedHashMap<>();
        for (String path : new String[] {"/ops/feeds?from=-999999999-01-01", "/ops/feeds?to=%2B999999999-12-31",
                "/ops/feeds?status=REJECT", "/ops/systems?q=%00", "/ops/feeds?provider=sunwatch",
                "/ops/systems/MA-1001/production/%2B999999999-12", "/ops/manual-reports?month=-999999999-01"}) {
            answers.put(path, console.send(HttpRequest.newBuilder(url(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThat(answers).containsExactly(Map.entry("/ops/feeds?from=-999999999-01-01", 400),
                Map.entry("/ops/feeds?to=%2B999999999-12-31", 400), Map.entry("/ops/feeds?status=REJECT", 400),
                Map.entry("/ops/systems?q=%00", 400), Map.entry("/ops/feeds?provider=sunwatch", 200),
                // a month the console cannot show is a page that does not exist, as before for "2025-13"
                Map.entry("/ops/systems/MA-1001/production/%2B999999999-12", 404),
                // the manual reports page falls back to the current window, as for any month it cannot read
                Map.entry("/ops/manual-reports?month=-999999999-01", 200));
    }

    /**
     * An Accept header no parser takes (a quality of NaN or above 1, no media type at all) was a 500 — for a feed
     * post after the feed had been judged and stored, so the provider saw an error for a feed that was in. Now
     * a 400 that quotes it, before the feed is read.
     */
    @Test
    void anAcceptHeaderThatCannotBeReadIsRefusedBeforeAFeedIsStored() throws Exception {
        String key = issueKey("sunwatch");
        for (String accept : new String[] {"*/*;q=NaN", "application/json;q=2", ",,,;;;", "attachment; filename=x"}) {
            HttpResponse<String> post = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                    .header("Accept", accept)
                    .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv")))
                    .build());
            assertThat(post.statusCode()).as(accept).isEqualTo(400);
            assertThat(post.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(JSON.readTree(post.body()).get("detail").asText()).as(accept)
                    .startsWith("Accept: '" + accept + "' is not a list of media types (");
        }
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.FEED)).isZero();
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.DELIVERY)).isZero();

        HttpResponse<String> missing = send(asOps("/api/v1/reporting-windows/2025-01/missing")
                .header("Accept", "text/csv;q=2").GET().build());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("detail").asText()).isEqualTo("Accept: 'text/csv;q=2' is not a"
                + " list of media types (Invalid quality value \"2\": should be between 0.0 and 1.0)");

        // where Spring negotiates the answer, it refuses such a header itself
        assertThat(send(asOps("/api/v1/feeds").header("Accept", ",,,;;;").GET().build()).statusCode()).isEqualTo(406);

        // a header that can be read still chooses: the same feed posted, its receipt in XML
        HttpResponse<String> xml = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                .header("Accept", "application/xml;q=0.9, application/json;q=0.1")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"))).build());
        assertThat(xml.statusCode()).isEqualTo(201);
        assertThat(xml.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/xml"));
    }

    /** A system id outside Latin-1 made the console's redirect a 302 without a Location (Tomcat dropped it). */
    @Test
    void theConsoleRedirectsToASystemWhateverItsIdHolds() throws Exception {
        HttpClient console = opsConsole();
        String csrf = csrfToken(console, "/ops");
        HttpResponse<String> r = console.send(HttpRequest.newBuilder(url("/ops/systems/%E2%80%AE/production/adjustment"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("month=2025-01&kwh=1&reason=x&_csrf="
                        + java.net.URLEncoder.encode(csrf, java.nio.charset.StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(
                l -> assertThat(l).endsWith("/ops/systems/%E2%80%AE/production"));
        assertThat(dsl.fetchCount(PRODUCTION_ADJUSTMENT)).isZero();
    }

    private String problem(String path) throws Exception {
        HttpResponse<String> r = send(asOps(path).GET().build());
        assertThat(r.statusCode()).as(path).isEqualTo(400);
        return JSON.readTree(r.body()).get("detail").asText();
    }
}
