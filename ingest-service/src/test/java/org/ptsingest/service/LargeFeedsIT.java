package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 1,000,000-reading XML feed and a 1,000,000-reading JSON feed, posted over HTTPS to the service
 * jar running under -Xmx256m (a separate process, as in production): both complete, every reading
 * accepted. The XML feed is time-major (sorted through run files), the JSON feed meter-major, the order the
 * judge walks (judged behind its parser, run by run). Timings are not asserted; scripts/benchmark measures them.
 */
class LargeFeedsIT extends IngestItSupport {
    static final Path DATA = Path.of("target", "it-data", "large").toAbsolutePath();
    static final Path JAR = Path.of("target", "ingest-service-0.1.0-SNAPSHOT.jar").toAbsolutePath();
    static final int READINGS = 1_000_000;
    static final int METERS = 100;
    static final int PORT = 8463;

    Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroy();
        }
    }

    @Test
    void millionReadingXmlAndJsonFeedsCompleteUnder256MbOfHeap() throws Exception {
        loadSampleRegistry();
        registerMa1001WithoutMeter();
        HttpResponse<String> issued = send(asOps("/api/v1/providers/sunwatch/api-keys")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        String key = JSON.readTree(issued.body()).get("api_key").asText();
        if (Files.exists(DATA)) {
            try (Stream<Path> s = Files.walk(DATA)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(DATA);
        Path xml = DATA.resolve("big.xml");
        Path json = DATA.resolve("big.json");
        write(xml, "X", false);
        write(json, "J", true);

        String java = ProcessHandle.current().info().command().orElse("java");
        service = new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toString(),
                "--spring.datasource.url=jdbc:postgresql://localhost:5432/ingest_test",
                "--ingest.data-dir=" + DATA.resolve("data"), "--ingest.sftp.port=2325", "--ingest.as2.enabled=false", "--server.port=" + PORT,
                "--ingest.ops.password=large", "--ingest.https.async-above=1GB")
                .redirectErrorStream(true).redirectOutput(DATA.resolve("service.log").toFile()).start();
        org.awaitility.Awaitility.await("service started").atMost(Duration.ofSeconds(90))
                .failFast("the service process ended", () -> !service.isAlive())
                .until(() -> Files.readString(DATA.resolve("service.log")).contains("Started IngestServiceApplication"));

        for (Path feed : new Path[] {xml, json}) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/api/v1/feeds"))
                    .timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", feed.toString().endsWith(".xml") ? "application/xml" : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofFile(feed)).build();
            // the jar generated its own certificate in its data dir: trust exactly that one
            HttpResponse<String> r = http(DATA.resolve("data/keys/https.p12")).send(post, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(feed + ": " + r.body()).isEqualTo(201);
            JsonNode receipt = JSON.readTree(r.body());
            assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
            assertThat(receipt.get("reading_count").asInt()).isEqualTo(READINGS);
            assertThat(receipt.at("/counts/ACCEPTED").asInt()).isEqualTo(READINGS);
        }
        assertThat(service.isAlive()).as("no OutOfMemoryError").isTrue();
        String log = Files.readString(DATA.resolve("service.log"));
        assertThat(log).doesNotContain("OutOfMemoryError");
        assertThat(log).as("the meter-major JSON feed judged behind its parser").contains("behind the parser (");
    }

    /**
     * Hourly readings from 2020 over METERS meters of MA-1001 (8.5 kW): 1 kWh an hour, all plausible; time-major
     * (every meter's hour, then the next hour) or meter-major (every hour of a meter, then the next meter).
     */
    private static void write(Path file, String meterPrefix, boolean meterMajor) throws Exception {
        Instant start = Instant.parse("2020-01-01T00:00:00Z");
        boolean xml = file.toString().endsWith(".xml");
        int hours = READINGS / METERS;
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write(xml ? "<feed xmlns=\"urn:ptsingest:feed:1\"><header><provider_id>sunwatch</provider_id>"
                    + "<batch_id>big</batch_id></header>\n"
                    : "{\"header\":{\"provider_id\":\"sunwatch\",\"batch_id\":\"big\"},\"readings\":[\n");
            for (int i = 0; i < READINGS; i++) {
                // zero-padded, so that meter order is code-point order
                String meter = String.format("%s-%03d", meterPrefix, meterMajor ? i / hours : i % METERS);
                long hour = meterMajor ? i % hours : i / METERS;
                String at = start.plusSeconds(3600 * hour).toString();
                if (xml) {
                    w.write("<reading><system_id>MA-1001</system_id><meter_serial>" + meter + "</meter_serial><read_at>"
                            + at + "</read_at><register_kwh>" + hour + "</register_kwh></reading>\n");
                } else {
                    w.write((i == 0 ? "" : ",\n") + "{\"system_id\":\"MA-1001\",\"meter_serial\":\"" + meter
                            + "\",\"read_at\":\"" + at + "\",\"register_kwh\":" + hour + "}");
                }
            }
            w.write(xml ? "</feed>\n" : "\n]}\n");
        }
    }
}
