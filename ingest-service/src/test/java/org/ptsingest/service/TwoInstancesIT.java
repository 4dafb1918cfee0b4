package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.FILE_CLAIM;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.RAW_CONTENT;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.registry.RegistryImport;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two service instances, each with its own data directory, on one database; both poll one inbox (the
 * second polls the first one's SFTP server, as it would an external one). Every file must be processed
 * exactly once: one feed, one receipt, its readings once. And a feed one instance received is served raw
 * and reprocessed by the other alone (its bytes are in the database, not in the first one's directory).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesIT {
    static final Path DATA = Path.of("target", "it-data", "pair");
    static final Path SECOND_DATA = Path.of("target", "it-data", "pair-second");
    static final int FILES = 40;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() throws Exception {
        for (Path dir : new Path[] {DATA, SECOND_DATA}) {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        first = instance(true);
        DSLContext dsl = first.getBean(DSLContext.class);
        dsl.truncate(READING, READING_OUTCOME, FEED_OUTCOME_COUNT, FEED, DELIVERY, RAW_CONTENT, FILE_CLAIM,
                PROVIDER_SSH_KEY, DESIGNATION, PROVIDER_STATUS, PTS_SYSTEM, PROVIDER).cascade().execute();
        RegistryImport registry = first.getBean(RegistryImport.class);
        Path samples = IngestItSupport.SAMPLES.resolve("registry");
        try (Reader p = Files.newBufferedReader(samples.resolve("providers.csv"));
                Reader s = Files.newBufferedReader(samples.resolve("systems.csv"));
                Reader d = Files.newBufferedReader(samples.resolve("designations.csv"));
                // the feeds spread MA-1001's readings over many meters: no registered meter, every one is installed
                Reader unmetered = Files.newBufferedReader(samples.resolve("many-meters/systems.csv"))) {
            registry.providers(p);
            registry.systems(s);
            registry.designations(d);
            registry.systems(unmetered);
        }
        second = instance(false);
    }

    static ConfigurableApplicationContext instance(boolean first) {
        // Command-line arguments: they outrank application-it.yml, which default properties would not. The
        // second has a data directory of its own and polls the first one's server with the first one's key.
        return new SpringApplicationBuilder(IngestServiceApplication.class).profiles("it")
                .run("--ingest.data-dir=" + (first ? DATA : SECOND_DATA), "--ingest.sftp.port=2323",
                        "--ingest.sftp.private-key-file=" + DATA.resolve("keys/ingest-service_ed25519").toAbsolutePath(),
                        "--ingest.sftp.known-hosts-file=" + DATA.resolve("keys/known_hosts").toAbsolutePath(),
                        "--ingest.sftp.embedded=" + first, "--server.port=0",
                        // Camel's AS2 component closes every AS2 server of the JVM when it shuts down,
                        // the shared test context's too: these instances have none.
                        "--ingest.as2.enabled=false", "--camel.component.as2.enabled=false");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    @Order(1)
    void everyFileIsProcessedExactlyOnce() throws Exception {
        Path inbox = Files.createDirectories(DATA.resolve("sftp/providers/sunwatch/inbox"));
        Path receipts = DATA.resolve("sftp/providers/sunwatch/receipts");
        for (int i = 0; i < FILES; i++) {
            Path part = inbox.resolve("feed-" + i + ".csv.part");
            Files.writeString(part, "system_id,meter_serial,read_at,register_kwh\n"
                    + "MA-1001,PAIR-" + i + "," + Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * i) + ",1"
                    + i + "\n");
            Files.move(part, inbox.resolve("feed-" + i + ".csv"));
            if (i % 10 == 9) {
                // drop in batches, so both instances' polls see files (waits on the first of the batch being taken)
                int taken = i - 9;
                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !Files.exists(inbox.resolve("feed-" + taken + ".csv")));
            }
        }
        await("all receipts").atMost(java.time.Duration.ofSeconds(90))
                .until(() -> countFiles(receipts) >= FILES && countFiles(inbox) == 0);
        // Proof that polls ran after the last file was answered (so anything taken twice would show up):
        // a sentinel dropped now is answered, by whichever instance, after both had the chance to retake.
        Files.writeString(inbox.resolve("sentinel.csv.part"), "system_id,meter_serial,read_at,register_kwh\n"
                + "MA-1001,PAIR-SENTINEL,2026-01-01T00:00:00Z,1\n");
        Files.move(inbox.resolve("sentinel.csv.part"), inbox.resolve("sentinel.csv"));
        await("sentinel receipt").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Files.exists(receipts.resolve("sentinel.csv.receipt.json")));

        DSLContext dsl = first.getBean(DSLContext.class);
        int all = FILES + 1;
        assertThat(countFiles(receipts)).isEqualTo(all);
        assertThat(dsl.fetchCount(FEED)).isEqualTo(all);
        assertThat(dsl.fetchCount(FEED, FEED.STATUS.eq("ACCEPTED"))).isEqualTo(all);
        assertThat(dsl.fetchCount(dsl.selectDistinct(FEED.SOURCE_KEY).from(FEED))).isEqualTo(all);
        assertThat(dsl.fetchCount(READING)).isEqualTo(all);
        await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> dsl.fetchCount(FILE_CLAIM, FILE_CLAIM.COMPLETED_AT.isNotNull()) == all);
        // both instances took part: the exactly-once above was between two pollers, not one
        var byInstance = dsl.select(FILE_CLAIM.INSTANCE_ID, DSL.count()).from(FILE_CLAIM)
                .groupBy(FILE_CLAIM.INSTANCE_ID).fetchMap(FILE_CLAIM.INSTANCE_ID, DSL.count());
        assertThat(byInstance).as("files claimed per instance").hasSize(2).allSatisfy((id, n) -> assertThat(n).isPositive());
    }

    /**
     * A feed posted to the first instance, rejected (its system is not registered); the first instance
     * stops; the second serves its raw bytes and, once the registry is fixed, reprocesses it.
     */
    @Test
    @Order(2)
    void aFeedReceivedByOneInstanceIsServedRawAndReprocessedByTheOther() throws Exception {
        Path feed = IngestItSupport.SAMPLES.resolve("csv-v1/sunwatch/06-unregistered-system.csv");
        HttpClient toFirst = client(DATA);
        HttpResponse<String> key = toFirst.send(ops(first, "/api/v1/providers/sunwatch/api-keys")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        HttpResponse<String> posted = toFirst.send(HttpRequest.newBuilder(url(first, "/api/v1/feeds"))
                .header("Authorization", "Bearer " + IngestItSupport.JSON.readTree(key.body()).get("api_key").asText())
                .header("Content-Type", "text/csv").header("Content-Disposition", "attachment; filename=unregistered.csv")
                .POST(HttpRequest.BodyPublishers.ofFile(feed)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        long feedId = IngestItSupport.JSON.readTree(posted.body()).get("feed_id").asLong();
        assertThat(IngestItSupport.JSON.readTree(posted.body()).get("status").asText()).isEqualTo("REJECTED");
        first.close();

        HttpClient toSecond = client(SECOND_DATA);
        HttpResponse<byte[]> raw = toSecond.send(ops(second, "/api/v1/feeds/" + feedId + "/raw").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(Files.readAllBytes(feed));

        RegistryImport registry = second.getBean(RegistryImport.class);
        Path fix = IngestItSupport.SAMPLES.resolve("registry/fix");
        try (Reader s = Files.newBufferedReader(fix.resolve("systems.csv"));
                Reader d = Files.newBufferedReader(fix.resolve("designations.csv"))) {
            registry.systems(s);
            registry.designations(d);
        }
        HttpResponse<String> reprocess = toSecond.send(ops(second, "/api/v1/feeds/" + feedId + "/reprocess")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"registry fixed\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reprocess.statusCode()).as(reprocess.body()).isEqualTo(202);
        String poll = reprocess.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> receipt = await("reprocessed by the second instance").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> toSecond.send(ops(second, poll).GET().build(), HttpResponse.BodyHandlers.ofString()),
                        r -> r.statusCode() != 202);
        assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
        assertThat(IngestItSupport.JSON.readTree(receipt.body()).get("status").asText()).isEqualTo("ACCEPTED");
        DSLContext dsl = second.getBean(DSLContext.class);
        assertThat(dsl.fetchOne(FEED, FEED.FEED_ID.eq(feedId)).getSupersededBy()).isNotNull();
    }

    static HttpRequest.Builder ops(ConfigurableApplicationContext instance, String path) {
        String basic = Base64.getEncoder().encodeToString(("ops:" + instance.getBean(IngestProperties.class).ops()
                .password()).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(url(instance, path)).header("Authorization", "Basic " + basic);
    }

    static URI url(ConfigurableApplicationContext instance, String path) {
        return URI.create("https://localhost:" + instance.getEnvironment().getProperty("local.server.port") + path);
    }

    /** Trusts exactly the self-signed certificate of the instance with that data directory. */
    static HttpClient client(Path dataDir) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dataDir.resolve("keys/https.p12"))) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).build();
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
