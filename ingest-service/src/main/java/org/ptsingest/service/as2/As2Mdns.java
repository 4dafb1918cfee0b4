package org.ptsingest.service.as2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.component.as2.api.AS2Header;
import org.apache.camel.component.as2.api.AS2MimeType;
import org.apache.camel.component.as2.api.AS2SignatureAlgorithm;
import org.apache.camel.component.as2.api.AS2SignedDataGenerator;
import org.apache.camel.component.as2.api.AS2TransferEncoding;
import org.apache.camel.component.as2.api.entity.AS2DispositionModifier;
import org.apache.camel.component.as2.api.entity.AS2DispositionType;
import org.apache.camel.component.as2.api.entity.DispositionMode;
import org.apache.camel.component.as2.api.entity.DispositionNotificationOptions;
import org.apache.camel.component.as2.api.entity.DispositionNotificationOptionsParser;
import org.apache.camel.component.as2.api.entity.MimeEntity;
import org.apache.camel.component.as2.api.entity.MultipartReportEntity;
import org.apache.camel.component.as2.api.entity.MultipartSignedEntity;
import org.apache.camel.component.as2.api.util.AS2Utils;
import org.apache.camel.component.as2.api.util.EntityUtils;
import org.apache.camel.component.as2.api.util.HttpMessageUtils;
import org.apache.camel.component.as2.api.util.SigningUtils;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ParseException;

/**
 * Every MDN the service sends, synchronous or asynchronous, positive or negative, built here with
 * the component's MIME and signing classes rather than by the component's own MDN code, which (Camel
 * 4.17) names the MIC {@code sha256} where the signature says {@code sha-256}, leaves the MIC out of
 * every negative MDN, signs with one fixed algorithm whatever the partner asked, writes a copy of the
 * signed MDN's Content-Type line into its synchronous body and turns a non-ASCII Message-ID into
 * {@code ?}. Here:
 * <ul>
 *   <li>the MDN is signed (when the partner asked for a signed receipt) with the first algorithm of
 *       its {@code signed-receipt-micalg} that the service supports and allows for that partner, and
 *       the {@code Received-Content-MIC} uses the same algorithm, under the name the partner used
 *       (RFC 5751 {@code sha-256} or RFC 3851 {@code sha1}), as does the signature's {@code micalg};</li>
 *   <li>the MIC is over the signed MIME part exactly as received, in positive and negative MDNs alike,
 *       whenever the message decrypted and its signed part could be delimited;</li>
 *   <li>Original-Message-ID and the text carry the Message-ID as received, UTF-8 (RFC 6532) when it is
 *       not ASCII, so the partner can match the MDN to its message.</li>
 * </ul>
 */
public final class As2Mdns {

    /**
     * An MDN ready to send: its Content-Type (an HTTP header, RFC 4130 §7.3) and body, the disposition it
     * reports, its own Message-ID and the digest algorithm it was signed with ({@code null} unsigned).
     */
    public record Mdn(String originalMessageId, String mdnMessageId, String disposition, String contentType,
            byte[] body, String micalg) {}

    /** A digest the service signs MDNs with and computes MICs in; SHA-1 only for partners allowed legacy algorithms. */
    enum MicAlgorithm {
        SHA_256("SHA-256", AS2SignatureAlgorithm.SHA256WITHRSA, false, "sha-256", "sha256"),
        SHA_384("SHA-384", AS2SignatureAlgorithm.SHA384WITHRSA, false, "sha-384", "sha384"),
        SHA_512("SHA-512", AS2SignatureAlgorithm.SHA512WITHRSA, false, "sha-512", "sha512"),
        SHA_1("SHA-1", AS2SignatureAlgorithm.SHA1WITHRSA, true, "sha-1", "sha1");

        final String jdkName;
        final AS2SignatureAlgorithm signature;
        final boolean legacy;
        private final List<String> names;

