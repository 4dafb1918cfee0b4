package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Nothing waits for a timer:
 * <ul>
 *   <li>a file uploaded to the embedded SFTP server is taken as soon as its upload completes: the server asks the
 *       inbox route to poll at once, and the read lock trusts the server that the file is whole;</li>
 *   <li>a delivery the delivery worker is to judge (an SFTP file above {@code async-above}, an HTTPS post answered
 *       202) is taken by the worker as soon as it is recorded.</li>
 * </ul>
 * Here the route's own polls and the worker's runs are a day apart, and a file's mtime must be two minutes old
 * before the read lock would take it on its own, so every answer can only come from the delivery itself (the
 * shared context's tests, which write into the inbox behind the server's back, keep the polls and the mtime's age).
 * The context has a database of its own: on the shared one, the other contexts' delivery workers (runs 200 ms
 * apart) would judge its deliveries too, and write an SFTP receipt into their own drop boxes.
 */
class PromptDeliveryIT extends IngestItSupport {
    @TempDir
    Path tmp;
    Path key;

    @DynamicPropertySource
    static void slowPolls(DynamicPropertyRegistry registry) throws Exception {
        String url = ownDatabase();
        registry.add("spring.datasource.url", () -> url);
        int sftpPort = freePort(); // chosen once: the supplier is asked whenever the property is read
        registry.add("ingest.sftp.port", () -> sftpPort);
        registry.add("ingest.sftp.poll-delay", () -> "1d");
        registry.add("ingest.sftp.read-lock-check-interval", () -> "2m");
        registry.add("ingest.delivery.worker-delay", () -> "1d");
        // 01-baseline.csv (298 bytes) is judged by the channel, 02-every-code.csv (810 bytes) by the worker
        registry.add("ingest.sftp.async-above", () -> "500B");
        registry.add("ingest.https.async-above", () -> "500B");
        // its own keys, known_hosts and drop box; its other background work keeps out of the shared context's way
        registry.add("ingest.data-dir", () -> "target/it-data/prompt-pickup");
        registry.add("ingest.production.worker-delay", () -> "1d");
        registry.add("ingest.as2.enabled", () -> "false");
        registry.add("camel.component.as2.enabled", () -> "false");
    }

    @BeforeEach
    void sunwatchWithAKey() throws Exception {
        loadSampleRegistry();
        key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@it");
        HttpResponse<String> put = send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    @Test
    void aFileUploadedUnderATemporaryNameIsTakenOnceRenamed() throws Exception {
        Path feed = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv").toAbsolutePath();
        sftp("put " + feed + " inbox/baseline.csv.part\nrename inbox/baseline.csv.part inbox/baseline.csv\n");
        JsonNode receipt = awaitReceipt("sunwatch", "baseline.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
    }

    @Test
    void aFileUploadedUnderItsOwnNameIsTakenOnceClosed() throws Exception {
        Path feed = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv").toAbsolutePath();
        sftp("put " + feed + " inbox/direct.csv\n");
        JsonNode receipt = awaitReceipt("sunwatch", "direct.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
    }

    @Test
    void anSftpFileForTheDeliveryWorkerIsJudgedOnceRecorded() throws Exception {
        Path feed = SAMPLES.resolve("csv-v1/sunwatch/02-every-code.csv").toAbsolutePath();
        sftp("put " + feed + " inbox/every-code.csv.part\nrename inbox/every-code.csv.part inbox/every-code.csv\n");
        JsonNode receipt = awaitReceipt("sunwatch", "every-code.csv");
        assertThat(receipt.get("file_name").asText()).isEqualTo("every-code.csv");
        assertThat(SftpIngestIT.codesByLine(receipt)).containsEntry(6, "DAS_MANDATE");
    }

    @Test
    void anHttpsPostAnswered202IsJudgedOnceRecorded() throws Exception {
        String key = issueKey("sunwatch");
        HttpResponse<String> posted = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("csv-v1/sunwatch/02-every-code.csv"))).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String poll = posted.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> answer = org.awaitility.Awaitility.await("judged").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> send(HttpRequest.newBuilder(url(poll)).header("Authorization", "Bearer " + key).GET().build()),
                        a -> a.statusCode() != 202);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(SftpIngestIT.codesByLine(JSON.readTree(answer.body()))).containsEntry(6, "DAS_MANDATE");
    }

    private void sftp(String batch) throws Exception {
        OpenSshClient.Result r = new OpenSshClient(key, properties).batch("sunwatch", batch);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** ingest_test's sibling ingest_test_prompt (created when missing, migrated by the context's Flyway). */
    private static String ownDatabase() throws Exception {
        String shared = System.getenv().getOrDefault("SPRING_DATASOURCE_URL", "jdbc:postgresql://localhost:5432/ingest_test");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*/)([^/?]+)(\\?.*)?$").matcher(shared);
        if (!m.matches()) {
            throw new IllegalStateException("cannot tell the database from " + shared);
        }
        String name = m.group(2) + "_prompt";
        String user = System.getenv().getOrDefault("INGEST_DB_USER", "ingest");
        String password = System.getenv().getOrDefault("INGEST_DB_PASSWORD", "ingest");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(shared, user, password);
                java.sql.PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (java.sql.ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (java.sql.Statement create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + name);
                    }
                }
            }
        }
        return m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
    }
}
