package org.ptsingest.service.as2;

import java.io.ByteArrayInputStream;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.camel.component.as2.api.AS2Header;
import org.apache.camel.component.as2.api.AS2MimeType;
import org.apache.camel.component.as2.api.entity.ApplicationEntity;
import org.apache.camel.component.as2.api.entity.ApplicationPkcs7MimeCompressedDataEntity;
import org.apache.camel.component.as2.api.entity.ApplicationPkcs7MimeEnvelopedDataEntity;
import org.apache.camel.component.as2.api.entity.EntityParser;
import org.apache.camel.component.as2.api.entity.MimeEntity;
import org.apache.camel.component.as2.api.entity.MultipartSignedEntity;
import org.apache.camel.component.as2.api.util.HttpMessageUtils;
import org.apache.camel.component.as2.api.util.SigningUtils;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.bouncycastle.cms.jcajce.ZlibExpanderProvider;
import org.bouncycastle.util.io.StreamOverflowException;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.service.as2.As2Partners.Partner;

/**
 * Decides whether an AS2 message may become a feed, in this order: it names the service in
 * {@code AS2-To}, its {@code AS2-From} is a registered partner, it is encrypted, it decrypts with the
 * service's key, it is signed, <em>that partner's</em> registered certificate is within its validity
 * period, the signature verifies against that certificate, and the payload is a feed format.
 * Camel's AS2 server checks none of the sender's identity and delivers unverified signatures, so
 * this is the only gate; it reads the request the component already parsed. The signature is checked
 * over the signed part's bytes as received ({@link SignedPartAsReceived}), and an admitted request
 * gets an entity from which Camel's MDN code computes the MIC over those same bytes.
 */
public final class As2Admission {

    /** Why a message was refused, with the disposition modifier its MDN carries ({@code processed/error: ...}). */
    public enum Refusal {
        MALFORMED("unexpected-processing-error", "the request is not an AS2 message"),
        WRONG_RECIPIENT("unknown-trading-partner", "AS2-To does not name this service"),
        UNKNOWN_PARTNER("unknown-trading-partner", "AS2-From is not a registered trading partner"),
        NOT_ENCRYPTED("insufficient-message-security", "the message is not encrypted"),
        DECRYPTION_FAILED("decryption-failed", "the message does not decrypt with the service's key"),
        NOT_SIGNED("insufficient-message-security", "the message is not signed"),
        SIGNATURE_INVALID("authentication-failed",
                "the signature does not verify against the certificate registered for AS2-From"),
        CERTIFICATE_NOT_VALID("authentication-failed",
                "the certificate registered for AS2-From is outside its validity period"),
        UNSUPPORTED_PAYLOAD("unexpected-processing-error",
                "the payload is neither application/xml nor application/edi-consent"),
        /** RFC 5402's modifier: a compressed layer that expands beyond {@code ingest.as2.max-message-size}. */
        DECOMPRESSED_TOO_LARGE("decompression-failed",
                "the content, decompressed, is larger than the largest AS2 message the service takes"),
        LEGACY_ALGORITHM("insufficient-message-security",
                "the message uses SHA-1 or 3DES, which this partner is not allowed to use (sign with SHA-256, "
                        + "encrypt with AES, or ask ops to allow legacy algorithms for this partner)");

        private final String modifier;
        private final String meaning;

        Refusal(String modifier, String meaning) {
            this.modifier = modifier;
            this.meaning = meaning;
        }

        /** The text after {@code error: } in the MDN's disposition. */
        public String modifier() {
            return modifier;
        }

        public String meaning() {
            return meaning;
        }
    }

    public sealed interface Decision permits Admitted, Refused {}

    /**
     * A message that may become a feed. {@code payload} is the decrypted, verified content without
     * MIME headers; {@code fileName} comes from its Content-Disposition when there is one.
     */
    public record Admitted(Partner partner, String messageId, FeedFormat format, String fileName, byte[] payload,
            byte[] signedPart) implements Decision {}

