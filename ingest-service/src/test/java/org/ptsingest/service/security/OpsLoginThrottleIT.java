package org.ptsingest.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;

/**
 * Password guessing against the console's form and the API's HTTP Basic: after five failures a user
 * name, or a client address, is refused even with the right password until the lock (3 s here, 1 min
 * by default) expires; other users and addresses are unaffected. Clients come from different loopback
 * addresses (127.0.0.x) so the per-address key is exercised over real TLS.
 */
class OpsLoginThrottleIT extends IngestItSupport {
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    HttpClient from(String address) throws Exception {
        return HttpClient.newBuilder().sslContext(tls()).localAddress(InetAddress.getByName(address))
                .cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** 401 refused, 403 authenticated but not OPS, 200 authenticated OPS. */
    int basic(HttpClient client, String user, String password) throws Exception {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(url("/api/v1/ops-users")).header("Authorization", "Basic " + credentials)
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Logs in with the console's form; returns where it redirects to. */
    String form(HttpClient client, String user, String password) throws Exception {
        String page = client.send(HttpRequest.newBuilder(url("/ops/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = CSRF.matcher(page);
        assertThat(csrf.find()).as(page).isTrue();
        String body = "username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(csrf.group(1));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url("/ops/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(302);
        return r.headers().firstValue("Location").orElseThrow();
    }

    String page(HttpClient client, String location) throws Exception {
        return client.send(HttpRequest.newBuilder(url(location.replaceFirst("^https://[^/]+", ""))).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void thirtyWrongPasswordsThenTheRightOneIsRefusedUntilTheLockExpires() throws Exception {
        HttpClient guesser = from("127.0.0.2");
        for (int i = 0; i < 30; i++) {
            assertThat(basic(guesser, "viewer", "guess-" + i)).isEqualTo(401);
        }
        // the right password now gets what a wrong one gets: on the API a 401 ...
        assertThat(basic(guesser, "viewer", "it-viewer")).isEqualTo(401);
        // ... and on the console's form the login page, which says why
        String location = form(from("127.0.0.2"), "viewer", "it-viewer");
        assertThat(location).endsWith("/ops/login?error&throttled");
        assertThat(page(guesser, location)).contains("Too many attempts, try again later.")
                .doesNotContain("Wrong user name or password.");
        // another user from another address is not affected
        assertThat(basic(from("127.0.0.1"), "ops", "it-secret")).isEqualTo(200);

        // once the lock has expired, the right password logs in, on the API and on the console
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> basic(guesser, "viewer", "it-viewer") == 403);
        assertThat(form(from("127.0.0.2"), "viewer", "it-viewer")).endsWith("/ops");
    }

    @Test
    void oneAddressTryingManyUserNamesIsLockedForEveryUserNameAlike() throws Exception {
        HttpClient guesser = from("127.0.0.3");
        for (int i = 0; i < 5; i++) {
            assertThat(form(guesser, "nobody-" + i, "guess")).endsWith("/ops/login?error");
        }
        // an existing user and an unknown one get the same answer from that address: nothing to enumerate
        assertThat(form(from("127.0.0.3"), "ops", "it-secret")).endsWith("/ops/login?error&throttled");
        assertThat(form(from("127.0.0.3"), "nobody-else", "guess")).endsWith("/ops/login?error&throttled");
        assertThat(basic(guesser, "ops", "it-secret")).isEqualTo(401);
        // the same user from another address is not affected
        assertThat(basic(from("127.0.0.4"), "ops", "it-secret")).isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> basic(guesser, "ops", "it-secret") == 200);
    }
}
