package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The AS2 channel against phax as2-lib (an AS2 implementation we did not write): real signed and
 * encrypted messages over HTTP to the service's Camel AS2 server, MDNs read and verified by as2-lib,
 * and what each case left in PostgreSQL.
 */
class As2FeedIT extends IngestItSupport {
    static final String XML_FEED = "xml-v1/sunwatch/01-baseline.xml";

    @Autowired
    As2Identity service;

    Identity sunwatch;

    @BeforeEach
    void registerSunwatch() throws Exception {
        loadSampleRegistry();
        sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        register("sunwatch", sunwatch);
    }

    @Test
    void signedAndEncryptedFeedIsStoredAndAnsweredWithASignedProcessedMdn() throws Exception {
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", Options.defaults());

        assertThat(mdn.httpStatus()).isEqualTo(200);
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.signed()).isTrue();
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        assertThat(mdn.originalMessageId()).isEqualTo(mdn.messageId());

        var feed = dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("AS2")).fetchSingle();
        assertThat(feed.getProviderId()).isEqualTo("sunwatch");
        assertThat(feed.getFileName()).isEqualTo("01-baseline.xml");
        assertThat(feed.getFormat()).isEqualTo("XML_V1");
        // Some of this sample's readings are rejected: the MDN still says processed, the receipt has the detail.
        assertThat(feed.getStatus()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(mdn.text()).contains("feed " + feed.getFeedId() + " PARTIALLY_ACCEPTED");

        JsonNode receipt = receiptByMessageId(mdn.messageId());
        assertThat(receipt.get("feed_id").asLong()).isEqualTo(feed.getFeedId());
        assertThat(dsl.fetchCount(READING)).isEqualTo(receipt.get("counts").get("ACCEPTED").asInt()).isPositive();
    }

    // ---- helpers ----

    PartnerAs2Client client(Identity sender) {
        return client(sender, service.decryptionCertificate());
    }

    PartnerAs2Client client(Identity sender, X509Certificate receiver) {
        return new PartnerAs2Client(sender, service.as2Id(), receiver,
                "http://localhost:" + properties.as2().port() + properties.as2().path());
    }

    void register(String providerId, Identity partner) throws Exception {
        String body = JSON.writeValueAsString(Map.of("as2_id", partner.as2Id(), "certificate", pem(partner.certificate())));
        HttpResponse<String> r = send(asOps("/api/v1/providers/" + providerId + "/as2-partner")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    JsonNode receiptByMessageId(String messageId) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/as2/receipt?message_id="
                + URLEncoder.encode(messageId, StandardCharsets.UTF_8)).GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        return receipt;
    }

    static String pem(X509Certificate cert) throws Exception {
        var out = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(cert);
        }
        return out.toString();
    }

    static byte[] sample(String path) throws Exception {
        return Files.readAllBytes(SAMPLES.resolve(path));
    }
}
