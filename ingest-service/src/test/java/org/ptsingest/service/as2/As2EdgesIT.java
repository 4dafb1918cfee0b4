package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ptsingest.service.IngestItSupport;

/**
 * What the AS2 port answers to requests that are not AS2 messages, over a raw socket: other methods
 * on the AS2 path are 405 with {@code Allow: POST}, other paths 404, and a message whose MIME structure
 * is broken 400 with the reason — never 200 for a GET, or 501.
 */
class As2EdgesIT extends IngestItSupport {
    static final String BROKEN_SIGNED = "------=_Part_WRONG\r\nContent-Type: application/xml\r\n\r\n<x/>\r\n"
            + "------=_Part_WRONG--\r\n";

    @BeforeEach
    void registerSunwatch() throws Exception {
        loadSampleRegistry();
        var sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("sunwatch", sunwatch.as2Id(), sunwatch.certificate());
    }

    /** Sends one request over a fresh connection and returns the whole answer. */
    String exchange(String head, String body) throws Exception {
        try (Socket socket = new Socket("localhost", properties.as2().port())) {
            socket.setSoTimeout(20_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Host: localhost\r\nConnection: close\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "DELETE", "TRACE", "OPTIONS", "PATCH"})
    void otherMethodsOnTheAs2PathAre405WithAllowPost(String method) throws Exception {
        String answer = exchange(method + " " + properties.as2().path() + " HTTP/1.1\r\n", "");

        assertThat(answer).as(answer).startsWith("HTTP/1.1 405");
        assertThat(answer).containsIgnoringCase("\r\nAllow: POST\r\n");
        assertThat(answer).doesNotContain("Disposition");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST /nope", "GET /", "GET /as2/more", "POST /AS2", "GET /actuator/health"})
    void otherPathsAre404(String request) throws Exception {
        String answer = exchange(request + " HTTP/1.1\r\n", "");

        assertThat(answer).as(answer).startsWith("HTTP/1.1 404");
    }

    /**
     * A body whose MIME structure cannot be parsed is refused by Camel's server connection before any
     * handler runs: without a parsed message there is no MIC for an MDN and no verified sender, so the
     * answer is HTTP 400 with the reason, with or without an MDN request, and nothing is stored.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aBrokenMultipartSignedIsA400WithTheReason(boolean mdnRequested) throws Exception {
        String answer = exchange("POST " + properties.as2().path() + " HTTP/1.1\r\n"
                + "AS2-Version: 1.1\r\nAS2-From: SUNWATCH-AS2\r\nAS2-To: PTS-INGEST\r\nMessage-ID: <broken@edges>\r\n"
                + (mdnRequested ? "Disposition-Notification-To: edi@sunwatch.example\r\n" : "")
                + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
                + "boundary=\"----=_Part_1\"\r\n", BROKEN_SIGNED);

        assertThat(answer).as(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).contains("failed to parse");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /**
     * A multipart/signed without a boundary: Camel's parser fails on it before any handler runs, and
     * HttpCore alone would answer 500 ("send it again", for ever).
     */
    @org.junit.jupiter.api.Test
    void aMultipartSignedWithoutBoundaryIsA400NotA500() throws Exception {
        String contentType = "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256";
        String answer = exchange("POST " + properties.as2().path() + " HTTP/1.1\r\n"
                + "AS2-Version: 1.1\r\nAS2-From: SUNWATCH-AS2\r\nAS2-To: PTS-INGEST\r\nMessage-ID: <unparseable@edges>\r\n"
                + "Disposition-Notification-To: edi@sunwatch.example\r\nContent-Type: " + contentType + "\r\n",
                "this is not what the Content-Type says\r\n");

        assertThat(answer).as(answer).startsWith("HTTP/1.1 400");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /** Camel sets no read timeout on AS2 connections: half a request, then silence, held a thread for ever. */
    @org.junit.jupiter.api.Test
    void aClientThatFallsSilentMidRequestIsCutOff() throws Exception {
        try (Socket socket = new Socket("localhost", properties.as2().port())) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + properties.as2().path() + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n"
                    + "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            // the server closes the connection (end of stream, possibly after an error answer) well before 120 s
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> in.read() == -1);
        }
    }
}
