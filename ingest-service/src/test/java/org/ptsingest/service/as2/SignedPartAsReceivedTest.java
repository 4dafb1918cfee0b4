package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.component.as2.api.entity.ApplicationPkcs7MimeEnvelopedDataEntity;
import org.apache.camel.component.as2.api.entity.EntityParser;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.junit.jupiter.api.Test;

/** How Camel 4.17's parser hands out a binary envelope, and what the service takes from it. */
class SignedPartAsReceivedTest {
    private static final String ENVELOPE_TYPE = "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m";

    /** The root cause of issue 11 item 1: a binary body's final CR is lost in Camel's line reader. */
    @Test
    void camelLosesAFinalCarriageReturnAndTheEnvelopeIsRestoredByItsDerLength() throws Exception {
        byte[] der = {0x30, 0x08, '\r', '\n', 'a', '\r', 'b', '\n', 'c', '\r'};

        ApplicationPkcs7MimeEnvelopedDataEntity parsed = parsedByCamel(der);

        assertThat(SignedPartAsReceived.body(parsed)).as("Camel's bytes").isEqualTo(java.util.Arrays.copyOf(der, der.length - 1));
        assertThat(SignedPartAsReceived.envelope(parsed)).isEqualTo(der);
    }

    @Test
    void aWholeEnvelopeIsLeftAsItIs() throws Exception {
        byte[] der = {0x30, 0x04, 'a', '\r', '\n', 'b'};
        byte[] ber = {0x30, (byte) 0x80, 'a', '\r', 0, 0};

        assertThat(SignedPartAsReceived.envelope(parsedByCamel(der))).isEqualTo(der);
        assertThat(SignedPartAsReceived.envelope(parsedByCamel(ber))).isEqualTo(ber);
    }

    @Test
    void derLengthReadsShortAndLongForms() {
        assertThat(SignedPartAsReceived.derLength(new byte[] {0x30, 0x03})).isEqualTo(5);
        assertThat(SignedPartAsReceived.derLength(new byte[] {0x30, (byte) 0x82, 0x01, 0x00})).isEqualTo(4 + 256);
        assertThat(SignedPartAsReceived.derLength(new byte[] {0x30, (byte) 0x80})).isEqualTo(-1);
        assertThat(SignedPartAsReceived.derLength(new byte[] {0x04, 0x01})).isEqualTo(-1);
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

    private static ApplicationPkcs7MimeEnvelopedDataEntity parsedByCamel(byte[] body) throws Exception {
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("POST", "/as2");
        request.setHeader("Content-Type", ENVELOPE_TYPE);
        request.setHeader("Content-Transfer-Encoding", "binary");
        request.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, ContentType.parse(ENVELOPE_TYPE)));
        EntityParser.parseAS2MessageEntity(request);
        return (ApplicationPkcs7MimeEnvelopedDataEntity) request.getEntity();
    }
}
