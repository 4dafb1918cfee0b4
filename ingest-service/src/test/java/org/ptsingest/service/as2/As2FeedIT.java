package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.AS2_ASYNC_MDN;
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
import org.bouncycastle.cms.CMSCompressedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.ZlibCompressor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

        // the provider reads it with its API key, by Message-ID; another provider cannot
        String query = "/api/v1/as2/receipt?message_id=" + URLEncoder.encode(mdn.messageId(), StandardCharsets.UTF_8);
        assertThat(send(withKey(issueKey("sunwatch"), query)).statusCode()).isEqualTo(200);
        assertThat(send(withKey(issueKey("gridsense"), query)).statusCode()).isEqualTo(404);
    }

    @Test
    void ptsArDataAndCsvAsEdiConsentAreFeedsToo() throws Exception {
        Mdn ardata = client(sunwatch).send(sample("pts/ardata-sunwatch.xml"), "ardata.xml", Options.defaults());
        Mdn csv = client(sunwatch).send(sample("csv-v1/sunwatch/01-baseline.csv"), "01-baseline.csv",
                Options.defaults().withContentType("application/edi-consent"));

        assertThat(ardata.disposition()).as(ardata.toString()).endsWith("processed");
        assertThat(csv.disposition()).as(csv.toString()).endsWith("processed");
        assertThat(ardata.micMatches() && csv.micMatches()).isTrue();
        assertThat(dsl.select(FEED.FORMAT).from(FEED).orderBy(FEED.FEED_ID).fetch(FEED.FORMAT))
                .containsExactly("PTS_ARDATA", "CSV_V1");
        assertThat(dsl.fetchCount(READING)).isPositive();
    }

    /**
     * jakarta.mail (as2-lib) folds the signed part's {@code Content-Disposition} line past 76 characters;
     * Camel's parser unfolds it. Verified and MIC'd over the bytes as received, it is an ordinary message.
     */
    @Test
    void signedPartWithAFoldedHeaderLineVerifiesAndItsMicMatches() throws Exception {
        // 60 characters: Content-Disposition is folded; longer names jakarta.mail splits into filename*0, *1 (RFC 2231)
        String name = "sunwatch-" + "0123456789".repeat(4) + "-nov-30.xml";
        assertThat(name).hasSize(60);
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), name, Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        var feed = dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("AS2")).fetchSingle();
        assertThat(feed.getFileName()).isEqualTo(name);
        assertThat(feed.getStatus()).isEqualTo("PARTIALLY_ACCEPTED");
    }

    /** Past 60 characters jakarta.mail writes the name as RFC 2231 continuations; it stays the feed's name. */
    @Test
    void aLongFileNameSplitIntoContinuationsIsKept() throws Exception {
        String name = "sunwatch-production-" + "0123456789".repeat(6) + "-nov-30.xml";
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), name, Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.micMatches()).isTrue();
        assertThat(dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("AS2")).fetchSingle().getFileName()).isEqualTo(name);
    }

    /** The asynchronous MDN (built by the service, not by Camel's response interceptor) has the same MIC. */
    @Test
    void asynchronousMdnOfAFoldedSignedPartCarriesTheMicOfTheBytesReceived() throws Exception {
        try (MdnListener listener = MdnListener.start(0)) {
            Mdn sent = client(sunwatch).send(sample(XML_FEED), "sunwatch-async-" + "0123456789".repeat(4) + "5.xml",
                    Options.defaults().withAsyncMdnUrl(listener.url()));

            assertThat(sent.httpStatus()).isEqualTo(200);
            assertAsyncMdn(listener.await(Duration.ofSeconds(30)), sent, "processed");
        }
    }

    /**
     * Header lines jakarta.mail never writes, from a sender built on BouncyCastle's CMS classes alone: a
     * valid signature over them verifies, and the MIC is over them as sent (RFC 1847, RFC 4130 §7.3.1).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "Content-Type:application/xml\r\nContent-Disposition: attachment; filename=no-space.xml\r\n",
        "Content-Type:  application/xml\r\nContent-Disposition: attachment; filename=two-spaces.xml\r\n",
        "Content-Type: application/xml \r\nContent-Disposition: attachment; filename=trailing.xml\t \r\n",
        "Content-Type: application/xml\r\nContent-Disposition: attachment;\r\n filename=folded-by-hand.xml\r\n"})
    void signedPartHeadersAreVerifiedAsWritten(String headers) throws Exception {
        byte[] part = concat((headers + "\r\n").getBytes(StandardCharsets.US_ASCII), sample(XML_FEED));

        Mdn mdn = client(sunwatch).sendSignedPart(part, Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        var feed = dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("AS2")).fetchSingle();
        assertThat(feed.getFileName()).endsWith(".xml").doesNotContain(" ", "\t");
        assertThat(feed.getStatus()).isEqualTo("PARTIALLY_ACCEPTED");
    }

    /**
     * Compressed, then signed (RFC 5402): the signed part is the compressed entity, and the MIC is over it
     * as received, not over the payload inside.
     */
    @Test
    void compressedThenSignedPartIsStoredAndItsMicIsOverTheCompressedPart() throws Exception {
        byte[] inner = concat("Content-Type: application/xml\r\nContent-Disposition: attachment; filename=zipped.xml\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), sample(XML_FEED));
        byte[] compressed = new CMSCompressedDataGenerator()
                .generate(new CMSProcessableByteArray(inner), new ZlibCompressor()).getEncoded();
        byte[] part = concat(("Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
                java.util.Base64.getMimeEncoder().encode(compressed));

        Mdn mdn = client(sunwatch).sendSignedPart(part, Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.micMatches()).as("MIC %s vs sent %s", mdn.receivedContentMic(), mdn.sentMic()).isTrue();
        var feed = dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("AS2")).fetchSingle();
        assertThat(feed.getFileName()).isEqualTo("zipped.xml");
        assertThat(feed.getStatus()).isEqualTo("PARTIALLY_ACCEPTED");
    }

    /** Verifying the bytes as received does not make every signature pass: another key's is still refused. */
    @Test
    void signedPartSignedWithAnotherKeyFailsAuthentication() throws Exception {
        Identity impostor = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        byte[] part = ("Content-Type:application/xml\r\n\r\n" + new String(sample(XML_FEED), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);

        Mdn mdn = client(sunwatch.withKey(impostor.key())).sendSignedPart(part, Options.defaults());

        assertRefused(mdn, "authentication-failed");
    }

    @Test
    void unsignedMessageIsRefusedForInsufficientSecurity() throws Exception {
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), "f.xml", Options.defaults().withSign(false));

        assertRefused(mdn, "insufficient-message-security");
        assertThat(mdn.text()).contains("not signed");
    }

    @Test
    void unencryptedMessageIsRefusedForInsufficientSecurity() throws Exception {
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), "f.xml", Options.defaults().withEncrypt(false));

        assertRefused(mdn, "insufficient-message-security");
        assertThat(mdn.text()).contains("not encrypted");
    }

    @Test
    void messageSignedWithAnotherKeyFailsAuthentication() throws Exception {
        Identity impostor = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        // the registered certificate travels with it, but the signature is made with another key
        Mdn mdn = client(sunwatch.withKey(impostor.key())).send(sample(XML_FEED), "f.xml", Options.defaults());

        assertRefused(mdn, "authentication-failed");
        // and a whole other identity claiming to be sunwatch
        assertRefused(client(impostor).send(sample(XML_FEED), "f.xml", Options.defaults()), "authentication-failed");
    }

    @Test
    void messageEncryptedForAnotherCertificateFailsDecryption() throws Exception {
        Identity stranger = PartnerAs2Client.newIdentity("SOMEONE-ELSE", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        Mdn mdn = client(sunwatch, stranger.certificate()).send(sample(XML_FEED), "f.xml", Options.defaults());

        // (this client checks the MDN's signature against the stranger's certificate, so it cannot verify it)
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: decryption-failed");
        assertThat(mdn.signed()).isTrue();
        assertThat(dsl.fetchCount(FEED)).isZero();
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    @Test
    void unknownPartnerIsRefused() throws Exception {
        Identity unknown = PartnerAs2Client.newIdentity("NOT-REGISTERED", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        Mdn mdn = client(unknown).send(sample(XML_FEED), "f.xml", Options.defaults());

        assertRefused(mdn, "unknown-trading-partner");
        assertThat(mdn.text()).contains("NOT-REGISTERED");
    }

    @Test
    void expiredPartnerCertificateFailsAuthentication() throws Exception {
        Identity expired = PartnerAs2Client.newIdentity("GRIDSENSE-AS2", Instant.now().minus(Duration.ofDays(400)),
                Instant.now().minus(Duration.ofDays(35)));
        register("gridsense", expired);

        Mdn mdn = client(expired).send(sample(XML_FEED), "f.xml", Options.defaults());

        assertRefused(mdn, "authentication-failed");
        assertThat(mdn.text()).contains("outside its validity period");
    }

    @Test
    void replayedMessageIdIsNotProcessedTwice() throws Exception {
        Options options = Options.defaults().withMessageId("<replay-1@sunwatch.example>");
        Mdn first = client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", options);
        // the same Message-ID and bytes again (the partner missed the MDN): answered with the first result
        Mdn again = client(sunwatch).send(sample(XML_FEED), "other.xml", options);

        assertThat(first.disposition()).endsWith("processed");
        assertThat(again.disposition()).endsWith("processed");
        assertThat(again.signatureVerified() && again.micMatches()).isTrue();
        assertThat(again.text()).contains("already received under this Message-ID");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
        assertThat(receiptByMessageId("<replay-1@sunwatch.example>").get("file_name").asText())
                .isEqualTo("01-baseline.xml");
    }

    /** Issue 11: a signed "processed" MDN for content that was thrown away would be a false receipt. */
    @Test
    void aMessageIdReusedForOtherContentIsRefusedNotAcknowledged() throws Exception {
        Options options = Options.defaults().withMessageId("<reused-1@sunwatch.example>");
        Mdn first = client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", options);
        Mdn reused = client(sunwatch).send(sample("csv-v1/sunwatch/01-baseline.csv"), "other.csv",
                options.withContentType("application/edi-consent"));

        assertThat(first.disposition()).endsWith("processed");
        assertThat(reused.disposition()).as(reused.toString()).endsWith("processed/error: duplicate-message-id");
        assertThat(reused.signatureVerified()).isTrue();
        assertThat(reused.text()).contains("received before (delivery").contains("with other content");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
        assertThat(dsl.fetchValue(FEED.FILE_NAME)).isEqualTo("01-baseline.xml");
        // the first content again under that Message-ID is still a plain replay
        Mdn replay = client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", options);
        assertThat(replay.disposition()).endsWith("processed");
        assertThat(replay.text()).contains("already received under this Message-ID");
    }

    /**
     * A failure that is not the message's: recorded on its delivery, answered 503 with Retry-After and no
     * MDN (the partner's gateway sends again), retried by the service; the resent message is answered
     * with the one feed it became.
     */
    @Test
    void databaseFailureAnswers503WithoutMdnAndTheResentMessageIsStoredOnce() throws Exception {
        // PostgreSQL refuses the readings while the trap is armed: the feed's transaction fails inside the route.
        dsl.execute("CREATE OR REPLACE FUNCTION it_refuse_as2_reading() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN RAISE EXCEPTION 'it: database failure'; END $$");
        dsl.execute("CREATE TRIGGER it_refuse_as2_reading BEFORE INSERT ON reading FOR EACH ROW "
                + "EXECUTE FUNCTION it_refuse_as2_reading()");
        Options options = Options.defaults().withMessageId("<outage-1@sunwatch.example>");
        Mdn failed;
        try {
            failed = client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", options);
        } finally {
            dsl.execute("DROP TRIGGER it_refuse_as2_reading ON reading");
            dsl.execute("DROP FUNCTION it_refuse_as2_reading()");
        }
        assertThat(failed.httpStatus()).as("no MDN: the partner's gateway sends again").isEqualTo(503);
        assertThat(failed.disposition()).isNull();
        assertThat(dsl.fetchCount(FEED)).isZero();

        Mdn resent = org.awaitility.Awaitility.await("resent until answered").atMost(Duration.ofSeconds(30))
                .until(() -> client(sunwatch).send(sample(XML_FEED), "01-baseline.xml", options),
                        m -> m.disposition() != null);
        assertThat(resent.disposition()).as(resent.toString()).endsWith("processed");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
    }

    @Test
    void feedRejectedWholeGivesProcessedErrorWithTheCode() throws Exception {
        Mdn mdn = client(sunwatch).send(sample("xml-v1/malformed/not-well-formed.xml"), "bad.xml", Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: SCHEMA_VIOLATION");
        assertThat(mdn.signatureVerified()).isTrue();
        var feed = dsl.selectFrom(FEED).fetchSingle();
        assertThat(feed.getStatus()).isEqualTo("REJECTED");
        assertThat(feed.getRejectionCode()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(receiptByMessageId(mdn.messageId()).get("status").asText()).isEqualTo("REJECTED");
    }

    @Test
    void unsignedMdnWhenTheSenderDoesNotAskForASignedOne() throws Exception {
        Mdn mdn = client(sunwatch).send(sample(XML_FEED), "f.xml", Options.defaults().withRequestSignedMdn(false));

        assertThat(mdn.disposition()).endsWith("processed");
        assertThat(mdn.signed()).isFalse();
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
    }

    @Test
    void partnerApiRefusesBadRegistrations() throws Exception {
        HttpResponse<String> notPem = send(asOps("/api/v1/providers/sunwatch/as2-partner")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"as2_id\":\"X\",\"certificate\":\"hello\"}")).build());
        assertThat(notPem.statusCode()).isEqualTo(400);
        assertThat(notPem.body()).contains("not an X.509 certificate");

        String taken = JSON.writeValueAsString(Map.of("as2_id", "SUNWATCH-AS2", "certificate", pem(sunwatch.certificate())));
        HttpResponse<String> conflict = send(asOps("/api/v1/providers/gridsense/as2-partner")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(taken)).build());
        assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);

        HttpResponse<String> info = send(HttpRequest.newBuilder(url("/api/v1/as2")).GET().build());
        assertThat(JSON.readTree(info.body()).get("as2_id").asText()).isEqualTo(service.as2Id());
        HttpResponse<String> cert = send(HttpRequest.newBuilder(url("/api/v1/as2/certificate")).GET().build());
        assertThat(cert.body()).isEqualTo(pem(service.decryptionCertificate()));
    }

    @Test
    void asynchronousMdnIsPostedToThePartnersListener() throws Exception {
        try (MdnListener listener = MdnListener.start(0)) {
            Mdn sent = client(sunwatch).send(sample(XML_FEED), "async.xml",
                    Options.defaults().withAsyncMdnUrl(listener.url()));

            assertThat(sent.httpStatus()).isEqualTo(200);
            assertThat(sent.disposition()).as("nothing but 200 in the response").isNull();
            assertAsyncMdn(listener.await(Duration.ofSeconds(30)), sent, "processed");
            var row = awaitDelivered();
            assertThat(row.getAttempts()).isEqualTo(1);
        }
    }

    /**
     * A partner whose MDN URL takes every connection and never answers makes each post wait its 30 s time-out. The
     * outbox posted every partner's MDNs on one thread, so another partner's MDN waited behind it; now each partner's
     * MDNs go out on a thread of their own.
     */
    @Test
    void aPartnerWhoseMdnUrlNeverAnswersDoesNotHoldUpAnotherPartnersMdn() throws Exception {
        Identity gridsense = PartnerAs2Client.newIdentity("GRIDSENSE-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        register("gridsense", gridsense);
        java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var hole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                MdnListener listener = MdnListener.start(0)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(hole.accept()); // read nothing, answer nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            client(sunwatch).send(sample(XML_FEED), "into-the-void.xml",
                    Options.defaults().withAsyncMdnUrl("http://127.0.0.1:" + hole.getLocalPort() + "/mdn"));
            await("the outbox is posting sunwatch's MDN into the void").atMost(Duration.ofSeconds(30))
                    .until(() -> !held.isEmpty());

            Mdn sent = client(gridsense).send(As2InteropIT.randomXml(), "gridsense.xml",
                    Options.defaults().withAsyncMdnUrl(listener.url()));

            MdnListener.Received received = listener.await(Duration.ofSeconds(15));
            assertThat(received.headers().get("as2-to")).isEqualTo(gridsense.as2Id());
            assertThat(PartnerAs2Client.parseMdn(received.headers(), received.body(), service.decryptionCertificate(),
                    sent.sentMic()).originalMessageId()).isEqualTo(sent.messageId());
            assertThat(dsl.selectFrom(AS2_ASYNC_MDN).where(AS2_ASYNC_MDN.PROVIDER_ID.eq("sunwatch")).fetchSingle()
                    .getDeliveredAt()).as("sunwatch's MDN is still out").isNull();
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void asynchronousMdnIsRetriedUntilTheListenerIsUp() throws Exception {
        int port;
        try (var probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String url = "http://localhost:" + port + "/mdn";
        Mdn sent = client(sunwatch).send(sample(XML_FEED), "async.xml", Options.defaults().withAsyncMdnUrl(url));
        assertThat(sent.httpStatus()).isEqualTo(200);
        assertThat(dsl.fetchCount(FEED)).as("the feed is stored before the MDN goes out").isEqualTo(1);

        await("two failed attempts while the listener is down").atMost(Duration.ofSeconds(30))
                .until(() -> dsl.fetchCount(AS2_ASYNC_MDN, AS2_ASYNC_MDN.ATTEMPTS.ge(2)) > 0);
        assertThat(dsl.selectFrom(AS2_ASYNC_MDN).fetchSingle().getLastError()).contains("Connect");

        try (MdnListener listener = MdnListener.start(port)) {
            assertAsyncMdn(listener.await(Duration.ofSeconds(30)), sent, "processed");
            var row = awaitDelivered();
            assertThat(row.getAttempts()).isGreaterThanOrEqualTo(3);
            assertThat(listener.count()).isEqualTo(1);
        }
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
    }

    // ---- helpers ----

    /** The worker records the delivery in the transaction that sent it, just after the listener answered. */
    org.ptsingest.service.persistence.jooq.tables.records.As2AsyncMdnRecord awaitDelivered() throws Exception {
        await("MDN recorded as delivered").atMost(Duration.ofSeconds(10))
                .until(() -> dsl.fetchCount(AS2_ASYNC_MDN, AS2_ASYNC_MDN.DELIVERED_AT.isNotNull()) > 0);
        return dsl.selectFrom(AS2_ASYNC_MDN).fetchSingle();
    }

    void assertAsyncMdn(MdnListener.Received received, Mdn sent, String disposition) {
        assertThat(received.headers().get("as2-from")).isEqualTo(service.as2Id());
        assertThat(received.headers().get("as2-to")).isEqualTo(sunwatch.as2Id());
        Mdn mdn = PartnerAs2Client.parseMdn(received.headers(), received.body(), service.decryptionCertificate(),
                sent.sentMic());
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith(disposition);
        assertThat(mdn.originalMessageId()).isEqualTo(sent.messageId());
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(mdn.micMatches()).isTrue();
    }

    /** A negative MDN with this modifier, signed by the service, and nothing stored. */
    void assertRefused(Mdn mdn, String modifier) {
        assertThat(mdn.httpStatus()).isEqualTo(200);
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: " + modifier);
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(dsl.fetchCount(FEED)).isZero();
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    PartnerAs2Client client(Identity sender) {
        return client(sender, service.decryptionCertificate());
    }

    PartnerAs2Client client(Identity sender, X509Certificate receiver) {
        return new PartnerAs2Client(sender, service.as2Id(), receiver,
                "http://localhost:" + properties.as2().port() + properties.as2().path());
    }

    void register(String providerId, Identity partner) throws Exception {
        registerAs2Partner(providerId, partner.as2Id(), partner.certificate());
    }

    HttpRequest withKey(String key, String path) {
        return HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + key).GET().build();
    }

    JsonNode receiptByMessageId(String messageId) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/as2/receipt?message_id="
                + URLEncoder.encode(messageId, StandardCharsets.UTF_8)).GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        return receipt;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    static byte[] sample(String path) throws Exception {
        return Files.readAllBytes(SAMPLES.resolve(path));
    }
}
