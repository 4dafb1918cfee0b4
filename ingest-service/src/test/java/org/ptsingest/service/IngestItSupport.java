package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.RAW_CONTENT;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.FILE_CLAIM;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.ptsingest.config.IngestProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The assembled service (real PostgreSQL, embedded SFTP server, HTTPS) for integration tests, with
 * helpers that act like ops (registry over HTTPS) and like providers (files into their inbox).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("it")
@org.springframework.context.annotation.Import(TestClock.Config.class)
public abstract class IngestItSupport {
    public static final Path SAMPLES = Path.of("..", "sample-feeds");
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema RECEIPT_SCHEMA = receiptSchema();

    @Autowired
    protected DSLContext dsl;

    @Autowired
    protected IngestProperties properties;

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestClock clock;

    private HttpClient http;

    @BeforeEach
    void cleanSlate() throws Exception {
        clock.reset();
        // The service keeps working while a test cleans up (the delivery worker, the SFTP poller, a feed of the
        // previous test still being judged): TRUNCATE may lose a deadlock to them; it is simply run again.
        for (int attempt = 1; ; attempt++) {
            try {
                dsl.truncate(READING, READING_OUTCOME, FEED_OUTCOME_COUNT, org.ptsingest.service.persistence.jooq.Tables.FEED_SYSTEM, FEED, DELIVERY, RAW_CONTENT, FILE_CLAIM,
                        PROVIDER_SSH_KEY, DESIGNATION, PROVIDER_STATUS, PTS_SYSTEM, PROVIDER,
                        // the production ledger's history and queue have no key to the systems: a revision left
                        // by an earlier test would collide with the same system's revision 1 in the next (the
                        // windows already acted on stay: emptied, every ended window would be acted on again)
                        org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_REVISION,
                        org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_DIRTY,
                        org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT,
                        // e-mail: the outbox and which reminder runs were done
                        org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION,
                        org.ptsingest.service.persistence.jooq.Tables.REMINDER_RUN).cascade().execute();
                break;
            } catch (org.springframework.dao.PessimisticLockingFailureException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
        Path providers = properties.sftpRoot().resolve(properties.sftp().providersDir());
        if (Files.exists(providers)) {
            try (Stream<Path> files = Files.walk(providers)) {
                files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(providers)).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- ops over HTTPS ----

    protected HttpClient http() throws Exception {
        if (http == null) {
            http = http(properties.keysDir().resolve("https.p12"));
        }
        return http;
    }

    /** A TLS client that trusts exactly the service certificate in that keystore (no trust-all). */
    protected HttpClient http(Path keystore) throws Exception {
        return HttpClient.newBuilder().sslContext(tls(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** TLS that trusts exactly the service certificate in that keystore, for clients other than {@link #http()}. */
    protected SSLContext tls(Path keystore) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, properties.https().keystorePassword().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    /** TLS that trusts the service's own certificate. */
    protected SSLContext tls() throws Exception {
        return tls(properties.keysDir().resolve("https.p12"));
    }

    protected URI url(String path) {
        return URI.create("https://localhost:" + port + path);
    }

    /** An HTTP client logged in to the ops console as {@code ops} (its session cookie; redirects not followed). */
    protected HttpClient opsConsole() throws Exception {
        return loggedIn("/ops", "ops", properties.ops().password());
    }

    /**
     * An HTTP client logged in on a form-login realm ({@code /ops}, {@code /report}) as a browser would: the login
     * page's CSRF token, the form posted, the session cookie kept; redirects not followed.
     */
    protected HttpClient loggedIn(String realm, String user, String password) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String csrf = csrfToken(client, realm + "/login");
        HttpResponse<String> in = client.send(HttpRequest.newBuilder(url(realm + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                        + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                        + URLEncoder.encode(csrf, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(in.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(realm));
        return client;
    }

    /** The CSRF token a page of a form-login realm carries in its forms (the logout form on every page). */
    protected String csrfToken(HttpClient client, String page) throws Exception {
        String html = client.send(HttpRequest.newBuilder(url(page)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(csrf.find()).as(page).isTrue();
        return csrf.group(1);
    }

    protected HttpRequest.Builder asOps(String path) {
        String basic = Base64.getEncoder().encodeToString(("ops:" + properties.ops().password()).getBytes());
        return HttpRequest.newBuilder(url(path)).header("Authorization", "Basic " + basic);
    }

    protected HttpResponse<String> send(HttpRequest request) throws Exception {
        return http().send(request, HttpResponse.BodyHandlers.ofString());
    }

    protected JsonNode importRegistry(String table, Path csv) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/registry/" + table).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(csv)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** One series' value on /actuator/prometheus (0 when absent), e.g. {@code ingest_dry_runs_total{channel="HTTPS"}}. */
    protected double metric(String series) throws Exception {
        String body = send(HttpRequest.newBuilder(url("/actuator/prometheus")).GET().build()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    /** Issues a provider API key as ops do, and returns it. */
    protected String issueKey(String provider) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/providers/" + provider + "/api-keys")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("api_key").asText();
    }

    /** Registers a provider's AS2 identity and signing certificate as ops do. */
    protected void registerAs2Partner(String providerId, String as2Id, java.security.cert.X509Certificate certificate)
            throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("as2_id", as2Id, "certificate", pem(certificate)));
        HttpResponse<String> r = send(asOps("/api/v1/providers/" + providerId + "/as2-partner")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    public static String pem(java.security.cert.X509Certificate cert) throws IOException {
        var out = new java.io.StringWriter();
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            w.writeObject(cert);
        }
        return out.toString();
    }

    /** A free local port, for a context that runs servers of its own beside the shared one. */
    protected static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected void loadSampleRegistry() throws Exception {
        for (String table : new String[] {"providers", "systems", "designations"}) {
            JsonNode result = importRegistry(table, SAMPLES.resolve("registry").resolve(table + ".csv"));
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        }
    }

    /**
     * Load tests spread MA-1001's readings over many meters (a single meter's hourly readings would run into
     * the future): registered without a meter and without exchanges, every meter counts as installed on it.
     */
    protected void registerMa1001WithoutMeter() throws Exception {
        JsonNode result = importRegistry("systems", SAMPLES.resolve("registry/many-meters/systems.csv"));
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
    }

    // ---- providers dropping files ----

    protected Path providerDir(String providerId) {
        return properties.sftpRoot().resolve(properties.sftp().providersDir()).resolve(providerId);
    }

    /** Puts a file into a provider's inbox the way an upload-then-rename client does. */
    protected void drop(String providerId, Path file, String asName) throws IOException {
        Path inbox = Files.createDirectories(providerDir(providerId).resolve("inbox"));
        Path part = inbox.resolve(asName + ".part");
        Files.copy(file, part);
        awaitNameFree(inbox.resolve(asName));
        Files.move(part, inbox.resolve(asName));
    }

    /**
     * Waits until a file of that name has left the inbox: Camel removes a judged file as its exchange completes,
     * which can follow its receipt, so a test dropping the same name again right after the receipt raced it.
     */
    protected static void awaitNameFree(Path target) {
        org.awaitility.Awaitility.await("the earlier " + target.getFileName() + " left the inbox")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> !Files.exists(target));
    }

    protected JsonNode awaitReceipt(String providerId, String fileName) throws Exception {
        Path receipt = providerDir(providerId).resolve("receipts").resolve(fileName + ".receipt.json");
        org.awaitility.Awaitility.await("receipt for " + providerId + "/" + fileName).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(receipt));
        JsonNode json = JSON.readTree(Files.readString(receipt, StandardCharsets.UTF_8));
        assertValidReceipt(json);
        return json;
    }

    /** Drops a sample feed and returns its receipt. */
    protected JsonNode ingest(String providerId, String sample) throws Exception {
        Path file = SAMPLES.resolve(sample);
        String name = file.getFileName().toString();
        drop(providerId, file, name);
        return awaitReceipt(providerId, name);
    }

    protected static void assertValidReceipt(JsonNode receipt) {
        assertThat(RECEIPT_SCHEMA.validate(receipt)).as("receipt against receipt-v1.schema.json: " + receipt).isEmpty();
    }

    private static JsonSchema receiptSchema() {
        try (InputStream in = IngestItSupport.class.getResourceAsStream("/schemas/receipt-v1.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
