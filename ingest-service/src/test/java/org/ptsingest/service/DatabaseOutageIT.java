package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedWriter;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.net.http.HttpResponse;
import org.jooq.impl.DSL;
import org.ptsingest.service.as2.As2Identity;
import org.ptsingest.service.as2.PartnerAs2Client;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * PostgreSQL stops while a large SFTP feed is being written (its readings COPY under way), twice: for
 * 20 s, and for 45 s, longer than the connection pool waits for a connection, so every clean-up that
 * needs the database fails too (releasing the file's claim). Meanwhile an HTTPS provider posts (and posts
 * again until answered) and an AS2 gateway resends its message until it gets an MDN. Health says DOWN
 * while it lasts. After PostgreSQL is back, without restarting the service, every delivery is JUDGED
 * exactly once: one feed each, every reading stored once, the inbox empty, health UP, and a file dropped
 * afterwards is answered as well. A provider that logs in during the outage is told to try later, not
 * that its key was refused.
 *
 * <p>Stops and starts the local Debian cluster that serves this test's datasource (5432 in CI); it is
 * always started again, whatever happens.
 */
class DatabaseOutageIT extends IngestItSupport {
    static final int READINGS = 300_000;
    static final int METERS = 20;
    /** Shorter than the pool's connection timeout. */
    static final Duration SHORT_OUTAGE = Duration.ofSeconds(20);
    /** Longer than the pool's connection timeout: the outage that used to lose the feed. */
    static final Duration LONG_OUTAGE = Duration.ofSeconds(45);

    @Value("${spring.datasource.url}")
    String datasourceUrl;

    @Autowired
    HikariDataSource dataSource;

    @Autowired
    As2Identity as2;

    @TempDir
    Path tmp;

