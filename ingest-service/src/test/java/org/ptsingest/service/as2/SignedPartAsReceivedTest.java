package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.camel.component.as2.api.entity.ApplicationPkcs7MimeEnvelopedDataEntity;
import org.apache.camel.component.as2.api.entity.EntityParser;
import org.apache.camel.component.as2.api.entity.MimeEntity;
import org.apache.camel.component.as2.api.util.EntityUtils;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.junit.jupiter.api.Test;

/** How Camel 4.17's parser hands out a binary envelope, and what the service takes instead: the body as received. */
class SignedPartAsReceivedTest {
    private static final String ENVELOPE_TYPE = "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m";

    /** The root cause of issue 11 item 1: a binary body's final CR is lost in Camel's line reader. */
    @Test
    void camelLosesAFinalCarriageReturnAndTheEnvelopeIsTheBodyAsReceived() throws Exception {
        byte[] der = {0x30, 0x08, '\r', '\n', 'a', '\r', 'b', '\n', 'c', '\r'};

        ApplicationPkcs7MimeEnvelopedDataEntity parsed = parsedByCamel(der, new ByteArrayInputStream(der));

        assertThat(camelsBody(parsed)).as("Camel's bytes").isEqualTo(Arrays.copyOf(der, der.length - 1));
        assertThat(SignedPartAsReceived.envelope(der, "binary")).isEqualTo(der);
    }

    /**
     * Why AS2 messages were sometimes refused {@code decryption-failed} (benchmark-as2): Camel's line
     * reader looks for a line's CR in the current read of its input only, so when one read ends with a
     * CR and the next begins with its LF, the CR is lost. Over a socket, where a read ends depends on how
     * the bytes arrived; in a random envelope a CR LF pair falls on a read's end about once in 65,536 reads.
     */
    @Test
    void camelLosesACarriageReturnWhenOneReadEndsWithItAndTheNextBeginsWithItsLf() throws Exception {
        byte[] der = {0x30, 0x08, 'a', 'b', '\r', '\n', 'c', 'd', 'e', 'f'};

        ApplicationPkcs7MimeEnvelopedDataEntity parsed = parsedByCamel(der, new ReadsEndingAt(der, 5));

        assertThat(camelsBody(parsed)).as("Camel's bytes")
                .isEqualTo(new byte[] {0x30, 0x08, 'a', 'b', '\n', 'c', 'd', 'e', 'f'});
        assertThat(SignedPartAsReceived.envelope(der, "binary")).isEqualTo(der);
        assertThat(SignedPartAsReceived.envelope(der, null)).isEqualTo(der);
    }

    @Test
    void aWholeEnvelopeIsLeftAsItIs() throws Exception {
        byte[] der = {0x30, 0x04, 'a', '\r', '\n', 'b'};
        byte[] ber = {0x30, (byte) 0x80, 'a', '\r', 0, 0};

        assertThat(SignedPartAsReceived.envelope(der, "binary")).isEqualTo(der);
        assertThat(SignedPartAsReceived.envelope(ber, "8bit")).isEqualTo(ber);
    }

    @Test
    void aBase64BodyIsDecoded() throws Exception {
        byte[] der = {0x30, 0x04, 'a', '\r', '\n', 'b'};
        byte[] body = (Base64.getMimeEncoder().encodeToString(der) + "\r\n").getBytes(StandardCharsets.US_ASCII);

        assertThat(SignedPartAsReceived.envelope(body, "base64")).isEqualTo(der);
        assertThat(SignedPartAsReceived.envelope(body, " Base64 ")).isEqualTo(der);
    }

