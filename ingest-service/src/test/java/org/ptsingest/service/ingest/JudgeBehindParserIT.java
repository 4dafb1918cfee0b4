package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.Channel;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.service.IngestItSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A large feed arriving in judging order is judged run by run while it is still being parsed. The test holds the
 * parser at its 200,000th reading until the judge has judged and COPYd the two full runs before it; what the
 * feed's end holds then decides what must be stored:
 * <ul>
 *   <li>more readings in order: the whole feed, with the outcomes a feed judged in one piece gets, including a
 *       meter whose readings straddle runs;</li>
 *   <li>a schema violation on the last line: nothing at all, though two runs were COPYd already;</li>
 *   <li>a reading out of order: the feed judged whole from the sort, as if it never started behind the parser.</li>
 * </ul>
 * 96 meters of MA-1001 (any meter counts as installed on it), 2,600 readings each a quarter of an hour apart, so
 * the run boundaries (every 100,000 readings) fall inside meters and each run names more meters than go inline.
 */
@ExtendWith(OutputCaptureExtension.class)
class JudgeBehindParserIT extends IngestItSupport {
    static final int METERS = 96;
    static final int PER_METER = 2_600;
    /** Meters written before the test waits: 80 x 2,600 = 208,000 readings, two full runs and a part. */
    static final int BEFORE_WAIT = 80;
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;
    @Autowired
    FeedIngestion ingestion;
    @Autowired
    PlatformTransactionManager transactions;

