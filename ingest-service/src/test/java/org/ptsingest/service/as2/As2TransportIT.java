package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.As2MdnIT.Sender;
import org.ptsingest.service.as2.PartnerAs2Client.Compression;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The AS2 listener as production runs it (issue 11, item 7): over HTTPS with the HTTPS port's
 * certificate, at most one message processed at once here (the next answered 503 with Retry-After),
 * bodies above 64 KB answered 413 before they are read. A context of its own, on free ports. Not
 * closed after the class (no {@code @DirtiesContext}): Camel 4.17's AS2 component keeps its servers in
 * one static map and, when any context stops, closes all of them, the other test contexts' too.
 */
class As2TransportIT extends IngestItSupport {
    static final int MAX_MESSAGE_SIZE = 64 * 1024;

    @DynamicPropertySource
    static void production(DynamicPropertyRegistry registry) throws IOException {
        // chosen once: the suppliers are asked again whenever the property is read
        int as2Port = freePort();
        int sftpPort = freePort();
        registry.add("ingest.as2.port", () -> as2Port);
        registry.add("ingest.sftp.port", () -> sftpPort);
        registry.add("ingest.as2.tls", () -> "true");
        registry.add("ingest.as2.max-concurrent-messages", () -> "2");
        registry.add("ingest.as2.max-concurrent-per-partner", () -> "1");
        registry.add("ingest.as2.max-message-size", () -> MAX_MESSAGE_SIZE + "B");
        // This context stays up for the rest of the run beside the shared one, on the same database and
        // data directory: its background work (delivery worker, MDN outbox) runs once at start, its inbox is
        // first polled a poll delay after it, and all of it then keeps out of the other classes' way (their
        // metrics and timings are the shared context's).
        registry.add("ingest.sftp.poll-delay", () -> "1d");
        // its own keys, known_hosts and drop box: the shared context's SSH clients trust the shared server's key
        registry.add("ingest.data-dir", () -> "target/it-data/as2-transport");
        registry.add("ingest.delivery.worker-delay", () -> "1d");
        registry.add("ingest.as2.mdn-poll-interval", () -> "1d");
    }

    @Autowired
    As2Identity service;

    @Autowired
    DataSource dataSource;

    Identity sunwatch;

    @BeforeEach
    void registerSunwatch() throws Exception {
        loadSampleRegistry();
        sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("sunwatch", sunwatch.as2Id(), sunwatch.certificate());
    }

    /** The partner trusts exactly the HTTPS port's certificate, and that is what the AS2 port shows. */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void as2OverHttpsWithTheServicesCertificate(Sender sender) throws Exception {
        Mdn mdn = As2MdnIT.send(sender, client(), As2InteropIT.randomXml(), "application/xml", Options.defaults());

        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        assertThat(mdn.micMatches()).isTrue();
        assertThat(peerCertificate(properties.as2().port())).isEqualTo(peerCertificate(port));
        assertThat(JSON.readTree(send(asOps("/api/v1/as2").GET().build()).body()).get("url").asText())
                .startsWith("https://");
    }

    /**
     * Two messages of two partners are held in processing (their feeds cannot be written while the test holds a
     * lock on the table): the next, of a third AS2-From, is answered 503 with Retry-After (the bound is 2 here), and
     * both held ones are processed once let go.
     */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void aMessageBeyondTheBoundIsAnswered503(Sender sender) throws Exception {
        Identity gridsense = registerGridsense();
        Identity third = PartnerAs2Client.newIdentity("THIRD-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        CompletableFuture<Mdn> first;
        CompletableFuture<Mdn> other;
        Mdn beyond;
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE feed IN SHARE MODE");
            first = held(client());
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnFeed(lock) == 1);
            other = held(client(gridsense));
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnFeed(lock) == 2);

