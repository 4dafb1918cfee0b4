package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.as2.As2Identity;
import org.ptsingest.service.as2.PartnerAs2Client;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A failure that is not the input's fault, injected at the database for every attempt (a trigger
 * refusing sunwatch's feeds), on SFTP, HTTPS and AS2 at once (application-it.yml: 3 attempts, from
 * 500 ms): each delivery is retried, then QUARANTINED — the SFTP file in sunwatch's /quarantine with its
 * .error.json, the HTTPS delivery's URL saying QUARANTINED, the AS2 message answered 503 while retried
 * and then by one negative MDN — while another provider's feeds are accepted. Ops remove the cause and
 * retry each delivery: each is accepted once and nothing is stored twice.
 */
class DeliveryFailureIT extends IngestItSupport {
    static final String SFTP_FEED = "csv-v1/sunwatch/01-baseline.csv";
    static final String HTTPS_FEED = "csv-v1/sunwatch/03-backfill.csv";
    static final String AS2_FEED = "xml-v1/sunwatch/01-baseline.xml";

    @Autowired
    As2Identity as2;

    @AfterEach
    void disarm() {
        dsl.execute("DROP TRIGGER IF EXISTS it_fail_sunwatch ON feed");
        dsl.execute("DROP FUNCTION IF EXISTS it_fail_sunwatch()");
    }

    void arm() {
        dsl.execute("CREATE OR REPLACE FUNCTION it_fail_sunwatch() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN RAISE EXCEPTION 'disk on fire (injected by DeliveryFailureIT)'; END $$");
        dsl.execute("CREATE TRIGGER it_fail_sunwatch BEFORE INSERT ON feed FOR EACH ROW "
                + "WHEN (NEW.provider_id = 'sunwatch') EXECUTE FUNCTION it_fail_sunwatch()");
    }

    @Test
    void failingDeliveriesAreQuarantinedOnEveryChannelWhileOthersFlowAndOpsRetryThemOnce() throws Exception {
        loadSampleRegistry();
        String sunwatchKey = issueKey("sunwatch");
        PartnerAs2Client.Identity partner = PartnerAs2Client.newIdentity("SUNWATCH-AS2",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        registerAs2Partner("sunwatch", partner.as2Id(), partner.certificate());
        PartnerAs2Client as2Client = new PartnerAs2Client(partner, as2.as2Id(), as2.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
        Options as2Message = Options.defaults().withMessageId("<failing-1@sunwatch.example>");
        double failures = metric("ingest_delivery_failures_total");
        double quarantinedBefore = metric("ingest_deliveries_quarantined_total");
        arm();

        // SFTP: the file leaves the inbox once recorded, and lands in /quarantine after the last attempt.
        drop("sunwatch", SAMPLES.resolve(SFTP_FEED), "01-baseline.csv");
        // HTTPS: 503, Retry-After, and the delivery's URL.
        HttpResponse<String> posted = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + sunwatchKey).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve(HTTPS_FEED))).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(503);
        assertThat(posted.headers().firstValue("Retry-After")).isPresent();
        String poll = posted.headers().firstValue("Location").orElseThrow();
        assertThat(JSON.readTree(posted.body()).get("state").asText()).isEqualTo("FAILED");
        assertThat(JSON.readTree(posted.body()).get("error").asText()).contains("disk on fire");
        // AS2: 503 without MDN while it is retried; the partner resends the same message.
        Mdn first = as2Client.send(sample(AS2_FEED), "01-baseline.xml", as2Message);
        assertThat(first.httpStatus()).isEqualTo(503);
        assertThat(first.disposition()).as("no MDN while the service retries").isNull();

        // Meanwhile another provider's feed is accepted.
        JsonNode gridsense = ingest("gridsense", "csv-v1/gridsense/01-baseline.csv");
        assertThat(gridsense.get("status").asText()).isEqualTo("ACCEPTED");