    private FeedIngestion.Ahead ahead;
    private final AtomicLong judgedSoFar = new AtomicLong();

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
        registerMa1001WithoutMeter();
    }

    @AfterEach
    void closeAhead() {
        if (ahead != null) {
            ahead.close();
        }
    }

    @Test
    void aFeedInOrderIsStoredWholeWithTheOutcomesItWouldGetInOnePiece(CapturedOutput log) throws Exception {
        FeedIngestion.Judged judged = judgeHeldParser(end -> {
            writeMeters(end, BEFORE_WAIT, METERS - 1);
            // the last meter: a reading below the one before it (judged against this feed's own earlier reading),
            // then an unreadable register, then an ordinary reading
            line(end, METERS - 1, 0, "1000.000");
            line(end, METERS - 1, 1, "999.000");
            line(end, METERS - 1, 2, "twelve");
            line(end, METERS - 1, 3, "1001.000");
        });

        int readable = (METERS - 1) * PER_METER + 3;
        assertThat(judged.result().status()).isEqualTo(FeedStatus.PARTIALLY_ACCEPTED);
        assertThat(judged.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                OutcomeCode.ACCEPTED, readable - 1, OutcomeCode.REGISTER_DECREASED, 1, OutcomeCode.INVALID_VALUE, 1));
        long feedId = judged.result().feedId();
        assertThat(dsl.fetchCount(READING, READING.FEED_ID.eq(feedId))).isEqualTo(readable - 1);
        assertThat(dsl.select(READING_OUTCOME.CODE).from(READING_OUTCOME).where(READING_OUTCOME.FEED_ID.eq(feedId))
                .orderBy(READING_OUTCOME.LINE_NO).fetch(READING_OUTCOME.CODE))
                .containsExactly("REGISTER_DECREASED", "INVALID_VALUE");
        // every meter's readings all stored, those that straddle a run boundary too; the last meter's two accepted
        Map<String, Integer> perMeter = dsl.select(READING.METER_SERIAL, DSL.count()).from(READING)
                .where(READING.FEED_ID.eq(feedId)).groupBy(READING.METER_SERIAL).fetchMap(READING.METER_SERIAL, DSL.count());
        assertThat(perMeter).hasSize(METERS).containsEntry("BEHIND-095", 2);
        assertThat(perMeter.entrySet().stream().filter(e -> !e.getKey().equals("BEHIND-095")).map(Map.Entry::getValue))
                .containsOnly(PER_METER);
        // what the feed stored per system, counted across the runs its one system's readings straddle
        assertThat(storedPerSystem(feedId)).containsExactly(Map.entry("MA-1001", readable - 1));
        assertThat(runsBegunWhileParsing(log, feedId)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aSchemaViolationOnTheLastLineStoresNothingThoughRunsWereStoredBehindTheParser(CapturedOutput log)
            throws Exception {
        List<String> broken = Files.readAllLines(SAMPLES.resolve("csv-v1/malformed/unterminated-quote.csv"));
        FeedIngestion.Judged judged = judgeHeldParser(end -> {
            writeMeters(end, BEFORE_WAIT, METERS);
            end.write(broken.get(2) + "\n" + broken.get(3) + "\n");
        });

        assertThat(judged.result().status()).isEqualTo(FeedStatus.REJECTED);
        assertThat(judged.result().rejectionCode()).isEqualTo(OutcomeCode.SCHEMA_VIOLATION.name());
        assertThat(dsl.fetchCount(READING)).isZero();
        assertThat(dsl.fetchCount(READING_OUTCOME)).isZero();
        assertThat(dsl.fetchCount(FEED_SYSTEM)).isZero();
        assertThat(dsl.fetchOne(FEED, FEED.FEED_ID.eq(judged.result().feedId())).getRejectionMessage())
                .startsWith("line " + (1 + METERS * PER_METER + 1) + ": unreadable CSV");
        assertThat(log.getOut()).contains("feed " + judged.result().feedId()
                + ": SCHEMA_VIOLATION after 2 runs were judged behind the parser: rolled back, judged whole");
    }

    @Test
    void aReadingOutOfOrderAfterRunsWereStoredGivesTheOutcomesOfTheFeedJudgedWhole(CapturedOutput log)
            throws Exception {
        FeedIngestion.Judged judged = judgeHeldParser(end -> {
            writeMeters(end, BEFORE_WAIT, METERS);
            line(end, 0, 0, register(0)); // the feed's first reading again, at its end: sorted, a DUPLICATE
        });

        assertThat(judged.result().status()).isEqualTo(FeedStatus.ACCEPTED);
        assertThat(judged.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                OutcomeCode.ACCEPTED, METERS * PER_METER, OutcomeCode.DUPLICATE, 1));
        long feedId = judged.result().feedId();
        assertThat(dsl.fetchCount(READING, READING.FEED_ID.eq(feedId))).isEqualTo(METERS * PER_METER);
        assertThat(dsl.select(READING_OUTCOME.LINE_NO, READING_OUTCOME.CODE).from(READING_OUTCOME).fetch()
                .map(r -> r.value1() + " " + r.value2()))
                .containsExactly((1 + METERS * PER_METER + 1) + " DUPLICATE");
        // the runs' count rolled back with them: the feed judged whole counted its own
        assertThat(storedPerSystem(feedId)).containsExactly(Map.entry("MA-1001", METERS * PER_METER));
        assertThat(log.getOut()).contains("feed " + feedId
                + ": a reading came out of judging order after 2 runs were judged behind the parser: rolled back,"
                + " judged whole");
    }

    interface End {
        void write(Writer out) throws IOException;
    }

    /**
     * Writes the feed (the header, the first {@link #BEFORE_WAIT} meters, then {@code end}), parses it ahead and
     * starts the judge; the parser is held at its 200,000th reading (two full runs) until the judge has judged those
     * two runs behind it.
     */
    private FeedIngestion.Judged judgeHeldParser(End end) throws Exception {
        Path file = dir.resolve("behind.csv");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("system_id,meter_serial,read_at,register_kwh\n");
            writeMeters(out, 0, BEFORE_WAIT);
            end.write(out);
        }
        FeedDelivery d = new FeedDelivery("sunwatch", Channel.HTTPS, FeedFormat.CSV_V1, "behind.csv",
                DeliveryKey.https(UUID.randomUUID()), file, Instant.now(), false);
        CountDownLatch judgedTwoRuns = new CountDownLatch(1);
        ahead = ingestion.parseAhead(d, (read, judged) -> {
            if (read == 200_000) {
                awaitQuietly(judgedTwoRuns);
            }
        });
        assertThat(ahead).isNotNull();
        TransactionTemplate tx = new TransactionTemplate(transactions);
        CompletableFuture<FeedIngestion.Judged> judging = CompletableFuture.supplyAsync(() -> {
            ahead.awaitStart();
            return tx.execute(status -> ingestion.judge(d, new RawFeedArchive.Digest("behind-" + UUID.randomUUID(), 0),
                    0, (read, judged) -> judgedSoFar.set(judged), ahead));
        });
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> judgedSoFar.get() >= 200_000 || judging.isDone());
            assertThat(judging).as("the judge waits for the rest of the feed").isNotDone();
        } finally {
            judgedTwoRuns.countDown();
        }
        return judging.get(2, TimeUnit.MINUTES);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeMeters(Writer out, int from, int to) throws IOException {
        for (int m = from; m < to; m++) {
            for (int i = 0; i < PER_METER; i++) {
                line(out, m, i, register(i));
            }
        }
    }

    private static void line(Writer out, int meter, int quarter, String kwh) throws IOException {
        out.write("MA-1001,BEHIND-" + String.format("%03d", meter) + "," + START.plus(Duration.ofMinutes(15L * quarter))
                + "," + kwh + "\n");
    }

    /** A kWh a quarter of an hour: within MA-1001's 8.5 kW (2.125 kWh a quarter). */
    private static String register(int quarter) {
        return (1000 + quarter) + ".000";
    }

    private Map<String, Integer> storedPerSystem(long feedId) {
        return dsl.select(FEED_SYSTEM.SYSTEM_ID, FEED_SYSTEM.STORED_READINGS).from(FEED_SYSTEM)
                .where(FEED_SYSTEM.FEED_ID.eq(feedId)).fetchMap(FEED_SYSTEM.SYSTEM_ID, FEED_SYSTEM.STORED_READINGS);
    }

    private static int runsBegunWhileParsing(CapturedOutput log, long feedId) {
        Matcher m = Pattern.compile("feed " + feedId + ": .*behind the parser \\((\\d+) of 3 runs begun while it parsed\\)")
                .matcher(log.getOut());
        assertThat(m.find()).as("the feed's phase line").isTrue();
        return Integer.parseInt(m.group(1));
    }
}