    @Test
    void feedsInFlightOnEveryChannelWhenPostgresRestartsAreJudgedOnceAfterItIsBack() throws Exception {
        assertThat(LONG_OUTAGE).as("the long outage outlasts the pool's connection timeout")
                .isGreaterThan(Duration.ofMillis(dataSource.getConnectionTimeout()).plusSeconds(5));
        Cluster cluster = Cluster.serving(datasourceUrl);
        loadSampleRegistry();
        registerMa1001WithoutMeter();
        Path key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@outage");
        assertThat(send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build()).statusCode()).isEqualTo(200);
        String gridsenseKey = issueKey("gridsense");
        PartnerAs2Client.Identity partner = PartnerAs2Client.newIdentity("SUNWATCH-AS2",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        registerAs2Partner("sunwatch", partner.as2Id(), partner.certificate());
        PartnerAs2Client as2Client = new PartnerAs2Client(partner, as2.as2Id(), as2.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
        Path inbox = Files.createDirectories(providerDir("sunwatch").resolve("inbox"));

        // 20 s. A large SFTP feed is being written; an HTTPS
        // post and an AS2 message arrive during the outage.
        outage(cluster, SHORT_OUTAGE, "big-1.csv", "OUTAGE-A-", inbox, () -> {
            CompletableFuture<HttpResponse<String>> https = CompletableFuture.supplyAsync(() -> postUntilAnswered(
                    gridsenseKey, SAMPLES.resolve("csv-v1/gridsense/01-baseline.csv")));
            CompletableFuture<PartnerAs2Client.Mdn> message = CompletableFuture.supplyAsync(() -> sendUntilAnswered(
                    as2Client, "xml-v1/sunwatch/01-baseline.xml",
                    Options.defaults().withMessageId("<outage-short@sunwatch.example>")));
            return () -> {
                HttpResponse<String> posted = https.get(3, TimeUnit.MINUTES);
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
                assertThat(message.get(3, TimeUnit.MINUTES).disposition()).endsWith("processed");
            };
        });

        // 45 s: longer than the pool's connection timeout, so every clean-up that needs the database fails too
        // (releasing the file's claim). A provider that logs in meanwhile is told to try later.
        outage(cluster, LONG_OUTAGE, "big-2.csv", "OUTAGE-B-", inbox, () -> {
            CompletableFuture<OpenSshClient.Result> login = CompletableFuture.supplyAsync(() -> {
                try {
                    return new OpenSshClient(key, properties).batch("sunwatch", "ls inbox\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<PartnerAs2Client.Mdn> message = CompletableFuture.supplyAsync(() -> sendUntilAnswered(
                    as2Client, "csv-v1/sunwatch/03-backfill.csv", Options.defaults()
                            .withContentType("application/edi-consent").withMessageId("<outage-long@sunwatch.example>")));
            return () -> {
                OpenSshClient.Result refused = login.get(LONG_OUTAGE.toSeconds(), TimeUnit.SECONDS);
                assertThat(refused.exitCode()).isNotZero();
                assertThat(refused.output()).contains("try again later").doesNotContain("Permission denied");
                assertThat(message.get(3, TimeUnit.MINUTES).disposition()).endsWith("processed");
            };
        });

        // Every delivery judged exactly once, no reading twice, healthy without a restart, and new files flow.
        await("health UP without a restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(url("/actuator/health")).GET().build()).statusCode() == 200);
        JsonNode after = ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        assertThat(after.get("status").asText()).isEqualTo("ACCEPTED");
        await("inbox empty").atMost(Duration.ofSeconds(10)).until(() -> isEmpty(inbox));
        await("every delivery judged").atMost(Duration.ofSeconds(60)).until(() ->
                dsl.fetchCount(DELIVERY, DELIVERY.STATE.ne("JUDGED")) == 0);
        assertThat(dsl.fetchCount(DELIVERY)).as("big-1, big-2, HTTPS, two AS2 messages, the file after")
                .isEqualTo(6);
        assertThat(dsl.fetchCount(FEED)).as("one feed per delivery").isEqualTo(6);
        assertThat(dsl.fetchCount(dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT).from(READING)
                .groupBy(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT).having(DSL.count().gt(1))))
                .as("no reading stored twice").isZero();
        assertThat(dsl.fetchCount(READING, READING.METER_SERIAL.startsWith("OUTAGE-"))).isEqualTo(2 * READINGS);
    }

    /** What a test does while PostgreSQL is down: starts its clients, and returns the checks to run after. */
    interface DuringOutage {
        Check start() throws Exception;
    }

    interface Check {
        void run() throws Exception;
    }

    /**
     * Drops a large feed, stops PostgreSQL while its readings COPY runs, keeps it down for {@code length}
     * (checking that the file waits in the inbox, unanswered, and that health says DOWN), starts it, and
     * waits for the feed's receipt.
     */
    private void outage(Cluster cluster, Duration length, String fileName, String meterPrefix, Path inbox,
            DuringOutage during) throws Exception {
        Path feed = Files.createTempFile("outage", ".csv");
        write(feed, meterPrefix);
        drop("sunwatch", feed, fileName);
        Files.delete(feed);
        await("the readings COPY of " + fileName + " under way").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50)).until(this::readingsCopyRuns);
        Instant stopped = Instant.now();
        // Also when the test JVM is stopped mid-outage (Ctrl-C, a fork timeout): never leave the cluster down.
        Thread restart = new Thread(cluster::startIfDown);
        Runtime.getRuntime().addShutdownHook(restart);
        Check after;
        try {
            cluster.run("stop", "-m", "fast");
            after = during.start();
            await("health DOWN during the outage").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> send(HttpRequest.newBuilder(url("/actuator/health")).GET().build()).statusCode() == 503);
            // Through the whole outage the file waits in the inbox, unanswered (nothing is lost or half-answered).
            Duration left = length.minus(Duration.between(stopped, Instant.now()));
            await(fileName + " waiting in the inbox during the outage").during(left).atMost(left.plusSeconds(10))
                    .until(() -> Files.exists(inbox.resolve(fileName)) && !Files.exists(receiptFile(fileName)));
        } finally {
            cluster.startIfDown();
            Runtime.getRuntime().removeShutdownHook(restart);
        }
        assertThat(Duration.between(stopped, Instant.now())).as("PostgreSQL " + cluster + " was down")
                .isGreaterThanOrEqualTo(length);
        after.run();
        await("receipt for " + fileName + " after the outage").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(receiptFile(fileName)));
        JsonNode receipt = JSON.readTree(Files.readString(receiptFile(fileName), StandardCharsets.UTF_8));
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("reading_count").asInt()).isEqualTo(READINGS);
        long feedId = receipt.get("feed_id").asLong();
        assertThat(dsl.fetchCount(FEED, FEED.FILE_NAME.eq(fileName))).as("one feed row for " + fileName).isEqualTo(1);
        assertThat(dsl.fetchCount(READING, READING.FEED_ID.eq(feedId))).isEqualTo(READINGS);
    }

    /** An HTTPS provider that posts again, after Retry-After, until its feed is answered. */
    private HttpResponse<String> postUntilAnswered(String key, Path file) {
        return await("HTTPS post answered").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> send(HttpRequest.newBuilder(url("/api/v1/feeds")).timeout(Duration.ofSeconds(90))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofFile(file)).build()), r -> r.statusCode() < 500);
    }

    /** An AS2 gateway that resends the same message until it gets an MDN. */
    private PartnerAs2Client.Mdn sendUntilAnswered(PartnerAs2Client client, String sample, Options options) {
        return await("AS2 message answered").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> client.send(Files.readAllBytes(SAMPLES.resolve(sample)),
                        Path.of(sample).getFileName().toString(), options), m -> m.disposition() != null);
    }

    private boolean readingsCopyRuns() {
        return dsl.fetchExists(DSL.selectOne().from("pg_stat_activity")
                .where(DSL.field("query", String.class).startsWith("COPY reading "))
                .and(DSL.field("state", String.class).eq("active")));
    }

    private Path receiptFile(String fileName) {
        return providerDir("sunwatch").resolve("receipts").resolve(fileName + ".receipt.json");
    }

    private static boolean isEmpty(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    /** Hourly readings from 2017 over METERS meters of MA-1001 (8.5 kW), all plausible. */
    private static void write(Path file, String meterPrefix) throws Exception {
        Instant start = Instant.parse("2017-01-01T00:00:00Z");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("system_id,meter_serial,read_at,register_kwh\n");
            for (int i = 0; i < READINGS; i++) {
                int hour = i / METERS;
                w.write("MA-1001," + meterPrefix + (i % METERS) + "," + start.plusSeconds(3600L * hour) + "," + hour + ".5\n");
            }
        }
    }

    /** The local Debian cluster (pg_lsclusters) listening on the datasource's port. */
    record Cluster(String version, String name) {
        private static final Pattern PORT = Pattern.compile("^jdbc:postgresql://(?:localhost|127\\.0\\.0\\.1)(?::(\\d+))?/");

        static Cluster serving(String jdbcUrl) throws Exception {
            Matcher m = PORT.matcher(jdbcUrl);
            assertThat(m.find()).as("a local PostgreSQL this test can stop: " + jdbcUrl).isTrue();
            String port = m.group(1) == null ? "5432" : m.group(1);
            List<String[]> clusters = clusters();
            return clusters.stream().filter(f -> f[2].equals(port)).map(f -> new Cluster(f[0], f[1])).findFirst()
                    .orElseThrow(() -> new AssertionError("no local cluster on port " + port));
        }

        /** pg_lsclusters -h: version, cluster, port, status, owner, data directory, log file. */
        private static List<String[]> clusters() throws Exception {
            Process ls = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
            List<String> lines;
            try (var out = ls.inputReader()) {
                lines = out.lines().toList();
            }
            assertThat(ls.waitFor()).as("pg_lsclusters: " + lines).isZero();
            return lines.stream().map(l -> l.trim().split("\\s+")).filter(f -> f.length > 3).toList();
        }

        /** Starts the cluster unless it is online (pg_ctlcluster start fails on a running cluster). */
        void startIfDown() {
            try {
                boolean online = clusters().stream()
                        .anyMatch(f -> f[0].equals(version) && f[1].equals(name) && f[3].equals("online"));
                if (!online) {
                    run("start");
                }
            } catch (Exception e) {
                throw new IllegalStateException("PostgreSQL " + this + " could not be started again", e);
            }
        }

        void run(String... action) throws Exception {
            List<String> command = new java.util.ArrayList<>(List.of("pg_ctlcluster", version, name));
            command.addAll(List.of(action));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as(command + " finished").isTrue();
            assertThat(p.exitValue()).as(command + ": " + output).isZero();
        }

        @Override
        public String toString() {
            return version + "/" + name;
        }
    }
}
