package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.service.as2.As2Identity;
import org.ptsingest.service.as2.PartnerAs2Client;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The hostile corpus ({@code sample-feeds/hostile}, 300+ cases with the answer each is owed) sent
 * through every channel that takes its format: SFTP and HTTPS for CSV, XML and JSON feeds; AS2 for CSV
 * and XML feeds and ARData; the PTS endpoints for ARData and the PTS REST body. For every case and
 * channel: no 5xx, the feed row holds the expected status and code, {@code reading_count} is the number
 * of records in the document, the INVALID_VALUE count matches, record 3 got its expected outcome, and
 * nothing of a rejected feed was stored. Over SFTP every file is answered once, its inbox emptied, while
 * another provider's feed dropped among the junk is answered too.
 */
class HostileCorpusIT extends IngestItSupport {
    static final Path DIR = SAMPLES.resolve("hostile");

    @Autowired
    As2Identity as2Service;

    String sunwatchKey;

    record Case(String file, FeedFormat format, String status, String code, int readingCount, int invalid,
            String record3, String note) {
        Path path() {
            return DIR.resolve(file);
        }

        /** A name every channel allows: the corpus folder and file name, e.g. {@code csv-kwh-nan.csv}. */
        String deliveryName() {
            return file.replace('/', '-');
        }
    }

    static List<Case> cases(Set<FeedFormat> formats) throws Exception {
        try (CSVParser p = CSVParser.parse(DIR.resolve("cases.csv"), StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return p.stream().map(r -> new Case(r.get("file"), FeedFormat.valueOf(r.get("format")), r.get("status"),
                    r.get("code"), Integer.parseInt(r.get("reading_count")), Integer.parseInt(r.get("invalid")),
                    r.get("record_3"), r.get("note"))).filter(c -> formats.contains(c.format())).toList();
        }
    }

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
        sunwatchKey = issueKey("sunwatch");
    }