        Path quarantine = providerDir("sunwatch").resolve("quarantine");
        await("SFTP file quarantined").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(quarantine.resolve("01-baseline.csv.error.json")));
        assertThat(quarantine.resolve("01-baseline.csv")).hasSameBinaryContentAs(SAMPLES.resolve(SFTP_FEED));
        assertThat(providerDir("sunwatch").resolve("inbox/01-baseline.csv")).doesNotExist();
        JsonNode notice = JSON.readTree(Files.readString(quarantine.resolve("01-baseline.csv.error.json"),
                StandardCharsets.UTF_8));
        assertThat(notice.get("state").asText()).isEqualTo("QUARANTINED");
        assertThat(notice.get("error").asText()).contains("disk on fire");
        assertThat(notice.get("what_happens_next").asText()).contains("operators");

        HttpResponse<String> quarantined = await("HTTPS delivery quarantined").atMost(Duration.ofSeconds(60))
                .until(() -> get(sunwatchKey, poll), r -> r.statusCode() != 202);
        assertThat(quarantined.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(quarantined.body()).get("state").asText()).isEqualTo("QUARANTINED");
        assertThat(JSON.readTree(quarantined.body()).get("attempts").asInt()).isEqualTo(3);

        // The partner resends until it gets an MDN: one negative MDN, once the delivery is quarantined.
        List<Mdn> answers = new ArrayList<>();
        Mdn negative = await("negative MDN").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    Mdn m = as2Client.send(sample(AS2_FEED), "01-baseline.xml", as2Message);
                    answers.add(m);
                    return m;
                }, m -> m.disposition() != null);
        assertThat(negative.disposition()).endsWith("processed/error: unexpected-processing-error");
        assertThat(negative.signatureVerified()).isTrue();
        assertThat(answers.stream().filter(m -> m.disposition() != null)).hasSize(1);
        assertThat(answers.subList(0, answers.size() - 1)).allMatch(m -> m.httpStatus() == 503);

        List<DeliveryRecord> sunwatch = dsl.selectFrom(DELIVERY).where(DELIVERY.PROVIDER_ID.eq("sunwatch"))
                .orderBy(DELIVERY.DELIVERY_ID).fetch();
        assertThat(sunwatch).hasSize(3).allMatch(d -> d.getState().equals("QUARANTINED") && d.getAttempts() == 3
                && d.getLastError().contains("disk on fire"));
        assertThat(dsl.fetchCount(FEED, FEED.PROVIDER_ID.eq("sunwatch"))).isZero();
        // Two failed attempts each, then the third quarantined it: counted in their own series.
        assertThat(metric("ingest_delivery_failures_total")).isEqualTo(failures + 6);
        assertThat(metric("ingest_deliveries_quarantined_total")).isEqualTo(quarantinedBefore + 3);
        // The ops API lists them.
        JsonNode listed = JSON.readTree(send(asOps("/api/v1/deliveries").GET().build()).body());
        assertThat(listed.get("deliveries")).hasSize(3);

        // Ops fix the cause and retry each (twice, as an impatient operator would): accepted once.
        disarm();
        for (DeliveryRecord d : sunwatch) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> retry = send(asOps("/api/v1/deliveries/" + d.getDeliveryId() + "/retry")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"disk replaced\"}")).build());
                assertThat(retry.statusCode()).as(retry.body()).isIn(200, 409);
            }
        }
        await("retried deliveries judged").atMost(Duration.ofSeconds(60)).until(() ->
                dsl.fetchCount(DELIVERY, DELIVERY.PROVIDER_ID.eq("sunwatch"), DELIVERY.STATE.eq("JUDGED")) == 3);
        // The SFTP file's receipt goes where the provider looks for it; the HTTPS URL answers the receipt.
        JsonNode sftpReceipt = awaitReceipt("sunwatch", "01-baseline.csv");
        // (ACCEPTED or PARTIALLY_ACCEPTED: the three overlap, and the worker judges them in either order)
        assertThat(sftpReceipt.get("status").asText()).isNotEqualTo("REJECTED");
        assertThat(sftpReceipt.get("feed_id").asLong()).isEqualTo(dsl.fetchValue(DELIVERY.FEED_ID, DSL.and(
                DELIVERY.PROVIDER_ID.eq("sunwatch"), DELIVERY.CHANNEL.eq("SFTP"))));
        HttpResponse<String> httpsReceipt = get(sunwatchKey, poll);
        assertThat(httpsReceipt.statusCode()).isEqualTo(200);
        assertValidReceipt(JSON.readTree(httpsReceipt.body()));
        Mdn processed = as2Client.send(sample(AS2_FEED), "01-baseline.xml", as2Message);
        assertThat(processed.disposition()).endsWith("processed");

        assertThat(dsl.fetchCount(FEED, FEED.PROVIDER_ID.eq("sunwatch"))).isEqualTo(3);
        assertThat(dsl.fetchCount(dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT).from(READING)
                .groupBy(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT).having(org.jooq.impl.DSL.count().gt(1))))
                .as("no reading stored twice").isZero();
        assertThat(dsl.fetchCount(OPS_ACTION, OPS_ACTION.ACTION.eq("RETRY_DELIVERY"))).isGreaterThanOrEqualTo(3);
    }

    /** Ops may also give a quarantined delivery up, with a reason; it is never tried again. */
    @Test
    void aQuarantinedDeliveryCanBeDiscardedWithAReason() throws Exception {
        loadSampleRegistry();
        String sunwatchKey = issueKey("sunwatch");
        arm();
        HttpResponse<String> posted = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + sunwatchKey).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve(HTTPS_FEED))).build());
        String poll = posted.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> get(sunwatchKey, poll), r -> r.statusCode() != 202);
        long id = Long.parseLong(poll.substring(poll.lastIndexOf('/') + 1));

        HttpResponse<String> noReason = send(asOps("/api/v1/deliveries/" + id + "/discard")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(noReason.statusCode()).isEqualTo(409);
        HttpResponse<String> discarded = send(asOps("/api/v1/deliveries/" + id + "/discard")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"provider sent it again\"}")).build());
        assertThat(discarded.statusCode()).as(discarded.body()).isEqualTo(200);

        JsonNode state = JSON.readTree(get(sunwatchKey, poll).body());
        assertThat(state.get("state").asText()).isEqualTo("DISCARDED");
        assertThat(state.get("error").asText()).isEqualTo("provider sent it again");
        assertThat(send(asOps("/api/v1/deliveries/" + id + "/retry").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"oops\"}")).build()).statusCode())
                .as("a discarded delivery is not retried").isEqualTo(409);
        assertThat(dsl.fetchCount(OPS_ACTION, OPS_ACTION.ACTION.eq("DISCARD_DELIVERY"))).isEqualTo(1);
    }

    HttpResponse<String> get(String key, String path) throws Exception {
        return send(HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + key).GET().build());
    }

    static byte[] sample(String path) throws Exception {
        return Files.readAllBytes(SAMPLES.resolve(path));
    }
}
