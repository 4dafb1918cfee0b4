package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.service.ingest.FeedIngestion;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A large feed is parsed and sorted while its delivery is recorded (hash, bytes into raw_chunk), not
 * after: the judge finds it parsed. What it stores must be what judging it in place stores — its
 * invalid records' outcomes under the feed's own id (they were written before the feed had one), and a
 * schema violation on its last line still rejects it whole. Built from the sunwatch samples: the
 * baseline's five readings, then the invalid-values sample's eight records repeated past the size from
 * which feeds are parsed ahead.
 */
@ExtendWith(OutputCaptureExtension.class)
class ParseAheadIT extends IngestItSupport {
    static final int REPEATS = 12_000;

    @TempDir
    Path dir;

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    @Test
    void aLargeFeedParsedAheadStoresItsReadingsAndItsInvalidRecordsUnderItsOwnId(CapturedOutput log) throws Exception {
        Path feed = largeFeed("ahead.csv", List.of());
        assertThat(Files.size(feed)).isGreaterThanOrEqualTo(FeedIngestion.PARSE_AHEAD_FROM);

        JsonNode receipt = dropAndAwait(feed);

        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(receipt.at("/counts/ACCEPTED").asInt()).isEqualTo(5);
        assertThat(receipt.at("/counts/INVALID_VALUE").asInt()).isEqualTo(8 * REPEATS);
        long feedId = receipt.get("feed_id").asLong();
        assertThat(dsl.fetchCount(READING, READING.FEED_ID.eq(feedId))).isEqualTo(5);
        assertThat(dsl.fetchCount(READING_OUTCOME, READING_OUTCOME.FEED_ID.eq(feedId))).isEqualTo(8 * REPEATS);
        assertThat(dsl.fetchCount(READING_OUTCOME)).isEqualTo(8 * REPEATS);
        assertThat(log.getOut()).contains("feed " + feedId + ": " + (5 + 8 * REPEATS) + " records")
                .contains("parse and sort (ahead, beside the recording");
    }

    @Test
    void aSchemaViolationOnTheLastLineOfAFeedParsedAheadRejectsItWhole(CapturedOutput log) throws Exception {
        // the unterminated-quote sample's broken line, as the feed's last
        List<String> broken = Files.readAllLines(SAMPLES.resolve("csv-v1/malformed/unterminated-quote.csv"));
        Path feed = largeFeed("broken.csv", List.of(broken.get(2), broken.get(3)));

        JsonNode receipt = dropAndAwait(feed);

        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.at("/rejection/code").asText()).isEqualTo("SCHEMA_VIOLATION");
        // header, five readings, the repeated records, then the line with the quote
        assertThat(receipt.at("/rejection/message").asText()).startsWith("line " + (1 + 5 + 8 * REPEATS + 1)
                + ": unreadable CSV");
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(dsl.fetchCount(READING_OUTCOME)).isZero();
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
        assertThat(log.getOut()).contains("feed " + receipt.get("feed_id").asLong()
                + ": SCHEMA_VIOLATION at parsing; parse and sort (ahead, beside the recording");
    }

    private JsonNode dropAndAwait(Path feed) throws Exception {
        String name = feed.getFileName().toString();
        drop("sunwatch", feed, name);
        return awaitReceipt("sunwatch", name);
    }

    private Path largeFeed(String name, List<String> lastLines) throws Exception {
        List<String> baseline = Files.readAllLines(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"));
        List<String> invalid = Files.readAllLines(SAMPLES.resolve("csv-v1/sunwatch/05-invalid-values.csv"));
        Path feed = dir.resolve(name);
        try (BufferedWriter out = Files.newBufferedWriter(feed, StandardCharsets.UTF_8)) {
            for (String line : baseline) {
                out.write(line);
                out.write('\n');
            }
            for (int i = 0; i < REPEATS; i++) {
                for (String line : invalid.subList(1, invalid.size())) {
                    out.write(line);
                    out.write('\n');
                }
            }
            for (String line : Stream.of(lastLines).flatMap(List::stream).toList()) {
                out.write(line);
                out.write('\n');
            }
        }
        return feed;
    }
}