    /**
     * {@code signedPart} is the signed MIME part as received when the message got that far (decrypted,
     * its signed part delimited), so that even a negative MDN can carry the MIC of what was refused;
     * {@code partner} the registered partner when there is one.
     */
    public record Refused(Refusal refusal, String detail, byte[] signedPart, Partner partner) implements Decision {
        /** The detail as it goes into the MDN's text and the log: control characters escaped, a header's worth. */
        public Refused {
            detail = Echo.message(detail, MAX_DETAIL);
        }

        public Refused(Refusal refusal, String detail) {
            this(refusal, detail, null, null);
        }

        public String text() {
            return refusal.meaning() + (detail == null ? "" : ": " + detail);
        }
    }

    /**
     * The longest Message-ID taken, in UTF-8 bytes: a mail header line's limit (RFC 5322 §2.1.1). It is the
     * delivery's identity, looked up by an index whose entries PostgreSQL caps at about 2,700 bytes.
     */
    public static final int MAX_MESSAGE_ID_BYTES = 998;
    /** A refusal's detail is cut here: it can quote a header of any length. */
    static final int MAX_DETAIL = 1_000;

    /** The pre-RFC 5751 name of {@code application/pkcs7-mime} that older gateways still send. */
    private static final String LEGACY_ENVELOPE = "application/x-pkcs7-mime";
    /**
     * What Camel parses inside a signature: the payload types (of which only XML and EDI-consent become
     * feeds; the others are refused later, by name) and a compressed layer.
     */
    private static final Set<String> SIGNABLE = Set.of(AS2MimeType.APPLICATION_XML, AS2MimeType.APPLICATION_EDI_CONSENT,
            AS2MimeType.APPLICATION_EDIFACT, AS2MimeType.APPLICATION_EDI_X12, AS2MimeType.APPLICATION_PKCS7_MIME);

    private final String serviceAs2Id;
    private final PrivateKey decryptionKey;
    private final Function<String, Optional<Partner>> partners;
    private final long maxContentBytes;

    /**
     * @param maxContentBytes the most a compressed layer may expand to ({@code ingest.as2.max-message-size}):
     *     a few kilobytes of zlib can expand a thousandfold, in memory, and the outer layer (compressed after
     *     signing) is expanded before the signature says who sent it
     */
    public As2Admission(String serviceAs2Id, PrivateKey decryptionKey, Function<String, Optional<Partner>> partners,
            long maxContentBytes) {
        this.serviceAs2Id = serviceAs2Id;
        this.decryptionKey = decryptionKey;
        this.partners = partners;
        this.maxContentBytes = maxContentBytes;
    }

