package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * PostgreSQL stops while a large SFTP feed is being written (its readings COPY under way) and stays down
 * longer than the connection pool waits for a connection, so every clean-up that needs the database
 * fails too (releasing the file's claim). After PostgreSQL is back, without restarting the service, the
 * feed is taken again and answered once: one feed row, every reading stored once, the inbox empty,
 * health UP, and a file dropped afterwards is answered as well. A provider that logs in during the
 * outage is told to try later, not that its key was refused.
 *
 * <p>Stops and starts the local Debian cluster that serves this test's datasource (5432 in CI); it is
 * always started again, whatever happens.
 */
class DatabaseOutageIT extends IngestItSupport {
    static final int READINGS = 300_000;
    static final int METERS = 20;
    /** Longer than the pool's connection timeout: the outage that used to lose the feed. */
    static final Duration OUTAGE = Duration.ofSeconds(45);

    @Value("${spring.datasource.url}")
    String datasourceUrl;

    @Autowired
    HikariDataSource dataSource;

    @TempDir
    Path tmp;

    @Test
    void feedInFlightWhenPostgresStopsIsAnsweredOnceAfterItIsBack() throws Exception {
        assertThat(OUTAGE).as("the outage outlasts the pool's connection timeout")
                .isGreaterThan(Duration.ofMillis(dataSource.getConnectionTimeout()).plusSeconds(5));
        Cluster cluster = Cluster.serving(datasourceUrl);
        loadSampleRegistry();
        Path key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@outage");
        assertThat(send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build()).statusCode()).isEqualTo(200);
        Path inbox = Files.createDirectories(providerDir("sunwatch").resolve("inbox"));
        Path feed = Files.createTempFile("outage", ".csv");
        write(feed);
        drop("sunwatch", feed, "big.csv");
        Files.delete(feed);

        await("the readings COPY of big.csv under way").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50)).until(this::readingsCopyRuns);
        Instant stopped = Instant.now();
        // Also when the test JVM is stopped mid-outage (Ctrl-C, a fork timeout): never leave the cluster down.
        Thread restart = new Thread(cluster::startIfDown);
        Runtime.getRuntime().addShutdownHook(restart);
        try {
            cluster.run("stop", "-m", "fast");
            // The key lookup waits for the pool's connection timeout, within the outage: run it beside the wait.
            CompletableFuture<OpenSshClient.Result> login = CompletableFuture.supplyAsync(() -> {
                try {
                    return new OpenSshClient(key, properties).batch("sunwatch", "ls inbox\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Through the whole outage the file waits in the inbox, unanswered (nothing is lost or half-answered).
            await("big.csv waiting in the inbox during the outage").during(OUTAGE).atMost(OUTAGE.plusSeconds(10))
                    .until(() -> Files.exists(inbox.resolve("big.csv"))
                            && !Files.exists(receiptFile("big.csv")));
            OpenSshClient.Result refused = login.get(OUTAGE.toSeconds(), TimeUnit.SECONDS);
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("try again later").doesNotContain("Permission denied");
        } finally {
            cluster.startIfDown();
            Runtime.getRuntime().removeShutdownHook(restart);
        }
        assertThat(Duration.between(stopped, Instant.now())).as("PostgreSQL " + cluster + " was down")
                .isGreaterThanOrEqualTo(OUTAGE);

        await("receipt for big.csv after the outage").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(receiptFile("big.csv")));
        JsonNode receipt = JSON.readTree(Files.readString(receiptFile("big.csv"), StandardCharsets.UTF_8));
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("reading_count").asInt()).isEqualTo(READINGS);
        long feedId = receipt.get("feed_id").asLong();
        assertThat(dsl.fetchCount(FEED, FEED.FILE_NAME.eq("big.csv"))).as("one feed row for big.csv").isEqualTo(1);
        assertThat(dsl.fetchCount(READING, READING.FEED_ID.eq(feedId))).isEqualTo(READINGS);
        assertThat(dsl.fetchCount(READING)).as("every reading stored once (no other feed holds any)").isEqualTo(READINGS);
        await("inbox empty").atMost(Duration.ofSeconds(10)).until(() -> isEmpty(inbox));

        await("health UP without a restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(url("/actuator/health")).GET().build()).statusCode() == 200);

        JsonNode after = ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        assertThat(after.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(2);
        await("inbox empty").atMost(Duration.ofSeconds(10)).until(() -> isEmpty(inbox));
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
    private static void write(Path file) throws Exception {
        Instant start = Instant.parse("2017-01-01T00:00:00Z");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("system_id,meter_serial,read_at,register_kwh\n");
            for (int i = 0; i < READINGS; i++) {
                int hour = i / METERS;
                w.write("MA-1001,OUTAGE-" + (i % METERS) + "," + start.plusSeconds(3600L * hour) + "," + hour + ".5\n");
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
