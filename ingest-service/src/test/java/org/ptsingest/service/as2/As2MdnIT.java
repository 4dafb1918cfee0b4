package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * RFC 4130's details of the MDN (issue 11, item 6), each checked on the MDN as it came over the wire
 * (not only as as2-lib reads it, which forgives some of them), and with both senders: phax as2-lib
 * ({@link PartnerAs2Client#send}) and the BouncyCastle raw sender ({@link PartnerAs2Client#sendSignedPart}).
 */
class As2MdnIT extends IngestItSupport {
    private static final Pattern MIC = Pattern.compile("Received-Content-MIC: *([^\\r\\n]*)");

    /** The two independent AS2 senders. */
    enum Sender { AS2_LIB, RAW }

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

    /** Camel named the MIC {@code sha256} while the signature said {@code micalg=sha-256}. */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void theMicNamesItsAlgorithmAsTheMdnSignatureDoes(Sender sender) throws Exception {
        PartnerAs2Client client = client();
        Mdn mdn = send(sender, client, As2InteropIT.randomXml(), "application/xml", Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(micalg(client)).isEqualTo("sha-256");
        assertThat(receivedContentMic(client)).endsWith(", sha-256").isEqualTo(mdn.sentMic());
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
    }

    /** The partner asks SHA-1 first: the MDN is signed with SHA-1 and its MIC is too, named as asked. */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void aPartnerAllowedLegacyAlgorithmsWhoAsksSha1FirstGetsASha1SignedMdn(Sender sender) throws Exception {
        registerAs2Partner("sunwatch", sunwatch, true);
        PartnerAs2Client client = client();
        // as2-lib computes its own MIC with its signing digest, so it signs with SHA-1 as well
        Mdn mdn = send(sender, client, As2InteropIT.randomXml(), "application/xml",
                Options.defaults().withDigest("sha1").withMicalg("sha1, sha-256"));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(micalg(client)).isEqualTo("sha1");
        assertThat(receivedContentMic(client)).endsWith(", sha1").isEqualTo(mdn.sentMic());
        assertThat(signatureDigestOid(client)).isEqualTo(OIWObjectIdentifiers.idSHA1.getId());
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
    }

    /** A partner not allowed SHA-1 asking it first gets the next algorithm it named that is allowed. */
    @Test
    void aPartnerNotAllowedSha1GetsItsNextAlgorithm() throws Exception {
        PartnerAs2Client client = client();
        Mdn mdn = send(Sender.RAW, client, As2InteropIT.randomXml(), "application/xml",
                Options.defaults().withMicalg("sha1, sha-256"));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(micalg(client)).isEqualTo("sha-256");
        assertThat(receivedContentMic(client)).endsWith(", sha-256");
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
    }

    /**
     * A message refused after it decrypted and its signed part was found still gets the MIC of that part:
     * the partner knows which bytes were refused. (Camel left it out of every negative MDN.)
     */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void aSignedNegativeMdnCarriesTheMicOfWhatWasRefused(Sender sender) throws Exception {
        PartnerAs2Client client = client();
        Mdn mdn = send(sender, client, "a,b\r\n1,2\r\n".getBytes(StandardCharsets.US_ASCII), "text/csv",
                Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: unexpected-processing-error");
        assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
        assertThat(receivedContentMic(client)).isEqualTo(mdn.sentMic());
        assertThat(mdn.micMatches()).isTrue();
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /** Camel wrote the signed MDN's own Content-Type line again as the first line of its body. */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void theSynchronousSignedMdnBodyStartsWithItsFirstBoundary(Sender sender) throws Exception {
        PartnerAs2Client client = client();
        Mdn mdn = send(sender, client, As2InteropIT.randomXml(), "application/xml", Options.defaults());

        assertThat(mdn.signed()).isTrue();
        String contentType = client.lastAnswer().header("Content-Type");
        Matcher boundary = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        assertThat(boundary.find()).as(contentType).isTrue();
        assertThat(new String(client.lastAnswer().body(), StandardCharsets.UTF_8))
                .startsWith("--" + boundary.group(1) + "\r\n");
    }

    /** RFC 4130 §7.2: the asynchronous MDN is an HTTP message of the service's with a Date (only as2-lib sends async). */
    @Test
    void anAsynchronousMdnPostCarriesADate() throws Exception {
        try (MdnListener listener = MdnListener.start(0)) {
            Instant before = Instant.now().minusSeconds(1);
            client().send(As2InteropIT.randomXml(), "feed.xml", Options.defaults().withAsyncMdnUrl(listener.url()));

            MdnListener.Received received = listener.await(Duration.ofSeconds(30));
            String date = received.headers().get("date");
            assertThat(date).as(received.headers().toString()).isNotNull();
            assertThat(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                    .isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .isBeforeOrEqualTo(Instant.now());
        }
    }

    /**
     * A Message-ID with non-ASCII characters, sent as UTF-8 (RFC 6532): it comes back unchanged in the
     * MDN (Camel made it {@code ??}) and its receipt is found by it (it was a 404).
     * The raw sender (HttpCore's client, which writes the header as UTF-8 bytes) sends
     * {@code Expect: 100-continue}: it failed intermittently until the service answered 100 Continue
     * before reading the body ({@code As2TransportIT#expect100ContinueIsAnsweredBeforeTheBodyIsSent}).
     */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void aNonAsciiMessageIdIsEchoedAndItsReceiptFound(Sender sender) throws Exception {
        String messageId = "<lieferung-möhren-été-" + UUID.randomUUID() + "@sunwatch.example>";
        PartnerAs2Client client = client();
        // as2-lib writes header characters as ISO-8859-1 bytes: it is handed the UTF-8 bytes as such
        // characters (its coder turns C1 bytes, as in the UTF-8 of 'ß', into '?': none here).
        String given = sender == Sender.RAW ? messageId
                : new String(messageId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        // a fixed payload: what is tested is the header (random payloads are As2InteropIT's, 1,000 of them)
        Mdn mdn = send(sender, client, java.nio.file.Files.readAllBytes(SAMPLES.resolve(As2FeedIT.XML_FEED)),
                "application/xml", Options.defaults().withMessageId(given));

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(new String(client.lastAnswer().body(), StandardCharsets.UTF_8))
                .contains("Original-Message-ID: " + messageId + "\r\n");
        assertThat(dsl.selectFrom(FEED).fetchSingle().getSourceKey()).isEqualTo("as2:sunwatch:" + messageId);

        var receipt = send(java.net.http.HttpRequest.newBuilder(url("/api/v1/as2/receipt?message_id="
                + URLEncoder.encode(messageId, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + issueKey("sunwatch")).GET().build());
        assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
    }

    static Mdn send(Sender sender, PartnerAs2Client client, byte[] payload, String contentType, Options options)
            throws Exception {
        return switch (sender) {
            case AS2_LIB -> client.send(payload, "feed.xml", options.withContentType(contentType));
            case RAW -> client.sendSignedPart(As2FeedIT.concat(("Content-Type: " + contentType
                    + "\r\nContent-Disposition: attachment; filename=feed.xml\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), payload), options);
        };
    }

    static String micalg(PartnerAs2Client client) {
        Matcher m = Pattern.compile("micalg=\"?([^\";]+)\"?").matcher(client.lastAnswer().header("Content-Type"));
        return m.find() ? m.group(1) : null;
    }

    static String receivedContentMic(PartnerAs2Client client) {
        Matcher m = MIC.matcher(new String(client.lastAnswer().body(), StandardCharsets.UTF_8));
        return m.find() ? m.group(1).trim() : null;
    }

    /** The digest the MDN's CMS signature was made with, read from the signature itself. */
    static String signatureDigestOid(PartnerAs2Client client) throws Exception {
        MimeMultipart signed = new MimeMultipart(new ByteArrayDataSource(client.lastAnswer().body(),
                client.lastAnswer().header("Content-Type")));
        byte[] signature = signed.getBodyPart(1).getInputStream().readAllBytes();
        return new CMSSignedData(signature).getSignerInfos().iterator().next().getDigestAlgOID();
    }

    void registerAs2Partner(String providerId, Identity partner, boolean legacyAlgorithmsAllowed) throws Exception {
        var r = send(asOps("/api/v1/providers/" + providerId + "/as2-partner")
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of(
                        "as2_id", partner.as2Id(), "certificate", pem(partner.certificate()),
                        "legacy_algorithms_allowed", legacyAlgorithmsAllowed))))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("legacy_algorithms_allowed").asBoolean()).isEqualTo(legacyAlgorithmsAllowed);
    }

    PartnerAs2Client client() {
        return new PartnerAs2Client(sunwatch, service.as2Id(), service.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
    }
}