    /**
     * @param body the request body exactly as received ({@link As2HttpService} keeps it): the envelope is
     *     taken from these bytes, not from Camel's parse of them, which can lose a CR (see
     *     {@link SignedPartAsReceived#envelope}); {@code null} only when there was no body
     */
    public Decision judge(ClassicHttpRequest request, byte[] body, Instant now) {
        String from = HttpMessageUtils.getHeaderValue(request, AS2Header.AS2_FROM);
        String to = HttpMessageUtils.getHeaderValue(request, AS2Header.AS2_TO);
        String messageId = HttpMessageUtils.getHeaderValue(request, AS2Header.MESSAGE_ID);
        String contentType = HttpMessageUtils.getHeaderValue(request, AS2Header.CONTENT_TYPE);
        if (from == null || to == null || messageId == null || contentType == null) {
            return new Refused(Refusal.MALFORMED, "AS2-From, AS2-To, Message-ID and Content-Type are required");
        }
        int idBytes = messageId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (idBytes > MAX_MESSAGE_ID_BYTES) {
            return new Refused(Refusal.MALFORMED, "the Message-ID is " + idBytes + " bytes long; at most "
                    + MAX_MESSAGE_ID_BYTES + " are taken (a mail header line's limit, RFC 5322 §2.1.1)");
        }
        if (!serviceAs2Id.equals(unquote(to))) {
            return new Refused(Refusal.WRONG_RECIPIENT, "expected " + serviceAs2Id + ", got " + to);
        }
        Optional<Partner> partner = partners.apply(unquote(from));
        if (partner.isEmpty()) {
            return new Refused(Refusal.UNKNOWN_PARTNER, unquote(from));
        }
        ApplicationPkcs7MimeEnvelopedDataEntity enveloped;
        byte[] encrypted;
        try {
            if (LEGACY_ENVELOPE.equalsIgnoreCase(ContentType.parse(contentType).getMimeType())) {
                // The pre-RFC 5751 name (older gateways): Camel's server connection left such a body unparsed.
                request.setHeader(AS2Header.CONTENT_TYPE, contentType.replaceFirst("(?i)" + LEGACY_ENVELOPE,
                        AS2MimeType.APPLICATION_PKCS7_MIME));
            }
            EntityParser.parseAS2MessageEntity(request);
            if (!(request.getEntity() instanceof ApplicationPkcs7MimeEnvelopedDataEntity e)) {
                return new Refused(Refusal.NOT_ENCRYPTED, "Content-Type " + contentType);
            }
            enveloped = e;
            encrypted = SignedPartAsReceived.envelope(body,
                    HttpMessageUtils.getHeaderValue(request, AS2Header.CONTENT_TRANSFER_ENCODING));
        } catch (Exception e) {
            return new Refused(Refusal.MALFORMED, rootMessage(e));
        }
        // Kept as bytes, not only parsed: the signature and the MIC are over the signed part as received.
        byte[] signedMime;
        try {
            signedMime = EntityParser.decryptData(encrypted, decryptionKey);
        } catch (Exception e) {
            return new Refused(Refusal.DECRYPTION_FAILED, "it was probably encrypted for another certificate");
        }
        // It decrypted: whatever fails from here is about what was inside, never about decryption.
        MimeEntity entity;
        try {
            signedMime = SignedPartAsReceived.withLegacySignatureTypeRenamed(signedMime);
            entity = EntityParser.parseEntity(signedMime);
            if (entity instanceof ApplicationPkcs7MimeCompressedDataEntity) { // sign, then compress
                signedMime = SignedPartAsReceived.withLegacySignatureTypeRenamed(
                        decompress(SignedPartAsReceived.content(signedMime)));
                entity = EntityParser.parseEntity(signedMime);
            }
        } catch (ExpandsTooFar e) {
            return new Refused(Refusal.DECOMPRESSED_TOO_LARGE, e.getMessage(), null, partner.get());
        } catch (Exception e) {
            return unparseable(signedMime, e, partner.get());
        }
        if (!(entity instanceof MultipartSignedEntity signed)) {
            return new Refused(Refusal.NOT_SIGNED, "the decrypted content is " + entity.getContentType(), null,
                    partner.get());
        }
        Partner p = partner.get();
        byte[] signedPart = SignedPartAsReceived.firstBodyPart(signedMime);
        if (signedPart == null) {
            return new Refused(Refusal.MALFORMED, "the signed part of the multipart/signed cannot be delimited", null, p);
        }
        // From here every refusal carries the signed part: its MDN has the MIC of what was refused.
        if (!p.validAt(now)) {
            return new Refused(Refusal.CERTIFICATE_NOT_VALID, "valid " + p.certificate().getNotBefore().toInstant()
                    + " to " + p.certificate().getNotAfter().toInstant(), signedPart, p);
        }
        byte[] signature = signed.getSignatureEntity().getSignature();
        if (!SigningUtils.isValidSigned(signedPart, signature, new Certificate[] {p.certificate()})) {
            return new Refused(Refusal.SIGNATURE_INVALID, "certificate " + p.certificate().getSubjectX500Principal()
                    + ", serial " + p.certificate().getSerialNumber().toString(16), signedPart, p);
        }
        if (!p.legacyAlgorithmsAllowed()) {
            String legacy = LegacyAlgorithms.used(encrypted, signedPart, signature);
            if (legacy != null) {
                return new Refused(Refusal.LEGACY_ALGORITHM, legacy, signedPart, p);
            }
        }
        // The payload's MIME part as received (inside a compressed layer, if it was compressed then signed):
        // its bytes are the feed's, not Camel's parse of them, which can lose a CR (SignedPartAsReceived.content).
        MimeEntity content;
        byte[] payloadPart;
        try {
            if (signed.getSignedDataEntity() instanceof ApplicationPkcs7MimeCompressedDataEntity) {
                payloadPart = decompress(SignedPartAsReceived.content(signedPart));
                content = EntityParser.parseEntity(payloadPart);
            } else {
                payloadPart = signedPart;
                content = signed.getSignedDataEntity();
            }
        } catch (ExpandsTooFar e) {
            return new Refused(Refusal.DECOMPRESSED_TOO_LARGE, e.getMessage(), signedPart, p);
        } catch (Exception e) {
            return new Refused(Refusal.MALFORMED, rootMessage(e), signedPart, p);
        }
        if (!(content instanceof ApplicationEntity application)) {
            return new Refused(Refusal.UNSUPPORTED_PAYLOAD, "got " + content.getContentType(), signedPart, p);
        }
        String mime = ContentType.parse(application.getContentType()).getMimeType().toLowerCase(Locale.ROOT);
        byte[] payload;
        try {
            payload = SignedPartAsReceived.content(payloadPart);
        } catch (Exception e) {
            return new Refused(Refusal.MALFORMED, rootMessage(e), signedPart, p);
        }
        FeedFormat format = switch (mime) {
            case AS2MimeType.APPLICATION_XML -> isArData(payload) ? FeedFormat.PTS_ARDATA : FeedFormat.XML_V1;
            case AS2MimeType.APPLICATION_EDI_CONSENT -> FeedFormat.CSV_V1;
            default -> null;
        };
        if (format == null) {
            return new Refused(Refusal.UNSUPPORTED_PAYLOAD, "got " + mime, signedPart, p);
        }
        // From here Camel's consumer and MDN code read this entity: the MIC over the signed part as received.
        request.setEntity(
                SignedPartAsReceived.forCamel(enveloped, encrypted, signed, application, payload, signedPart));
        return new Admitted(p, messageId, format, fileName(application, messageId, format), payload, signedPart);
    }