            PartnerAs2Client client = client(third);
            beyond = As2MdnIT.send(sender, client, As2InteropIT.randomXml(), "application/xml", Options.defaults());
            if (sender == Sender.RAW) {
                assertThat(client.lastAnswer().header("Retry-After")).isEqualTo(As2HttpService.RETRY_AFTER_SECONDS);
                assertThat(new String(client.lastAnswer().body(), StandardCharsets.UTF_8))
                        .contains("processing as many messages as it may");
            }
            lock.rollback();
        }
        assertThat(beyond.httpStatus()).as(beyond.toString()).isEqualTo(503);
        assertBothProcessed(first, other);
    }

    /**
     * One partner's burst cannot take every permit: with one of its messages held in processing, its next is
     * answered 503 (its share here is 1), while another partner's message is taken and processed.
     */
    @ParameterizedTest
    @EnumSource(Sender.class)
    void aPartnerAtItsShareIsAnswered503WhileAnotherPartnerIsServed(Sender sender) throws Exception {
        Identity gridsense = registerGridsense();
        CompletableFuture<Mdn> first;
        CompletableFuture<Mdn> other;
        Mdn again;
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE feed IN SHARE MODE");
            first = held(client());
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnFeed(lock) == 1);

            PartnerAs2Client client = client();
            again = As2MdnIT.send(sender, client, As2InteropIT.randomXml(), "application/xml", Options.defaults());
            if (sender == Sender.RAW) {
                assertThat(client.lastAnswer().header("Retry-After")).isEqualTo(As2HttpService.RETRY_AFTER_SECONDS);
                assertThat(new String(client.lastAnswer().body(), StandardCharsets.UTF_8))
                        .contains("this AS2-From has 1 messages in process, as many as one partner may");
            }
            other = held(client(gridsense));
            await("the other partner's message is taken").atMost(Duration.ofSeconds(30))
                    .until(() -> waitingOnFeed(lock) == 2);
            lock.rollback();
        }
        assertThat(again.httpStatus()).as(again.toString()).isEqualTo(503);
        assertBothProcessed(first, other);
    }

    /** Sunwatch's held message processed, and gridsense's taken and judged, once the lock is let go. */
    void assertBothProcessed(CompletableFuture<Mdn> sunwatchs, CompletableFuture<Mdn> gridsenses) throws Exception {
        Mdn processed = sunwatchs.get();
        assertThat(processed.disposition()).as(processed.toString()).endsWith("processed");
        // the random feed names sunwatch as its provider: gridsense's is a SCHEMA_VIOLATION, judged as such
        Mdn other = gridsenses.get();
        assertThat(other.disposition()).as(other.toString()).endsWith("processed/error: SCHEMA_VIOLATION");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(2);
    }

    /** A second registered partner, valid for a year. */
    Identity registerGridsense() throws Exception {
        Identity gridsense = PartnerAs2Client.newIdentity("GRIDSENSE-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("gridsense", gridsense.as2Id(), gridsense.certificate());
        return gridsense;
    }

    /** A message sent on another thread, which the test's lock on {@code feed} holds in processing. */
    static CompletableFuture<Mdn> held(PartnerAs2Client client) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return As2MdnIT.send(Sender.RAW, client, As2InteropIT.randomXml(), "application/xml", Options.defaults());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A client that sends {@code Expect: 100-continue} holds its body until the server answers 100
     * Continue (or its own wait ends: 3 s in HttpCore's client, the test server's read timeout too).
     * Camel's connection read the body before HttpCore answered 100, so the answer came only after the
     * body, which the client was holding back: here the 100 must come while the body is still unsent.
     */
    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        byte[] body = As2InteropIT.randomXml();
        try (SSLSocket socket = (SSLSocket) tls().getSocketFactory().createSocket("localhost", properties.as2().port())) {
            socket.setSoTimeout(2_000); // below the 3 s the server would wait for the body
            var out = socket.getOutputStream();
            out.write(("POST " + properties.as2().path() + " HTTP/1.1\r\nHost: localhost\r\nAS2-Version: 1.2\r\nAS2-From: " + sunwatch.as2Id()
                    + "\r\nAS2-To: " + service.as2Id() + "\r\nMessage-ID: <expect-" + Instant.now().toEpochMilli()
                    + "@sunwatch>\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));

            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(in.readLine()).isEmpty();
            out.write(body);
            out.flush();
            socket.setSoTimeout(30_000);
            // then the final answer (an unsigned, unencrypted message: a negative MDN; what matters is one came)
            assertThat(in.readLine()).matches("HTTP/1\\.1 [2-5]\\d\\d .*");
        }
    }

    /** Refused from its Content-Length, before the body is read (the client waits for 100 Continue). */
    @Test
    void aBodyAboveTheLimitIsAnswered413() throws Exception {
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newBuilder().sslContext(tls()).build()) {
            r = http.send(HttpRequest.newBuilder(URI.create(as2Url()))
                    .expectContinue(true)
                    .header("AS2-From", sunwatch.as2Id()).header("AS2-To", service.as2Id())
                    .header("Message-ID", "<too-big@sunwatch>")
                    .header("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_MESSAGE_SIZE + 1])).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("limited to " + MAX_MESSAGE_SIZE + " bytes");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /**
     * A chunked body has no Content-Length to refuse it by: it is refused once it has run past the
     * limit, and not read whole into memory (a sender could otherwise stream until the heap is gone).
     */
    @Test
    void aChunkedBodyAboveTheLimitIsAnswered413() throws Exception {
        byte[] chunk = new byte[16 * 1024];
        try (SSLSocket socket = (SSLSocket) tls().getSocketFactory().createSocket("localhost", properties.as2().port())) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            out.write(("POST " + properties.as2().path() + " HTTP/1.1\r\nHost: localhost\r\nAS2-Version: 1.2\r\nAS2-From: "
                    + sunwatch.as2Id() + "\r\nAS2-To: " + service.as2Id() + "\r\nMessage-ID: <chunked-too-big@sunwatch>"
                    + "\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data"
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int sent = 0; sent <= MAX_MESSAGE_SIZE; sent += chunk.length) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));

            assertThat(in.readLine()).startsWith("HTTP/1.1 413 ");
        }
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /**
     * A compressed layer is expanded in memory, and when it was compressed after signing, before the
     * signature says who sent it: a few kilobytes of zlib must not become a gigabyte. Refused with
     * RFC 5402's {@code decompression-failed} once the content passes the message limit, either way round.
     */
    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"BEFORE_SIGNING", "AFTER_SIGNING"})
    void aCompressedPayloadExpandingBeyondTheLimitIsRefused(Compression compression) throws Exception {
        String xml = new String(As2InteropIT.randomXml(), StandardCharsets.UTF_8);
        byte[] payload = (xml + "<!-- " + "0".repeat(4 * MAX_MESSAGE_SIZE) + " -->\n").getBytes(StandardCharsets.UTF_8);

        Mdn mdn = client().send(payload, "feed.xml",
                Options.defaults().withContentType("application/xml").withCompression(compression));

        assertThat(mdn.httpStatus()).as(mdn.toString()).isEqualTo(200);
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed/error: decompression-failed");
        assertThat(mdn.signatureVerified()).isTrue();
        assertThat(mdn.text()).contains("more than " + MAX_MESSAGE_SIZE + " bytes");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    /** How many transactions wait for the test's lock on {@code feed}: messages held in processing. */
    int waitingOnFeed(Connection lock) throws Exception {
        try (var rs = lock.createStatement().executeQuery(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'feed'::regclass")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    Certificate peerCertificate(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) tls().getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    String as2Url() {
        return "https://localhost:" + properties.as2().port() + properties.as2().path();
    }

    PartnerAs2Client client() throws Exception {
        return client(sunwatch);
    }

    PartnerAs2Client client(Identity sender) throws Exception {
        return new PartnerAs2Client(sender, service.as2Id(), service.decryptionCertificate(), as2Url())
                .trusting(tls());
    }
}
