package org.ptsingest.service.as2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Locale;
import org.apache.camel.component.as2.api.entity.ApplicationEntity;
import org.apache.camel.component.as2.api.entity.ApplicationPkcs7MimeEnvelopedDataEntity;
import org.apache.camel.component.as2.api.entity.MimeEntity;
import org.apache.camel.component.as2.api.entity.MultipartSignedEntity;
import org.apache.camel.component.as2.api.util.EntityUtils;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;

/**
 * The signed MIME part of an AS2 message byte for byte as the partner sent it, which is what RFC 1847
 * signs and RFC 4130 §7.3.1 computes the {@code Received-Content-MIC} over.
 *
 * <p>Camel 4.17 gets both wrong for some senders: its parser unfolds header lines (httpcore5 turns
 * CRLF + TAB into a space), and both {@code SigningUtils.isValid} and {@code MicUtils} hash the part as
 * Camel <em>writes it again</em> ({@code "name: value"} + CRLF, its own transfer encoding). A folded
 * {@code Content-Disposition} (jakarta.mail folds lines past 76 characters), {@code Content-Type:x}
 * without a space or trailing white space then give another digest: a correct signature is refused
 * and the MIC mismatches. So the service cuts the part out of the decrypted bytes itself.
 */
final class SignedPartAsReceived {
    private static final byte[] CRLF = {'\r', '\n'};

    private SignedPartAsReceived() {}

    /**
     * The first body part of a multipart entity (its headers, the blank line and its content, without
     * the CRLF that belongs to the next delimiter), or {@code null} when it cannot be delimited.
     * {@code mime} is the whole entity, headers included, as it was decrypted or decompressed.
     */
    static byte[] firstBodyPart(byte[] mime) {
        int[] bounds = firstBodyPartBounds(mime);
        return bounds == null ? null : Arrays.copyOfRange(mime, bounds[0], bounds[1]);
    }

