package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service process is killed (SIGKILL) in the middle of a large feed; a new process on the same
 * inbox takes the file over once the dead one's claim lease ran out, and the end state is as if the
 * feed had been processed once: one feed, every reading once, one receipt.
 */
class CrashRecoveryIT extends IngestItSupport {
    static final Path DATA = Path.of("target", "it-data", "crash").toAbsolutePath();
    static final Path JAR = Path.of("target", "ingest-service-0.1.0-SNAPSHOT.jar").toAbsolutePath();
    static final int READINGS = 400_000;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void killedMidFeedThenRecoveredExactlyOnce() throws Exception {
        loadSampleRegistry();
        registerMa1001WithoutMeter();
        if (Files.exists(DATA)) {
            try (Stream<Path> s = Files.walk(DATA)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Process first = service("first");
        Path inbox = DATA.resolve("sftp/providers/sunwatch/inbox");
        awaitLog("first", "Started IngestServiceApplication", 60);
        Files.createDirectories(inbox);
        Path part = inbox.resolve("big.csv.part");
        try (BufferedWriter w = Files.newBufferedWriter(part)) {
            w.write("system_id,meter_serial,read_at,register_kwh\n");
            Instant start = Instant.parse("2017-01-01T00:00:00Z");
            for (int i = 0; i < READINGS; i++) {
                int meter = i % 20;
                int hour = i / 20;
                w.write("MA-1001,CRASH-" + meter + "," + start.plusSeconds(3600L * hour) + "," + hour + ".5\n");
            }
        }
        Files.move(part, inbox.resolve("big.csv"));

        awaitLog("first", "picked up sunwatch/inbox/big.csv", 60);
        first.destroyForcibly().waitFor();
        assertThat(dsl.fetchCount(FEED)).as("nothing committed by the killed process").isZero();
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(inbox.resolve("big.csv")).exists();

        service("second");
        Path receipt = DATA.resolve("sftp/providers/sunwatch/receipts/big.csv.receipt.json");
        await("receipt from the second process").atMost(java.time.Duration.ofSeconds(120))
                .until(() -> Files.exists(receipt));
        assertThat(JSON.readTree(Files.readString(receipt)).get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
        assertThat(dsl.fetchCount(READING)).isEqualTo(READINGS);
        assertThat(log("second")).contains("claimed sunwatch/inbox/big.csv");
    }

    private Process service(String name) throws Exception {
        Files.createDirectories(DATA);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toString(),
                // the same database as this test's own context (SPRING_DATASOURCE_URL when a run sets one)
                "--spring.datasource.url=" + System.getenv().getOrDefault("SPRING_DATASOURCE_URL",
                        "jdbc:postgresql://localhost:5432/ingest_test"),
                "--ingest.data-dir=" + DATA, "--ingest.sftp.port=2324", "--ingest.as2.enabled=false", "--server.port=0",
                "--ingest.ops.password=crash", "--ingest.sftp.poll-delay=200ms",
                "--ingest.sftp.read-lock-check-interval=300ms", "--ingest.sftp.claim-lease=30s",
                // the inbox route judges the file itself (the path killed here). Handed to the delivery worker, it
                // could be judged by this test's own service, another instance on the same database whose receipts
                // go to its own drop box, not this one's
                "--ingest.sftp.async-above=1GB")
                .redirectErrorStream(true).redirectOutput(DATA.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static String log(String name) throws Exception {
        Path file = DATA.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static void awaitLog(String name, String text, int seconds) throws Exception {
        await(name + " logs '" + text + "'").atMost(java.time.Duration.ofSeconds(seconds))
                .pollInterval(java.time.Duration.ofMillis(20)).until(() -> log(name).contains(text));
    }
}