        MicAlgorithm(String jdkName, AS2SignatureAlgorithm signature, boolean legacy, String... names) {
            this.jdkName = jdkName;
            this.signature = signature;
            this.legacy = legacy;
            this.names = List.of(names);
        }

        static Optional<MicAlgorithm> named(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (MicAlgorithm a : values()) {
                if (a.names.contains(n)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }

        /** The name Camel's signer writes in {@code micalg} (RFC 5751). */
        String rfc5751Name() {
            return names.get(0);
        }
    }

    /** The algorithm chosen for one MDN, and the name the partner asked it by. */
    record Choice(MicAlgorithm algorithm, String name) {}

    private final As2Identity identity;
    private final String serverFqdn;

    public As2Mdns(As2Identity identity, String serverFqdn) {
        this.identity = identity;
        this.serverFqdn = serverFqdn;
    }

    String text(ClassicHttpRequest request, String outcome) {
        return "MDN from the PTS DAS ingestion service (AS2 " + identity.as2Id() + ")\r\n"
                + "  Original Message-ID: " + header(request, AS2Header.MESSAGE_ID) + "\r\n"
                + "  AS2-From: " + header(request, AS2Header.AS2_FROM) + "\r\n"
                + "  Subject: " + header(request, AS2Header.SUBJECT) + "\r\n"
                + "  Processed at: " + Instant.now() + "\r\n"
                + "  Outcome: " + printable(outcome) + "\r\n";
    }

    /**
     * The first algorithm of the partner's {@code signed-receipt-micalg} that the service supports and
     * allows (SHA-1 only with {@code legacyAllowed}); SHA-256 when it names none of them or asks none.
     */
    static Choice choose(ClassicHttpRequest request, boolean legacyAllowed) {
        DispositionNotificationOptions options = options(request);
        if (options != null && options.getSignedReceiptMicalg() != null
                && options.getSignedReceiptMicalg().getValues() != null) {
            for (String name : options.getSignedReceiptMicalg().getValues()) {
                Optional<MicAlgorithm> a = MicAlgorithm.named(name);
                if (a.isPresent() && (legacyAllowed || !a.get().legacy)) {
                    return new Choice(a.get(), name.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return new Choice(MicAlgorithm.SHA_256, MicAlgorithm.SHA_256.rfc5751Name());
    }

    /**
     * The MDN for a message: {@code modifier} null is a plain {@code processed}; {@code signedPart}
     * (the signed MIME part as received) null when the message could not be read that far, and so has
     * no MIC.
     */
    Mdn build(ClassicHttpRequest request, AS2DispositionModifier modifier, String text, byte[] signedPart,
            boolean legacyAllowed) throws HttpException, IOException {
        DispositionNotificationOptions options = options(request);
        boolean signedReceipt = options != null && options.getSignedReceiptProtocol() != null;
        Choice choice = choose(request, legacyAllowed);
        String originalMessageId = HttpMessageUtils.getHeaderValue(request, AS2Header.MESSAGE_ID);
        String disposition = DispositionMode.AUTOMATIC_ACTION_MDN_SENT_AUTOMATICALLY + "; "
                + AS2DispositionType.PROCESSED + (modifier == null ? "" : "/" + modifier);

        List<String> fields = new ArrayList<>();
        fields.add("Reporting-UA: PTS-DAS-ingestion");
        String to = HttpMessageUtils.getHeaderValue(request, AS2Header.AS2_TO);
        fields.add("Original-Recipient: rfc822; " + printable(to == null ? identity.as2Id() : to));
        fields.add("Final-Recipient: rfc822; " + identity.as2Id());
        if (originalMessageId != null) {
            fields.add("Original-Message-ID: " + printable(originalMessageId));
        }
        fields.add("Disposition: " + disposition);
        // RFC 4130 §7.3.1: the MIC is returned whenever the receiver could compute it; a negative MDN
        // with it tells the partner which bytes were refused. Only when a MIC was asked for (options).
        if (signedPart != null && options != null) {
            fields.add("Received-Content-MIC: " + mic(signedPart, choice));
        }

        String boundary = EntityUtils.createBoundaryValue();
        MultipartReportEntity report = new MultipartReportEntity(ContentType.parse(AS2MimeType.MULTIPART_REPORT
                + "; report-type=disposition-notification; boundary=\"" + boundary + "\""), null, true, boundary);
        report.addPart(new Utf8Part("text/plain; charset=utf-8", text));
        report.addPart(new Utf8Part(AS2MimeType.MESSAGE_DISPOSITION_NOTIFICATION, String.join("\r\n", fields) + "\r\n"));

        MimeEntity mdn = report;
        String contentType = report.getContentType();
        String micalg = null;
        if (signedReceipt) {
            AS2SignedDataGenerator signer = SigningUtils.createSigningGenerator(choice.algorithm().signature,
                    identity.signingChain(), identity.signingKey());
            report.setMainBody(false); // signed with its headers, as a MIME part
            MultipartSignedEntity signed = new MultipartSignedEntity(report, signer, StandardCharsets.US_ASCII.name(),
                    AS2TransferEncoding.BASE64, true, null);
            mdn = signed;
            // The signature says micalg in the name the partner used, as the Received-Content-MIC does.
            contentType = signed.getContentType().replace("micalg=" + choice.algorithm().rfc5751Name(),
                    "micalg=" + choice.name());
            micalg = choice.name();
        }
        // Main body: its headers travel as HTTP headers (RFC 4130 §7.3), not as a first line of the body.
        mdn.setMainBody(true);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        mdn.writeTo(body);
        return new Mdn(originalMessageId, AS2Utils.createMessageId(serverFqdn), disposition, contentType,
                body.toByteArray(), micalg);
    }

    /** {@code base64-digest, algorithm} (RFC 4130 §7.3.1), in the algorithm name the partner asked for. */
    static String mic(byte[] signedPart, Choice choice) {
        try {
            byte[] digest = MessageDigest.getInstance(choice.algorithm().jdkName).digest(signedPart);
            return Base64.getEncoder().encodeToString(digest) + ", " + choice.name();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DispositionNotificationOptions options(ClassicHttpRequest request) {
        String value = HttpMessageUtils.getHeaderValue(request, AS2Header.DISPOSITION_NOTIFICATION_OPTIONS);
        if (value == null) {
            return null;
        }
        try {
            return DispositionNotificationOptionsParser.parseDispositionNotificationOptions(value, null);
        } catch (RuntimeException | ParseException e) { // unparseable options: answered as if none were given
            return null;
        }
    }

    private static String header(ClassicHttpRequest request, String name) {
        String value = HttpMessageUtils.getHeaderValue(request, name);
        return value == null ? "" : printable(value);
    }

    /** Control characters from the partner's headers would break the MDN's fields: each becomes '?'. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return b.toString();
    }

    /**
     * A leaf MIME part written as UTF-8 with CRLF line ends. Camel's own text and notification parts
     * write US-ASCII only (a non-ASCII Message-ID became '?'); an MDN travels over HTTP, which carries
     * 8-bit content unchanged, and RFC 6532 allows UTF-8 in such fields.
     */
    static final class Utf8Part extends MimeEntity {
        private final byte[] content;

        Utf8Part(String contentType, String content) {
            super(ContentType.parse(contentType), content.chars().allMatch(c -> c < 0x80)
                    ? AS2TransferEncoding.SEVENBIT : "8bit");
            this.content = content.replaceAll("\r?\n", "\r\n").getBytes(StandardCharsets.UTF_8);
            setMainBody(false);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            if (!isMainBody()) {
                for (Header header : getAllHeaders()) {
                    out.write((header.getName() + ": " + header.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write(new byte[] {'\r', '\n'});
            }
            out.write(content);
        }

        @Override
        public void close() {}
    }
}