    /**
     * Camel parses the decrypted MIME in 8 KiB reads and loses the CR of a CRLF that straddles two: a CSV
     * with CRLF line ends came a byte short. The payload is the signed part's content as received instead.
     */
    @Test
    void camelLosesACarriageReturnOfThePayloadAcrossItsReadsAndTheContentIsTakenAsReceived() throws Exception {
        String head = "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;"
                + " boundary=\"b1\"\r\n\r\n--b1\r\n";
        String partHead = "Content-Type: application/edi-consent\r\nContent-Transfer-Encoding: binary\r\n\r\n";
        StringBuilder csv = new StringBuilder();
        int crAt = 8191 - head.length() - partHead.length(); // the CR at byte 8191 of the whole entity, its LF at 8192
        while (csv.length() < crAt) {
            csv.append("x".repeat(Math.max(0, Math.min(60, crAt - csv.length() - 2)))).append("\r\n");
        }
        csv.setLength(crAt);
        csv.append("\r\nlast,line\r\n");
        byte[] mime = (head + partHead + csv + "\r\n--b1\r\nContent-Type: application/pkcs7-signature\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nMIIB\r\n--b1--\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(mime[8191]).isEqualTo((byte) '\r');
        assertThat(mime[8192]).isEqualTo((byte) '\n');

        var parsed = (org.apache.camel.component.as2.api.entity.MultipartSignedEntity) EntityParser.parseEntity(mime);

        byte[] sent = csv.toString().getBytes(StandardCharsets.US_ASCII);
        assertThat(camelsBody(parsed.getSignedDataEntity())).as("Camel's bytes").hasSize(sent.length - 1);
        assertThat(SignedPartAsReceived.content(SignedPartAsReceived.firstBodyPart(mime))).isEqualTo(sent);
    }

    @Test
    void theContentOfAPartHasItsTransferEncodingUndone() throws Exception {
        String folded = "Content-Type: application/xml\r\nContent-Transfer-Encoding:\r\n base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString("<a>\r\n</a>".getBytes(StandardCharsets.US_ASCII)) + "\r\n";

        assertThat(SignedPartAsReceived.content(folded.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("<a>\r\n</a>".getBytes(StandardCharsets.US_ASCII));
        assertThat(SignedPartAsReceived.content("\r\nno headers\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("no headers\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(SignedPartAsReceived.content("Content-Type: application/xml\r\n\r\n<a/>".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("<a/>".getBytes(StandardCharsets.US_ASCII));
    }

    /** Only the header blocks are renamed: the signed part, even if it names the legacy type, stays as received. */
    @Test
    void theLegacySignatureTypeIsRenamedOutsideTheSignedPartOnly() {
        String signedPart = "Content-Type: application/xml\r\n\r\n<note>application/x-pkcs7-signature</note>";
        String mime = "Content-Type: multipart/signed; protocol=\"application/x-pkcs7-signature\"; micalg=sha-256;"
                + " boundary=\"b1\"\r\n\r\n--b1\r\n" + signedPart + "\r\n--b1\r\n"
                + "Content-Type: Application/X-PKCS7-Signature; name=smime.p7s\r\n\r\nMIIB\r\n--b1--\r\n";

        byte[] renamed = SignedPartAsReceived.withLegacySignatureTypeRenamed(mime.getBytes(StandardCharsets.ISO_8859_1));

        String text = new String(renamed, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";")
                .contains("\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n");
        assertThat(SignedPartAsReceived.firstBodyPart(renamed)).isEqualTo(signedPart.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(SignedPartAsReceived.firstBodyPartType(renamed)).isEqualTo("application/xml");
        assertThat(SignedPartAsReceived.mediaType(renamed)).isEqualTo("multipart/signed");
    }

    private static ApplicationPkcs7MimeEnvelopedDataEntity parsedByCamel(byte[] body, InputStream in) throws Exception {
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("POST", "/as2");
        request.setHeader("Content-Type", ENVELOPE_TYPE);
        request.setHeader("Content-Transfer-Encoding", "binary");
        request.setEntity(new InputStreamEntity(in, body.length, ContentType.parse(ENVELOPE_TYPE)));
        EntityParser.parseAS2MessageEntity(request);
        return (ApplicationPkcs7MimeEnvelopedDataEntity) request.getEntity();
    }

    /** A socket whose first read returns the bytes before {@code split} only: they had come, the rest had not. */
    private static final class ReadsEndingAt extends InputStream {
        private final byte[] bytes;
        private final int split;
        private int pos;

        ReadsEndingAt(byte[] bytes, int split) {
            this.bytes = bytes;
            this.split = split;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= bytes.length) {
                return -1;
            }
            int n = Math.min(len, (pos < split ? split : bytes.length) - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /**
     * What Camel hands out as a parsed entity's body, its transfer encoding undone (Camel keeps it decoded
     * but only writes it re-encoded; written as a main body, it comes without headers).
     */
    private static byte[] camelsBody(MimeEntity entity) throws Exception {
        entity.setMainBody(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entity.writeTo(out);
        String encoding = entity.getContentTransferEncodingValue();
        return encoding == null ? out.toByteArray() : EntityUtils.decode(out.toByteArray(), encoding);
    }
}