    /** A compressed layer's content, refused with {@link ExpandsTooFar} past {@link #maxContentBytes}. */
    private byte[] decompress(byte[] compressed) throws Exception {
        try {
            return EntityParser.uncompressData(compressed, new ZlibExpanderProvider(maxContentBytes));
        } catch (Exception e) {
            for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof StreamOverflowException) {
                    throw new ExpandsTooFar("more than " + maxContentBytes + " bytes from " + compressed.length
                            + " compressed (ingest.as2.max-message-size)");
                }
            }
            throw e;
        }
    }

    private static final class ExpandsTooFar extends Exception {
        ExpandsTooFar(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Camel's parser fails on a whole {@code multipart/signed} whose payload type it does not know
     * ({@code text/csv}, for one), and on such a payload unsigned: an unsupported payload or a missing
     * signature, said as such, not a broken message (nor, as before, a decryption failure).
     */
    private static Refused unparseable(byte[] mime, Exception e, Partner partner) {
        String outer = SignedPartAsReceived.mediaType(mime);
        if (outer != null && !outer.equals(AS2MimeType.MULTIPART_SIGNED) && !SIGNABLE.contains(outer)) {
            return new Refused(Refusal.NOT_SIGNED, "the decrypted content is " + outer, null, partner);
        }
        // It decrypted and its signed part can be delimited: the MDN carries that part's MIC.
        byte[] signedPart = SignedPartAsReceived.firstBodyPart(mime);
        String signed = SignedPartAsReceived.firstBodyPartType(mime);
        if (signed != null && !SIGNABLE.contains(signed)) {
            return new Refused(Refusal.UNSUPPORTED_PAYLOAD, "got " + signed, signedPart, partner);
        }
        return new Refused(Refusal.MALFORMED, rootMessage(e), signedPart, partner);
    }

    private static String fileName(HttpEntity application, String messageId, FeedFormat format) {
        if (application instanceof MimeEntity mime) {
            var disposition = mime.getFirstHeader(AS2Header.CONTENT_DISPOSITION);
            String name = disposition == null ? null : dispositionFileName(disposition.getValue());
            if (name != null) {
                // only the last path segment: the name is shown and used for receipts, never as a path
                name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
                if (!name.isBlank()) {
                    return name;
                }
            }
        }
        // A name the service makes up must itself be an allowed one (a Message-ID holds '@' and '<>').
        return FeedFileName.safe("as2-" + unquote(messageId).replaceAll("^<|>$", ""))
                + (format == FeedFormat.CSV_V1 ? ".csv" : ".xml");
    }

    /**
     * The file name of a Content-Disposition value: {@code filename=}, RFC 2231's {@code filename*=}
     * (charset''percent-encoded) and its continuations {@code filename*0=}, {@code filename*1*=}…, which
     * mail libraries use for names longer than a header line (jakarta.mail does above 60 characters).
     */
    static String dispositionFileName(String value) {
        String plain = null;
        String extended = null;
        java.util.TreeMap<Integer, String> pieces = new java.util.TreeMap<>();
        java.util.Set<Integer> encodedPieces = new java.util.HashSet<>();
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = unquote(part.substring(eq + 1).trim());
            if (key.equals("filename")) {
                plain = v;
            } else if (key.equals("filename*")) {
                extended = decode2231(v, true);
            } else if (key.matches("filename\\*\\d+\\*?")) {
                int n = Integer.parseInt(key.replaceAll("\\D", ""));
                pieces.put(n, v);
                if (key.endsWith("*")) {
                    encodedPieces.add(n);
                }
            }
        }
        if (extended != null) {
            return extended;
        }
        if (!pieces.isEmpty()) {
            StringBuilder raw = new StringBuilder();
            boolean encoded = false;
            for (var e : pieces.entrySet()) {
                raw.append(e.getValue());
                encoded |= encodedPieces.contains(e.getKey());
            }
            return encoded ? decode2231(raw.toString(), pieces.firstKey() == 0 && encodedPieces.contains(0)) : raw.toString();
        }
        return plain;
    }

    /** {@code charset'language'percent-encoded} (RFC 2231); undecodable input is kept as it came. */
    private static String decode2231(String value, boolean withCharset) {
        try {
            String charset = "UTF-8";
            String text = value;
            if (withCharset) {
                int first = value.indexOf('\'');
                int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
                if (second > 0) {
                    charset = first == 0 ? "UTF-8" : value.substring(0, first);
                    text = value.substring(second + 1);
                }
            }
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), java.nio.charset.Charset.forName(charset));
        } catch (RuntimeException e) {
            return value;
        }
    }

    static String unquote(String value) {
        String v = value.trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * PTS's {@code ARData} document and our XML feed v1 travel as the same MIME type; the root element
     * tells them apart. DTDs stay off: the feed readers refuse them with a proper code later.
     */
    static boolean isArData(byte[] xml) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try {
            XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                while (reader.hasNext()) {
                    if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                        return "ARData".equals(reader.getLocalName());
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            return false; // not XML: the XML feed reader reports it as SCHEMA_VIOLATION with its position
        }
        return false;
    }
}
