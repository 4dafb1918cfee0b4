package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sample feeds through the real SFTP route into real PostgreSQL; receipts read back from the drop box. */
class SftpIngestIT extends IngestItSupport {

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    static Map<Integer, String> codesByLine(JsonNode receipt) {
        Map<Integer, String> codes = new LinkedHashMap<>();
        receipt.get("readings").forEach(r -> codes.put(r.get("line").asInt(), r.get("code").asText()));
        return codes;
    }

    @Test
    void cleanFeedIsAcceptedAndStored() throws Exception {
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("provider_id").asText()).isEqualTo("sunwatch");
        assertThat(receipt.get("channel").asText()).isEqualTo("SFTP");
        assertThat(receipt.get("reading_count").asInt()).isEqualTo(5);
        assertThat(receipt.get("counts").get("ACCEPTED").asInt()).isEqualTo(5);
        assertThat(receipt.get("sha256").asText()).hasSize(64);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);
        // the file leaves the inbox once processed: Camel removes it when the exchange completes, which may be just
        // after the receipt was written (the assertion read the inbox at once and raced it once in CI)
        org.awaitility.Awaitility.await("the inbox emptied").atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    try (var left = Files.list(providerDir("sunwatch").resolve("inbox"))) {
                        assertThat(left).isEmpty();
                    }
                });
    }

    @Test
    void everyReadingCodeGetsItsLine() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/02-every-code.csv");

        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(codesByLine(receipt)).containsExactly(
                Map.entry(3, "INVALID_VALUE"),
                Map.entry(4, "UNKNOWN_SYSTEM"),
                Map.entry(5, "NOT_DESIGNATED_REPORTER"),
                Map.entry(6, "DAS_MANDATE"),
                Map.entry(7, "FUTURE_READING"),
                Map.entry(8, "BEFORE_INTERCONNECTION"),
                Map.entry(9, "DUPLICATE"),
                Map.entry(10, "CONFLICTING_READING"),
                Map.entry(11, "REGISTER_DECREASED"),
                Map.entry(12, "CAPACITY_EXCEEDED"),
                Map.entry(13, "HIGH_PRODUCTION"),
                Map.entry(14, "DUPLICATE"),
                Map.entry(15, "CONFLICTING_READING"),
                Map.entry(17, "METER_NOT_INSTALLED"));
        assertThat(receipt.get("counts").get("ACCEPTED").asInt()).isEqualTo(2);
        assertThat(receipt.get("reading_count").asInt()).isEqualTo(16);
        long feedId = receipt.get("feed_id").asLong();
        // accepted (lines 2 and 16) and flagged (line 13) readings are stored; nothing else is
        assertThat(dsl.select(READING.LINE_NO).from(READING).where(READING.FEED_ID.eq(feedId)).orderBy(READING.LINE_NO)
                .fetch(READING.LINE_NO)).containsExactly(2, 13, 16);
        assertThat(dsl.fetchValue(dsl.select(READING.FLAG).from(READING)
                .where(READING.FEED_ID.eq(feedId), READING.LINE_NO.eq(13)))).isEqualTo("HIGH_PRODUCTION");
        // the stored value stands after a conflicting one
        assertThat(dsl.fetchValue(dsl.select(READING.REGISTER_KWH).from(READING)
                .where(READING.SYSTEM_ID.eq("MA-1001"), READING.METER_SERIAL.eq("SN-1001-A"),
                        READING.READ_AT.eq(java.time.OffsetDateTime.parse("2025-03-01T00:00:00-05:00")))))
                .isEqualByComparingTo("11100");
        assertThat(dsl.fetchCount(READING_OUTCOME, READING_OUTCOME.FEED_ID.eq(feedId))).isEqualTo(14);
    }

    @Test
    void xmlFeedDroppedOverSftpIsReadAsXml() throws Exception {
        JsonNode receipt = ingest("sunwatch", "xml-v1/sunwatch/01-baseline.xml");
        assertThat(receipt.get("format").asText()).isEqualTo("XML_V1");
        assertThat(receipt.get("counts").get("ACCEPTED").asInt()).isEqualTo(3);
        assertThat(codesByLine(receipt)).containsExactly(Map.entry(25, "INVALID_VALUE"));
    }

    @Test
    void backfillIsJudgedAgainstStoredSuccessor() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/03-backfill.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(codesByLine(receipt)).containsExactly(Map.entry(3, "REGISTER_DECREASED"));
        assertThat(receipt.get("counts").get("ACCEPTED").asInt()).isEqualTo(2);
    }

    @Test
    void bomCrlfQuotedFeedIsAccepted() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/04-bom-crlf-quoted.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("counts").get("ACCEPTED").asInt()).isEqualTo(2);
    }

    @Test
    void feedWhoseEveryReadingIsInvalidIsRejected() throws Exception {
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/05-invalid-values.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.get("counts").get("INVALID_VALUE").asInt()).isEqualTo(8);
        assertThat(receipt.get("readings").get(0).get("message").asText()).isEqualTo("register_kwh -5 is negative");
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "empty.csv|line 1: the feed is empty",
        "header-only.csv|line 1: the feed has a header but no readings",
        "unknown-column.csv|line 1: column 5 'inverter' is not a known column",
        "missing-column.csv|line 1: column 'meter_serial' is missing",
        "repeated-column.csv|line 1: column 5 'System_ID' repeats column 1",
        "unterminated-quote.csv|line 3: unreadable CSV",
        "not-utf8.csv|line 2: column 2: the feed is not valid UTF-8",
    })
    void malformedFeedIsRejectedWholeAndKeptForInspection(String file, String message) throws Exception {
        JsonNode receipt = ingest("sunwatch", "csv-v1/malformed/" + file);
        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.get("rejection").get("code").asText()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(receipt.get("rejection").get("message").asText()).startsWith(message);
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(dsl.fetchCount(READING_OUTCOME)).isZero();
        // the raw bytes are kept and served exactly as delivered
        HttpResponse<byte[]> raw = http().send(asOps("/api/v1/feeds/" + receipt.get("feed_id").asLong() + "/raw")
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(Files.readAllBytes(SAMPLES.resolve("csv-v1/malformed/" + file)));
    }

    @Test
    void sameBytesAgainAnswerWithTheOriginalReceipt() throws Exception {
        JsonNode first = ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        drop("sunwatch", SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"), "resent.csv");
        JsonNode again = awaitReceipt("sunwatch", "resent.csv");
        assertThat(again.get("status").asText()).isEqualTo("DUPLICATE_FEED");
        assertThat(again.get("rejection").get("code").asText()).isEqualTo("DUPLICATE_FEED");
        assertThat(again.get("original_receipt")).isEqualTo(first);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);
        assertThat(dsl.fetchCount(FEED)).isEqualTo(2);
    }

    @Test
    void suspendedProviderIsRejectedAtReceipt() throws Exception {
        JsonNode receipt = ingest("oldmeter", "csv-v1/oldmeter-suspended.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.get("rejection").get("code").asText()).isEqualTo("PROVIDER_NOT_APPROVED");
        assertThat(receipt.get("rejection").get("message").asText()).contains("SUSPENDED");
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    @Test
    void unknownProviderIsRejected() throws Exception {
        // An inbox folder nobody registered (possible on an external SFTP server).
        JsonNode receipt = ingest("ghost", "csv-v1/sunwatch/01-baseline.csv");
        assertThat(receipt.get("rejection").get("code").asText()).isEqualTo("UNKNOWN_PROVIDER");
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    /**
     * A real failure inside the feed's transaction, after the feed row was written and the readings judged:
     * PostgreSQL refuses the readings COPY once (a sequence counts the calls; it is not rolled back). The
     * attempt leaves nothing but its record on the delivery; the file left the inbox with its bytes
     * recorded, and the delivery worker's retry answers it with one feed.
     */
    @Test
    void databaseFailureMidFeedLeavesNothingAndTheDeliveryIsRetried() throws Exception {
        dsl.execute("CREATE SEQUENCE IF NOT EXISTS it_refuse_once");
        dsl.execute("CREATE OR REPLACE FUNCTION it_refuse_reading() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN IF nextval('it_refuse_once') = 1 THEN RAISE EXCEPTION 'it: database failure'; END IF; "
                + "RETURN NEW; END $$");
        dsl.execute("CREATE TRIGGER it_refuse_reading BEFORE INSERT ON reading FOR EACH ROW "
                + "EXECUTE FUNCTION it_refuse_reading()");
        try {
            drop("sunwatch", SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"), "retry.csv");
            JsonNode receipt = awaitReceipt("sunwatch", "retry.csv");
            assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        } finally {
            dsl.execute("DROP TRIGGER it_refuse_reading ON reading");
            dsl.execute("DROP FUNCTION it_refuse_reading()");
            dsl.execute("DROP SEQUENCE it_refuse_once");
        }
        var delivery = dsl.selectFrom(DELIVERY).fetchSingle();
        assertThat(delivery.getState()).isEqualTo("JUDGED");
        assertThat(delivery.getAttempts()).as("one failed attempt, recorded").isEqualTo(1);
        assertThat(delivery.getLastError()).contains("it: database failure");
        assertThat(delivery.getHandedOverAt()).as("the file left the inbox after the failed attempt").isNotNull();
        assertThat(providerDir("sunwatch").resolve("inbox/retry.csv")).doesNotExist();
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);
    }

    @Test
    void fileStillBeingUploadedIsNeverPickedUpHalf(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // A provider's client writes half the feed straight into inbox/ (no temporary name), pauses far
        // longer than the read-lock interval, then writes the rest.
        java.security.KeyPair key = org.ptsingest.service.sftp.SshKeys.loadOrGenerate(tmp.resolve("key"), "it");
        HttpResponse<String> put = send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(
                        org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key.getPublic()))).build());
        assertThat(put.statusCode()).isEqualTo(200);
        byte[] feed = Files.readAllBytes(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"));
        int half = feed.length / 2;
        try (var client = org.apache.sshd.client.SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(new org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier(
                    org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier.INSTANCE, properties.knownHosts()));
            client.start();
            try (var session = client.connect("sunwatch", "localhost", properties.sftp().port())
                    .verify(java.time.Duration.ofSeconds(10)).getSession()) {
                session.addPublicKeyIdentity(key);
                session.auth().verify(java.time.Duration.ofSeconds(10));
                try (var sftp = org.apache.sshd.sftp.client.SftpClientFactory.instance().createSftpClient(session);
                        var out = sftp.write("inbox/slow.csv")) {
                    out.write(feed, 0, half);
                    out.flush();
                    // not taken while open: still in the inbox, no feed, for many polls
                    org.awaitility.Awaitility.await("slow.csv left alone while open")
                            .during(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(5))
                            .until(() -> Files.exists(providerDir("sunwatch").resolve("inbox/slow.csv"))
                                    && dsl.fetchCount(FEED) == 0);
                    out.write(feed, half, feed.length - half);
                }
            }
        }
        JsonNode receipt = awaitReceipt("sunwatch", "slow.csv");
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("byte_count").asInt()).isEqualTo(feed.length);
        assertThat(receipt.get("reading_count").asInt()).isEqualTo(5);
    }

    @Test
    void opsLookFeedsUpOverHttps() throws Exception {
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/02-every-code.csv");
        long id = receipt.get("feed_id").asLong();

        JsonNode list = JSON.readTree(send(asOps("/api/v1/feeds?provider=sunwatch").GET().build()).body());
        assertThat(list.get("feeds")).hasSize(1);
        assertThat(list.get("feeds").get(0).get("feed_id").asLong()).isEqualTo(id);

        JsonNode one = JSON.readTree(send(asOps("/api/v1/feeds/" + id).GET().build()).body());
        assertThat(one.get("status").asText()).isEqualTo(receipt.get("status").asText());
        assertThat(one.get("counts").get("UNKNOWN_SYSTEM").asInt()).isEqualTo(1);

        HttpResponse<String> fromApi = send(asOps("/api/v1/feeds/" + id + "/receipt").GET().build());
        assertThat(JSON.readTree(fromApi.body())).isEqualTo(receipt);

        assertThat(send(HttpRequest.newBuilder(url("/api/v1/feeds")).GET().build()).statusCode()).isEqualTo(401);
        assertThat(send(asOps("/api/v1/feeds/999999").GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void registryImportReportsRowErrorsAndAppliesTheRest() throws Exception {
        Path csv = Files.createTempFile("designations", ".csv");
        Files.writeString(csv, "provider_id,system_id,effective_from,effective_to\n"
                + "gridsense,MA-1005,2024-01-01,\n"
                + "gridsense,MA-0000,2024-01-01,\n"
                + "gridsense,MA-1005,2024-13-01,\n"
                + "nobody,MA-1005,2024-01-01,2024-02-01\n");
        JsonNode result = importRegistry("designations", csv);
        assertThat(result.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(result.get("upserted").asInt()).isEqualTo(1);
        assertThat(result.get("errors").toString())
                .contains("\"line\":3,\"code\":\"UNKNOWN_SYSTEM\"")
                .contains("\"line\":4,\"code\":\"INVALID_VALUE\"")
                .contains("\"line\":5,\"code\":\"UNKNOWN_PROVIDER\"");

        Files.writeString(csv, "system_id,provider\nMA-1,x\n");
        HttpResponse<String> bad = send(asOps("/api/v1/registry/designations").header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(csv)).build());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("SCHEMA_VIOLATION").contains("column 2 'provider' is not a known column");
    }

    @Test
    void metricsAndHealthAreExposed() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/02-every-code.csv");
        String metrics = send(HttpRequest.newBuilder(url("/actuator/prometheus")).GET().build()).body();
        assertThat(metrics).containsPattern("ingest_feeds_total\\{channel=\"SFTP\",status=\"PARTIALLY_ACCEPTED\"\\} [1-9]");
        assertThat(metrics).containsPattern("ingest_readings_total\\{outcome=\"DAS_MANDATE\"\\} [1-9]");
        assertThat(metrics).contains("camel_exchanges_total{");

        // the parts are for ops (anonymous callers get the status only: ActuatorHealthIT)
        JsonNode health = JSON.readTree(send(asOps("/actuator/health").GET().build()).body());
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/db/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/camelHealth/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/camelHealth/details").toString()).contains("sftp-inbox");
    }
}