    @Test
    void everyCaseOverHttps() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Case c : cases(Set.of(FeedFormat.CSV_V1, FeedFormat.XML_V1, FeedFormat.JSON_V1))) {
            String type = switch (c.format()) {
                case XML_V1 -> "application/xml";
                case JSON_V1 -> "application/json";
                default -> "text/csv";
            };
            HttpResponse<String> r = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                    .header("Authorization", "Bearer " + sunwatchKey).header("Content-Type", type)
                    .header("Content-Disposition", "attachment; filename=\"" + c.deliveryName() + "\"")
                    .POST(HttpRequest.BodyPublishers.ofFile(c.path())).build());
            check(c, "HTTPS", r.statusCode(), r.body(), failures);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyCaseOverSftpIsAnsweredOnceWhileAnotherProviderKeepsFlowing() throws Exception {
        List<Case> cases = cases(Set.of(FeedFormat.CSV_V1, FeedFormat.XML_V1, FeedFormat.JSON_V1));
        for (Case c : cases) {
            drop("sunwatch", c.path(), c.deliveryName());
        }
        // another provider's good feed lands among sunwatch's junk and is answered like any other day
        JsonNode other = ingest("gridsense", "csv-v1/gridsense/01-baseline.csv");
        assertThat(other.get("status").asText()).isEqualTo("ACCEPTED");

        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            JsonNode receipt = awaitReceipt("sunwatch", c.deliveryName());
            FeedRecord feed = dsl.selectFrom(FEED).where(FEED.CHANNEL.eq("SFTP"), FEED.FILE_NAME.eq(c.deliveryName()))
                    .fetchOne();
            if (feed == null) {
                failures.add(c.file() + " over SFTP: receipt but no feed row");
                continue;
            }
            assertThat(receipt.get("feed_id").asLong()).isEqualTo(feed.getFeedId());
            checkFeed(c, "SFTP", feed, failures);
        }
        // answered once each, nothing left to retry
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Files.list(providerDir("sunwatch").resolve("inbox")).toList()).isEmpty());
        assertThat(dsl.fetchCount(FEED, FEED.CHANNEL.eq("SFTP").and(FEED.PROVIDER_ID.eq("sunwatch"))))
                .isEqualTo(cases.size());
        assertThat(failures).isEmpty();
    }

    @Test
    void hugeValuesComeBackCappedInReceiptsAndFeedRows(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // generated, not committed: 20 MB and 10 MB of one value
        Path header = tmp.resolve("huge-header.csv");
        try (var w = Files.newBufferedWriter(header)) {
            w.write("x".repeat(20_000_000));
            w.write(",meter_serial,read_at,register_kwh\nMA-1001,SN-1001-A,2025-01-01T00:00:00Z,1\n");
        }
        Path id = tmp.resolve("huge-id.csv");
        try (var w = Files.newBufferedWriter(id)) {
            w.write("system_id,meter_serial,read_at,register_kwh\n");
            w.write("S".repeat(10_000_000));
            w.write(",SN-1001-A,2025-01-01T00:00:00Z,1\nMA-1001,SN-1001-A,2025-01-01T00:00:00Z,10000\n");
        }
        drop("sunwatch", header, "huge-header.csv");
        drop("sunwatch", id, "huge-id.csv");

        JsonNode rejected = awaitReceipt("sunwatch", "huge-header.csv");
        assertThat(rejected.at("/rejection/code").asText()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(rejected.at("/rejection/message").asText()).contains("(20000000 characters)").hasSizeLessThan(400);
        JsonNode partial = awaitReceipt("sunwatch", "huge-id.csv");
        assertThat(partial.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(partial.at("/readings/0/message").asText()).contains("(10000000 characters)").hasSizeLessThan(400);
        assertThat(partial.at("/readings/0/system_id").isNull()).isTrue();
        assertThat(dsl.select(org.jooq.impl.DSL.max(org.jooq.impl.DSL.length(FEED.REJECTION_MESSAGE))).from(FEED)
                .fetchOne(0, Integer.class)).isLessThan(400);
        assertThat(dsl.select(org.jooq.impl.DSL.max(org.jooq.impl.DSL.length(READING_OUTCOME.MESSAGE))).from(READING_OUTCOME)
                .fetchOne(0, Integer.class)).isLessThan(400);
    }

    @Test
    void everyCaseOverAs2() throws Exception {
        PartnerAs2Client.Identity partner = PartnerAs2Client.newIdentity("SUNWATCH-AS2",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)));
        registerAs2Partner("sunwatch", partner.as2Id(), partner.certificate());
        PartnerAs2Client client = new PartnerAs2Client(partner, as2Service.as2Id(), as2Service.decryptionCertificate(),
                "http://localhost:" + properties.as2().port() + properties.as2().path());
        List<String> failures = new ArrayList<>();
        for (Case c : cases(Set.of(FeedFormat.CSV_V1, FeedFormat.XML_V1, FeedFormat.PTS_ARDATA))) {
            long before = lastFeedId();
            PartnerAs2Client.Options options = c.format() == FeedFormat.CSV_V1
                    ? PartnerAs2Client.Options.defaults().withContentType("application/edi-consent")
                    : PartnerAs2Client.Options.defaults();
            PartnerAs2Client.Mdn mdn = client.send(Files.readAllBytes(c.path()), c.deliveryName(), options);
            if (mdn.httpStatus() >= 500) {
                failures.add(c.file() + " over AS2: HTTP " + mdn.httpStatus());
                continue;
            }
            if (mdn.receivedContentMic() != null && !mdn.micMatches()) {
                failures.add(c.file() + " over AS2: MIC " + mdn.receivedContentMic() + ", sent " + mdn.sentMic());
            }
            FeedRecord feed = dsl.selectFrom(FEED).where(FEED.FEED_ID.gt(before), FEED.CHANNEL.eq("AS2")).fetchOne();
            if (feed == null) {
                failures.add(c.file() + " over AS2: no feed (" + mdn.disposition() + ": " + mdn.text() + ")");
                continue;
            }
            checkFeed(c, "AS2", feed, failures);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyPtsCaseOverThePtsEndpoints() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Case c : cases(Set.of(FeedFormat.PTS_ARDATA, FeedFormat.PTS_JSON))) {
            boolean ardata = c.format() == FeedFormat.PTS_ARDATA;
            HttpResponse<String> r = send(HttpRequest.newBuilder(url(ardata ? "/pts/v1/ardata" : "/pts/v1/readings"))
                    .header(ardata ? "Authorization" : "Ocp-Apim-Subscription-Key", ardata ? "Bearer " + sunwatchKey : sunwatchKey)
                    .header("Content-Type", ardata ? "text/xml" : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofFile(c.path())).build());
            check(c, "HTTPS", r.statusCode(), r.body(), failures);
        }
        // the SOAP service carries ARData as escaped text: every case that is text at all
        for (Case c : cases(Set.of(FeedFormat.PTS_ARDATA))) {
            String text = utf8(c.path());
            if (text == null || text.isEmpty() || text.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')) {
                continue;
            }
            String escaped = text.replaceFirst("^<\\?xml[^>]*\\?>", "").replace("&", "&amp;").replace("<", "&lt;")
                    .replace(">", "&gt;");
            String envelope = Files.readString(SAMPLES.resolve("pts/soap-postdata.xml")).replace("API-KEY", sunwatchKey)
                    .replaceFirst("(?s)<xmldata>.*</xmldata>", "<xmldata>" + java.util.regex.Matcher.quoteReplacement(escaped)
                            + "</xmldata>");
            dsl.truncate(READING, READING_OUTCOME, FEED_OUTCOME_COUNT, FEED).cascade().execute();
            HttpResponse<String> r = send(HttpRequest.newBuilder(url("/pts/v1/soap")).header("Content-Type", "text/xml; charset=utf-8")
                    .header("SOAPAction", "\"https://ar.masscec-pts.com/postdata\"")
                    .POST(HttpRequest.BodyPublishers.ofString(envelope)).build());
            if (c.file().contains("utf7") || c.file().contains("doctype")) {
                // the SOAP body's own text has no declaration or DTD of its own left to refuse
                assertThat(r.statusCode()).as(c.file()).isLessThan(500);
                continue;
            }
            check(c, "SOAP", r.statusCode(), r.body(), failures);
        }
        assertThat(failures).isEmpty();
    }

    private void check(Case c, String channel, int httpStatus, String body, List<String> failures) throws Exception {
        if (httpStatus >= 500) {
            failures.add(c.file() + " over " + channel + ": HTTP " + httpStatus + " " + abbreviate(body));
            return;
        }
        if (httpStatus == 202) {
            String poll = JSON.readTree(body).get("poll").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> send(HttpRequest.newBuilder(url(poll))
                    .header("Authorization", "Bearer " + sunwatchKey).GET().build()).statusCode() != 202);
        }
        FeedRecord feed = dsl.selectFrom(FEED).orderBy(FEED.FEED_ID.desc()).limit(1).fetchOne();
        if (feed == null) {
            failures.add(c.file() + " over " + channel + ": HTTP " + httpStatus + " but no feed " + abbreviate(body));
            return;
        }
        checkFeed(c, channel, feed, failures);
        // the next case is judged as if alone: its own file, its own expectations
        dsl.truncate(READING, READING_OUTCOME, FEED_OUTCOME_COUNT, FEED).cascade().execute();
    }

    private void checkFeed(Case c, String channel, FeedRecord feed, List<String> failures) {
        String where = c.file() + " over " + channel + " (" + c.note() + "), feed " + feed.getFeedId() + ": ";
        List<String> wrong = new ArrayList<>();
        if (!feed.getStatus().equals(c.status())) {
            wrong.add("status " + feed.getStatus() + " (expected " + c.status() + ")");
        }
        String code = feed.getRejectionCode() == null ? "" : feed.getRejectionCode();
        if (!code.equals(c.code())) {
            wrong.add("code " + code + " '" + abbreviate(feed.getRejectionMessage()) + "' (expected " + c.code() + ")");
        }
        if (feed.getReadingCount() != c.readingCount()) {
            wrong.add("reading_count " + feed.getReadingCount() + " (expected " + c.readingCount() + ")");
        }
        Integer invalid = dsl.select(FEED_OUTCOME_COUNT.COUNT).from(FEED_OUTCOME_COUNT)
                .where(FEED_OUTCOME_COUNT.FEED_ID.eq(feed.getFeedId()), FEED_OUTCOME_COUNT.CODE.eq("INVALID_VALUE"))
                .fetchOne(FEED_OUTCOME_COUNT.COUNT);
        if ((invalid == null ? 0 : invalid) != c.invalid()) {
            wrong.add("INVALID_VALUE " + invalid + " (expected " + c.invalid() + ")");
        }
        int stored = dsl.fetchCount(READING, READING.FEED_ID.eq(feed.getFeedId()));
        if (feed.getStatus().equals("REJECTED") && stored > 0) {
            wrong.add(stored + " readings stored for a rejected feed");
        }
        if (!c.record3().isEmpty() && !feed.getStatus().equals("REJECTED")) {
            String third = dsl.select(READING_OUTCOME.CODE).from(READING_OUTCOME)
                    .where(READING_OUTCOME.FEED_ID.eq(feed.getFeedId()), READING_OUTCOME.RECORD_NO.eq(3))
                    .fetchOne(READING_OUTCOME.CODE);
            boolean storedThird = dsl.fetchExists(READING, READING.FEED_ID.eq(feed.getFeedId()), READING.RECORD_NO.eq(3));
            String actual = third != null ? third : storedThird ? "ACCEPTED" : "nothing";
            if (!actual.equals(c.record3())) {
                wrong.add("record 3 " + actual + " (expected " + c.record3() + ")");
            }
        }
        if (!wrong.isEmpty()) {
            failures.add(where + String.join("; ", wrong));
        }
    }

    private long lastFeedId() {
        Long id = dsl.select(org.jooq.impl.DSL.max(FEED.FEED_ID)).from(FEED).fetchOne(0, Long.class);
        return id == null ? 0 : id;
    }

    private static String utf8(Path file) throws Exception {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString().replace("\uFEFF", "");
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
