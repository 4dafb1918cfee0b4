package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.As2MdnIT.Sender;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SHA-1 signatures and 3DES envelopes (issue 11, item 7): refused for a partner registered without
 * {@code legacy_algorithms_allowed} (the default), processed for one registered with it; both senders.
 */
class As2LegacyAlgorithmsIT extends IngestItSupport {

    @Autowired
    As2Identity service;

    Identity sunwatch;

    @BeforeEach
    void registerSunwatch() throws Exception {
        loadSampleRegistry();
        sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("sunwatch", sunwatch.as2Id(), sunwatch.certificate());
    }

    @Test
    void aNewPartnerIsNotAllowedLegacyAlgorithms() throws Exception {
        var r = send(asOps("/api/v1/providers/sunwatch/as2-partner").GET().build());

        assertThat(JSON.readTree(r.body()).get("legacy_algorithms_allowed").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Sender.class)
    void aSha1SignatureIsRefusedWithTheMicOfWhatWasRefused(Sender sender) throws Exception {
        PartnerAs2Client client = client();
        // The partner asks a SHA-256 receipt; as2-lib computes its own MIC with its signing digest (SHA-1)
        Mdn mdn = As2MdnIT.send(sender, client, As2InteropIT.randomXml(), "application/xml",
                Options.defaults().withDigest("sha1"));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: insufficient-message-security");
        assertThat(mdn.text()).contains("signed with SHA-1");
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(mdn.receivedContentMic()).endsWith(", sha-256");
        if (sender == Sender.RAW) {
            assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        }
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Sender.class)
    void a3desEnvelopeIsRefused(Sender sender) throws Exception {
        Mdn mdn = As2MdnIT.send(sender, client(), As2InteropIT.randomXml(), "application/xml",
                Options.defaults().withCipher("3des"));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: insufficient-message-security");
        assertThat(mdn.text()).contains("encrypted with 3DES");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Sender.class)
    void aPartnerAllowedLegacyAlgorithmsMayUseSha1And3des(Sender sender) throws Exception {
        registerLegacyPartner();
        Mdn mdn = As2MdnIT.send(sender, client(), As2InteropIT.randomXml(), "application/xml",
                Options.defaults().withDigest("sha1").withMicalg("sha1").withCipher("3des"));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
    }

    void registerLegacyPartner() throws Exception {
        var r = send(asOps("/api/v1/providers/sunwatch/as2-partner")
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of(
                        "as2_id", sunwatch.as2Id(), "certificate", pem(sunwatch.certificate()),
                        "legacy_algorithms_allowed", true))))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    PartnerAs2Client client() {
        return new PartnerAs2Client(sunwatch, service.as2Id(), service.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
    }
}
