package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.PartnerAs2Client.Composed;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.ptsingest.service.as2.PartnerAs2Client.Wire;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A registered partner's gateway gone wrong, or a hostile one holding a partner's key: every header of a
 * signed and encrypted message, the body, and the signed part's own headers and payload, each replaced in
 * turn by hostile bytes (NUL, control characters, invalid UTF-8, 3,000 and 100,000 characters, markup,
 * MIME syntax), the rest of the message sane so the value gets as deep as it can. Sent over a raw socket,
 * so the bytes are exactly these. The AS2 port must answer every one without a server error (a 5xx tells
 * the partner to send it again, for ever), keep serving, and leave nothing the API and console cannot show.
 */
class As2HostileIT extends IngestItSupport {
    static final String SCRIPT = "<script>alert(1)</script>";
    static final String CSV_FEED = "csv-v1/sunwatch/01-baseline.csv";

    /** Header values as raw bytes (HTTP header bytes are not characters until someone decodes them). */
    static final List<byte[]> HEADER_VALUES = List.of(bytes(""), bytes(" "), bytes("a\u0000b"), bytes("a\u0001b\u007f"),
            new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41},
            "\u00e9t\u00e9 \u202e".getBytes(StandardCharsets.UTF_8), bytes("x".repeat(3_000)),
            bytes("y".repeat(100_000)), bytes(letters(3_000)), bytes(letters(100_000)), bytes(SCRIPT), bytes("\""),
            bytes("<>"), bytes(";;;;"), bytes("a=b=c; ;=;"),
            bytes("=?utf-8?b?AA==?="), bytes("99999999999999999999"), bytes("\t"));

    /** Only loopback addresses for an asynchronous MDN: the machine sends nothing anywhere else. */
    static final List<byte[]> ASYNC_URLS = List.of(bytes("http://localhost:1/mdn"), bytes("http://127.0.0.1:0/"),
            bytes("https://localhost:1/" + "z".repeat(3_000)), bytes("http://[::1"), bytes("javascript:alert(1)"),
            bytes("file:///etc/passwd"), bytes("http://"), bytes("mailto:edi@localhost"));

    static final List<String> HEADERS = List.of("AS2-Version", "AS2-From", "AS2-To", "Message-ID", "Subject",
            "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Disposition-Notification-To",
            "Disposition-Notification-Options", "Receipt-Delivery-Option");

    @Autowired
    As2Identity service;

    Identity sunwatch;
    PartnerAs2Client client;
    int sent;

    @BeforeEach
    void registerSunwatch() throws Exception {
        loadSampleRegistry();
        sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("sunwatch", sunwatch.as2Id(), sunwatch.certificate());
        client = new PartnerAs2Client(sunwatch, service.as2Id(), service.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void noHostileMessageIsAnsweredWithAServerErrorAndThePortKeepsServing(
            org.springframework.boot.test.system.CapturedOutput log) throws Exception {
        List<String> failures = new ArrayList<>();
        byte[] payload = sample(CSV_FEED);

        for (String header : HEADERS) {
            List<byte[]> values = new ArrayList<>(HEADER_VALUES);
            if (header.equals("Receipt-Delivery-Option")) {
                values.addAll(ASYNC_URLS);
            }
            for (byte[] value : values) {
                check(failures, header + ": " + shown(value), message(csvPart(payload, "hostile.csv")),
                        m -> headers(m, h -> h.put(header, value)), Composed::body);
            }
            check(failures, header + " missing", message(csvPart(payload, "missing.csv")),
                    m -> headers(m, h -> h.remove(header)), Composed::body);
        }
        check(failures, "every header twice", message(csvPart(payload, "twice.csv")),
                m -> twice(headers(m, h -> { })), Composed::body);

        Map<String, Function<byte[], byte[]>> bodies = new LinkedHashMap<>();
        bodies.put("no body", b -> new byte[0]);
        bodies.put("half the body", b -> Arrays.copyOf(b, b.length / 2));
        bodies.put("a base64 character changed", b -> {
            byte[] c = b.clone();
            c[c.length / 2] = (byte) (c[c.length / 2] == 'A' ? 'B' : 'A');
            return c;
        });
        bodies.put("a NUL in the base64", b -> concat(Arrays.copyOf(b, b.length / 2), new byte[] {0},
                Arrays.copyOfRange(b, b.length / 2, b.length)));
        bodies.put("the body twice", b -> concat(b, b));
        bodies.put("random bytes", b -> new java.util.Random(7).ints(10_000, 0, 256)
                .collect(ByteArrayOutputStream::new, (o, i) -> o.write(i), (x, y) -> x.writeBytes(y.toByteArray()))
                .toByteArray());
        bodies.put("base64 of nothing CMS", b -> bytes("AAAA\r\n"));
        for (var body : bodies.entrySet()) {
            check(failures, "body: " + body.getKey(), message(csvPart(payload, "body.csv")),
                    m -> headers(m, h -> { }), m -> body.getValue().apply(m.body()));
        }

        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (byte[] value : HEADER_VALUES) {
            parts.put("payload Content-Type: " + shown(value), concat(bytes("Content-Type: "), value,
                    bytes("\r\nContent-Disposition: attachment; filename=p.csv\r\n\r\n"), payload));
            parts.put("payload file name: " + shown(value), concat(bytes("Content-Type: application/edi-consent\r\n"
                    + "Content-Disposition: attachment; filename=\""), value, bytes("\"\r\n\r\n"), payload));
        }
        parts.put("no part headers", concat(bytes("\r\n"), payload));
        parts.put("no blank line after the part headers", concat(bytes("Content-Type: application/edi-consent\r\n"),
                payload));
        parts.put("an empty payload", csvPart(new byte[0], "empty.csv"));
        parts.put("a payload of NULs", csvPart(new byte[4_096], "nul.csv"));
        parts.put("a payload with a 5,000-digit reading", csvPart(bytes("system_id,meter_serial,read_at,register_kwh\n"
                + "MA-1001,SN-1001-A,2025-03-01T00:00:00-05:00," + "9".repeat(5_000) + "\n"), "digits.csv"));
        parts.put("an XML payload that is a billion laughs", concat(bytes("Content-Type: application/xml\r\n"
                + "Content-Disposition: attachment; filename=lol.xml\r\n\r\n"), bytes("<?xml version=\"1.0\"?><!DOCTYPE l "
                + "[<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;"
                + "&b;&b;&b;&b;&b;\">]><feed>&c;</feed>")));
        for (var part : parts.entrySet()) {
            check(failures, part.getKey(), message(part.getValue()), m -> headers(m, h -> { }), Composed::body);
        }

        assertThat(failures).as("of %d hostile messages", sent).isEmpty();
        // A header of 100,000 characters is quoted in a log line cut to a header's worth, never whole (the longest
        // line may quote a Message-ID of 998 bytes and a Receipt-Delivery-Option of 2,048 characters).
        assertThat(log.getOut().lines().filter(line -> line.length() > 5_000).map(line -> line.substring(0, 300)))
                .as("log lines over 5,000 characters").isEmpty();

        // The port still serves a good message, and what the hostile ones stored can be shown.
        var mdn = client.sendSignedPart(csvPart(sample("csv-v1/sunwatch/03-backfill.csv"), "after.csv"),
                Options.defaults());
        assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
        // Through the console's session (the API's Basic authentication hashes the password on every request).
        var console = opsConsole();
        List<String> pages = new ArrayList<>(List.of("/ops/feeds?channel=AS2", "/ops"));
        dsl.select(FEED.FEED_ID).from(FEED).fetch(FEED.FEED_ID)
                .forEach(id -> pages.addAll(List.of("/ops/feeds/" + id, "/ops/feeds/" + id + "/receipt")));
        for (String page : pages) {
            HttpResponse<String> r = console.send(java.net.http.HttpRequest.newBuilder(url(page)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.body()).as(page).doesNotContain(SCRIPT);
        }
    }

    /**
     * The Message-ID is the delivery's identity, kept in an index PostgreSQL caps at about 2,700 bytes: a longer one
     * was answered 500 (the partner sends it again, for ever, and the answer quoted the failed SQL). Now one over a
     * mail header line's 998 bytes is refused with an MDN that says so, and one of 998 is taken and found again.
     */
    @Test
    void aMessageIdPastAHeaderLinesLimitIsRefusedWithAnMdnThatSaysSo() throws Exception {
        String longest = "<" + letters(996) + ">";
        String tooLong = "<" + letters(997) + ">";

        var refused = client.sendSignedPart(csvPart(sample(CSV_FEED), "long-id.csv"),
                Options.defaults().withMessageId(tooLong));
        var taken = client.sendSignedPart(csvPart(sample(CSV_FEED), "longest-id.csv"),
                Options.defaults().withMessageId(longest));

        assertThat(refused.httpStatus()).isEqualTo(200);
        assertThat(refused.disposition()).as(refused.toString()).endsWith("processed/error: unexpected-processing-error");
        assertThat(refused.text()).contains("the Message-ID is 999 bytes long; at most 998 are taken");
        assertThat(taken.disposition()).as(taken.toString()).endsWith("processed");
        assertThat(dsl.fetchCount(FEED)).isOne();
        HttpResponse<String> receipt = send(asOps("/api/v1/as2/receipt?message_id="
                + java.net.URLEncoder.encode(longest, StandardCharsets.UTF_8)).GET().build());
        assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
    }

    /** Sends the message as {@code headers} and {@code body} make it, and notes an answer that is a failure. */
    void check(List<String> failures, String what, Composed message, Function<Composed, byte[]> headers,
            Function<Composed, byte[]> body) throws Exception {
        sent++;
        String answer;
        try {
            answer = exchange(headers.apply(message), body.apply(message));
        } catch (java.io.IOException e) {
            failures.add(what + ": no answer (" + e + ")");
            return;
        }
        String status = answer.lines().findFirst().orElse("");
        if (!status.matches("HTTP/1\\.1 [1-4]\\d\\d.*")) {
            failures.add(what + ": " + status + " " + answer.substring(0, Math.min(answer.length(), 600)));
        }
    }

    Composed message(byte[] signedPart) throws Exception {
        return client.compose(signedPart, Options.defaults(), Wire.defaults());
    }

    static byte[] csvPart(byte[] payload, String fileName) {
        return concat(bytes("Content-Type: application/edi-consent\r\nContent-Disposition: attachment; filename="
                + fileName + "\r\n\r\n"), payload);
    }

    /** The message's header lines, {@code change} applied to them (values as raw bytes). */
    static byte[] headers(Composed m, java.util.function.Consumer<Map<String, byte[]>> change) {
        Map<String, byte[]> h = new LinkedHashMap<>();
        m.headers().forEach((name, value) -> h.put(name, bytes(value)));
        change.accept(h);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.forEach((name, value) -> {
            out.writeBytes(bytes(name + ": "));
            out.writeBytes(value);
            out.writeBytes(bytes("\r\n"));
        });
        return out.toByteArray();
    }

    static byte[] twice(byte[] headerLines) {
        return concat(headerLines, headerLines);
    }

    /** One POST over a fresh connection, exactly these header lines and body; the whole answer. */
    String exchange(byte[] headerLines, byte[] body) throws Exception {
        try (Socket socket = new Socket("localhost", properties.as2().port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes("POST " + properties.as2().path() + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"));
            out.write(headerLines);
            out.write(bytes("Content-Length: " + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static String shown(byte[] value) {
        String s = new String(value, StandardCharsets.ISO_8859_1);
        return s.length() > 40 ? s.substring(0, 20) + "…(" + s.length() + ")" : s.replace("\u0000", "\\0");
    }

    /** Random letters: a long value PostgreSQL cannot compress below an index entry's limit, unlike "yyy…". */
    static String letters(int n) {
        java.util.Random random = new java.util.Random(n);
        return random.ints(n, 'a', 'z' + 1).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] sample(String path) throws Exception {
        return java.nio.file.Files.readAllBytes(SAMPLES.resolve(path));
    }
}