    /** Where {@link #firstBodyPart} starts and ends in {@code mime} ({@code [start, end)}), or {@code null}. */
    static int[] firstBodyPartBounds(byte[] mime) {
        int headerEnd = indexOf(mime, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (headerEnd < 0) {
            return null;
        }
        String boundary = boundary(new String(mime, 0, headerEnd, StandardCharsets.ISO_8859_1));
        if (boundary == null || boundary.isEmpty()) {
            return null;
        }
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // From the header block's last CRLF, so a body that starts with the delimiter (no preamble) is found too.
        int first = indexOf(mime, delimiter, headerEnd + 2);
        if (first < 0) {
            return null;
        }
        int lineEnd = indexOf(mime, CRLF, first + delimiter.length); // after transport padding, if any
        if (lineEnd < 0) {
            return null;
        }
        int start = lineEnd + 2;
        int end = indexOf(mime, delimiter, lineEnd);
        if (end < start) {
            return null;
        }
        return new int[] {start, end};
    }

    /**
     * Older gateways type the signature part (and the {@code protocol} parameter) {@code
     * application/x-pkcs7-signature}, the pre-RFC 5751 name; Camel 4.17's parser only knows {@code
     * application/pkcs7-signature} and fails on the whole entity. The legacy name is rewritten in the
     * header blocks only: the first body part, which is what was signed and what the MIC covers, is
     * left exactly as received.
     */
    static byte[] withLegacySignatureTypeRenamed(byte[] mime) {
        int[] bounds = firstBodyPartBounds(mime);
        if (bounds == null) {
            return mime;
        }
        String before = new String(mime, 0, bounds[0], StandardCharsets.ISO_8859_1);
        String after = new String(mime, bounds[1], mime.length - bounds[1], StandardCharsets.ISO_8859_1);
        String legacy = "(?i)application/x-pkcs7-signature";
        String newBefore = before.replaceAll(legacy, "application/pkcs7-signature");
        String newAfter = after.replaceAll(legacy, "application/pkcs7-signature");
        if (newBefore.equals(before) && newAfter.equals(after)) {
            return mime;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(mime.length);
        out.writeBytes(newBefore.getBytes(StandardCharsets.ISO_8859_1));
        out.write(mime, bounds[0], bounds[1] - bounds[0]);
        out.writeBytes(newAfter.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** The {@code Content-Type} media type of the first body part, lower case, or {@code null}. */
    static String firstBodyPartType(byte[] mime) {
        byte[] part = firstBodyPart(mime);
        return part == null ? null : mediaType(part);
    }

    /** The media type of an entity's own {@code Content-Type} header, lower case, or {@code null}. */
    static String mediaType(byte[] entity) {
        int headerEnd = indexOf(entity, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        String contentType = headerValue(new String(entity, 0, headerEnd < 0 ? entity.length : headerEnd,
                StandardCharsets.ISO_8859_1), "Content-Type");
        try {
            return contentType == null ? null : ContentType.parse(contentType).getMimeType().toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The envelope's bytes as the partner sent them: the request body as received, its transfer encoding
     * undone. Not Camel's parse of it: Camel 4.17 reads a binary body line by line
     * ({@code EntityParser.parseBodyPartText} with {@code AS2SessionInputBuffer.readLine}) and loses a CR
     * that ends one read of its input when the next read begins with the LF (it looks for the CR in the new
     * read only), and a last line's CR without LF ({@code lineFromLineBuffer} strips it as if it were a
     * line end). An envelope is random bytes: either way it arrives a byte short and does not decrypt.
     *
     * @param body the request body exactly as received
     * @param transferEncoding its {@code Content-Transfer-Encoding}; none, {@code binary}, {@code 7bit},
     *     {@code 8bit}, {@code base64} or {@code quoted-printable}
     */
    static byte[] envelope(byte[] body, String transferEncoding) throws IOException {
        if (body == null) {
            throw new IOException("the request has no body");
        }
        return decode(body, transferEncoding);
    }

    /**
     * The content of a MIME part as received — what follows its header block — with its own
     * {@code Content-Transfer-Encoding} undone: a payload's bytes exactly as the partner signed them. Camel's
     * parser reads a part line by line from 8 KiB reads of the decrypted bytes and loses a CR that ends one
     * read when the next begins with its LF (see {@link #envelope}): a CSV with CRLF line ends lost a byte
     * at every such 8 KiB boundary, and compressed binary content did not decompress.
     *
     * @param part a MIME part: header lines, an empty line, the content (a part without headers starts with
     *     the empty line)
     */
    static byte[] content(byte[] part) throws IOException {
        int start;
        if (part.length >= 2 && part[0] == '\r' && part[1] == '\n') {
            start = 2;
        } else {
            int headerEnd = indexOf(part, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
            if (headerEnd < 0) {
                throw new IOException("the MIME part has no empty line after its headers");
            }
            start = headerEnd + 4;
        }
        String encoding = headerValue(new String(part, 0, start, StandardCharsets.ISO_8859_1),
                "Content-Transfer-Encoding");
        return decode(Arrays.copyOfRange(part, start, part.length), encoding);
    }

    /** Bytes with a {@code Content-Transfer-Encoding} undone (none, binary, 7bit, 8bit: as they are). */
    private static byte[] decode(byte[] bytes, String encoding) throws IOException {
        try {
            return EntityUtils.decode(bytes, encoding == null ? null : encoding.trim());
        } catch (Exception e) {
            throw new IOException("cannot undo transfer encoding " + encoding, e);
        }
    }

    /** The value of a header in a header block (folded lines unfolded first), or {@code null}. */
    private static String headerValue(String headers, String name) {
        for (String line : headers.replaceAll("\r\n[ \t]", " ").split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The {@code boundary} of the header block's Content-Type (folded lines unfolded first, RFC 5322 §2.2.3). */
    private static String boundary(String headers) {
        String contentType = headerValue(headers, "Content-Type");
        return contentType == null ? null : ContentType.parse(contentType).getParameter("boundary");
    }

    /**
     * The request entity Camel sees once a message is admitted. Camel's consumer and its MDN code
     * (synchronous {@code ResponseMDN}; {@code DispositionNotificationMultipartReportEntity}, also for
     * the asynchronous MDN) each decrypt the envelope again, take the {@code multipart/signed} inside
     * and compute the MIC over the payload entity they find there, re-serialised; a request entity is
     * the only input they have. So this envelope hands out the already decrypted {@code
     * multipart/signed} (no second decryption) whose first part is the payload writing itself as the
     * signed part as received. A compressed layer, in either order (RFC 5402), is left out: Camel would
     * otherwise MIC the decompressed payload, and the MIC belongs to what was signed. The signature
     * part is the parsed one, so Camel could only verify this structure wrongly; the endpoint has no
     * {@code validateSigningCertificateChain}, and the service verified the bytes as received.
     */
    static HttpEntity forCamel(ApplicationPkcs7MimeEnvelopedDataEntity received, byte[] encrypted,
            MultipartSignedEntity signed, ApplicationEntity payload, byte[] payloadBytes, byte[] signedPart) {
        MultipartSignedEntity content = new MultipartSignedEntity(ContentType.parse(signed.getContentType()),
                signed.getContentTransferEncodingValue(), signed.getBoundary(), false) {};
        content.addPart(new PayloadWrittenAsSignedPart(payloadBytes, ContentType.parse(payload.getContentType()),
                payload.getContentTransferEncodingValue(), signedPart));
        content.addPart(signed.getSignatureEntity());
        return new AdmittedEnvelope(received, encrypted, content);
    }

    private static final class AdmittedEnvelope extends ApplicationPkcs7MimeEnvelopedDataEntity {
        private final MimeEntity content;

        AdmittedEnvelope(ApplicationPkcs7MimeEnvelopedDataEntity received, byte[] encrypted, MimeEntity content) {
            super(encrypted, received.getContentTransferEncodingValue(), true);
            removeAllHeaders();
            setHeaders(received.getAllHeaders());
            this.content = content;
        }

        /** Already decrypted with the service's key by the admission check; the key Camel passes is the same. */
        @Override
        public MimeEntity getEncryptedEntity(PrivateKey privateKey) {
            return content;
        }
    }

    /** The payload (for {@code getEdiMessage}) that writes itself as the signed part it came in. */
    private static final class PayloadWrittenAsSignedPart extends ApplicationEntity {
        private final byte[] signedPart;

        PayloadWrittenAsSignedPart(byte[] payload, ContentType type, String transferEncoding, byte[] signedPart) {
            super(payload, type, transferEncoding, false, null);
            this.signedPart = signedPart;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(signedPart);
        }

        @Override
        public void close() {}
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
