package org.ptsingest.service.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading PTS's SOAP calls: a post's escaped ARData is written out as the document it is, as it streams in. */
class PtsSoapTest {
    private static final Path SAMPLES = Path.of("..", "sample-feeds", "pts");

    @TempDir
    Path dir;

    @Test
    void thePostdataSampleGivesItsCredentialsAndTheUnescapedArDataDocument() throws Exception {
        Path ardata = dir.resolve("ardata.xml");
        PtsSoap.Call call;
        try (InputStream in = Files.newInputStream(SAMPLES.resolve("soap-postdata.xml"))) {
            call = PtsSoap.read(in, ardata);
        }
        assertThat(call.operation()).isEqualTo("postdata");
        assertThat(call.userName()).isEqualTo("sunwatch");
        assertThat(call.password()).isEqualTo("API-KEY");
        String doc = Files.readString(ardata);
        assertThat(doc).startsWith("<ARData xmlns=\"https://ar.masscec-pts.com/PTS-AR\">")
                .contains("<sysID>MA-1003</sysID>", "<kwhRegistry>5400</kwhRegistry>").endsWith("</ARData>\n")
                .doesNotContain("&lt;", "&gt;");
    }

    @Test
    void xmldataSplitIntoManyTextChunksArrivesWhole() throws Exception {
        // a long text (the parser hands it over in pieces), with escapes, a CDATA section and a comment
        String systems = "&lt;ptsSystem sysType=\"PV\"&gt;&lt;sysID&gt;MA-1&lt;/sysID&gt;&lt;/ptsSystem&gt;\n".repeat(20_000);
        String envelope = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                + "<postdata xmlns=\"https://ar.masscec-pts.com/\"><xmldata>&lt;ARData&gt;" + systems
                + "<![CDATA[<!-- kept -->]]><!-- dropped -->&lt;/ARData&gt;</xmldata></postdata></soap:Body></soap:Envelope>";
        Path ardata = dir.resolve("ardata.xml");
        PtsSoap.read(new ByteArrayInputStream(envelope.getBytes(StandardCharsets.UTF_8)), ardata);
        assertThat(Files.readString(ardata)).isEqualTo("<ARData>"
                + "<ptsSystem sysType=\"PV\"><sysID>MA-1</sysID></ptsSystem>\n".repeat(20_000) + "<!-- kept --></ARData>");
    }

    @Test
    void arDataSentAsElementsInsteadOfEscapedTextIsRefusedSayingSo() {
        String envelope = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                + "<postdata xmlns=\"https://ar.masscec-pts.com/\"><xmldata><ARData/></xmldata></postdata></soap:Body></soap:Envelope>";
        assertThatThrownBy(() -> PtsSoap.read(new ByteArrayInputStream(envelope.getBytes(StandardCharsets.UTF_8)),
                dir.resolve("x.xml")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("xmldata must hold the ARData document as escaped text");
    }
}
