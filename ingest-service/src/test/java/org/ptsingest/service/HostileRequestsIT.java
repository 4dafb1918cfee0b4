package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint that is not a feed's content, sent what a careless or hostile client sends: a NUL, 3,000
 * characters, a number past 64 bits, years Java has and PostgreSQL does not, invalid UTF-8, path tricks; JSON bodies
 * that are broken, hold a NUL or a 5,000-digit number. None may answer 5xx: each is a 4xx that says why (the
 * precise answers are asserted in RequestInputIT). A script doing this by hand found 29 such 500s; this keeps a new
 * endpoint or parameter from bringing one back — add it to the lists.
 */
class HostileRequestsIT extends IngestItSupport {
    static final List<String> VALUES = List.of("%00", "a%00b", "x".repeat(3000), "99999999999999999999", "-1", "0",
            "%2B999999999-12", "-999999999-01", "-999999999-01-01", "0000-01", "2025-13", "2025Q9", "999999999Q1",
            "%FF%FE", "%C0%AF", "..", "%2e%2e", "%E2%80%AE", "1e99999", "NaN");

    /** {} is replaced by each value. */
    static final List<String> API_GETS = List.of("/api/v1/feeds/{}", "/api/v1/feeds/{}/receipt", "/api/v1/feeds/{}/raw",
            "/api/v1/deliveries/{}", "/api/v1/systems/{}/production", "/api/v1/systems/MA-1001/production/{}/revisions",
            "/api/v1/exports/gis/{}", "/api/v1/reporting-windows/{}/missing", "/api/v1/feeds?provider={}",
            "/api/v1/feeds?status={}", "/api/v1/feeds?channel={}", "/api/v1/feeds?before={}", "/api/v1/feeds?limit={}",
            "/api/v1/deliveries?state={}", "/api/v1/deliveries?limit={}", "/api/v1/as2/receipt?message_id={}",
            "/api/v1/exports/gis/adjustments?from={}", "/api/v1/exports/gis/adjustments?to={}");

    static final List<String> CONSOLE_GETS = List.of("/ops/feeds/{}", "/ops/feeds/{}/raw", "/ops/feeds/{}/receipt",
            "/ops/providers/{}", "/ops/systems/{}", "/ops/systems/{}/production", "/ops/systems/MA-1001/production/{}",
            "/ops/missing/{}.csv", "/ops/exports/gis/{}.csv", "/ops/notifications/{}", "/ops/feeds?provider={}",
            "/ops/feeds?status={}", "/ops/feeds?channel={}", "/ops/feeds?code={}", "/ops/feeds?from={}",
            "/ops/feeds?to={}", "/ops/feeds?before={}", "/ops/systems?q={}", "/ops/providers?q={}", "/ops/missing?month={}",
            "/ops/manual-reports?month={}", "/ops/exports/gis?quarter={}", "/ops/notifications?state={}");

    static final List<String> JSON_BODIES = List.of("", "{", "[]", "null", "{\"reason\": \"a\\u0000b\"}",
            "{\"reason\": \"x\", \"kwh\": \"" + "9".repeat(5000) + "\"}", "{\"reason\": \"x\", \"kwh\": 1e99999}",
            "{\"reason\": " + "[".repeat(2000) + "}", "{\"password\": \"a\\u0000b\", \"role\": \"OPS\"}",
            "{\"as2_id\": \"a\\u0000b\", \"certificate\": \"x\"}");

    static final List<String[]> JSON_ENDPOINTS = List.<String[]>of(
            new String[] {"PUT", "/api/v1/systems/MA-1001/production/2025-01/adjustment"},
            new String[] {"DELETE", "/api/v1/systems/MA-1001/production/2025-01/adjustment"},
            new String[] {"POST", "/api/v1/exports/gis/2025Q1/finalize"},
            new String[] {"POST", "/api/v1/production/rebuild"},
            new String[] {"POST", "/api/v1/flagged-readings/decision"},
            new String[] {"PUT", "/api/v1/ops-users/hostile"},
            new String[] {"PUT", "/api/v1/providers/sunwatch/as2-partner"});

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    @Test
    void noHostileRequestIsAnsweredWithAServerError() throws Exception {
        List<String> serverErrors = new ArrayList<>();
        for (String template : API_GETS) {
            for (String value : VALUES) {
                String path = template.replace("{}", value);
                HttpResponse<String> r = send(asOps(path).GET().build());
                if (r.statusCode() >= 500) {
                    serverErrors.add("GET " + cut(path) + " -> " + r.statusCode());
                }
            }
        }
        for (String[] endpoint : JSON_ENDPOINTS) {
            for (String body : JSON_BODIES) {
                HttpResponse<String> r = send(asOps(endpoint[1]).header("Content-Type", "application/json")
                        .method(endpoint[0], HttpRequest.BodyPublishers.ofString(body)).build());
                if (r.statusCode() >= 500) {
                    serverErrors.add(endpoint[0] + " " + endpoint[1] + " " + cut(body) + " -> " + r.statusCode());
                }
            }
        }
        HttpClient console = opsConsole();
        for (String template : CONSOLE_GETS) {
            for (String value : VALUES) {
                String path = template.replace("{}", value);
                int status = console.send(HttpRequest.newBuilder(url(path)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 500) {
                    serverErrors.add("GET " + cut(path) + " (console) -> " + status);
                }
            }
        }
        assertThat(serverErrors).isEmpty();
    }

    private static String cut(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
