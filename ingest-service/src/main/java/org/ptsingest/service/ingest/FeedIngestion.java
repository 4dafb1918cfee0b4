package org.ptsingest.service.ingest;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.select;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record4;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.csv.CsvFeedReader;
import org.ptsingest.feed.csv.FeedFormatException;
import org.ptsingest.feed.csv.InvalidRecord;
import org.ptsingest.feed.csv.ParsedReading;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedPipeline;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.rules.ProviderHistory;
import org.ptsingest.rules.ReadingJudge;
import org.ptsingest.rules.RegistrySnapshot;
import org.ptsingest.rules.RuleSettings;
import org.ptsingest.rules.StoredNeighbourCursor;
import org.ptsingest.rules.StoredReading;
import org.ptsingest.rules.Verdict;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The feed pipeline behind every channel. One delivery, one transaction:
 * <ol>
 *   <li>archive the raw bytes (content-addressed) and hash them;</li>
 *   <li>lock the provider (its feeds are judged one after another, across instances) and recognise a
 *       retried delivery or the same bytes sent again;</li>
 *   <li>check the provider's approval at receipt time;</li>
 *   <li>stream-parse the CSV into spill files, COPY the readable records into a temporary staging table;</li>
 *   <li>walk the staged readings in (system, meter, time) order beside the stored readings of the same
 *       meters, and let {@link ReadingJudge} give each one outcome;</li>
 *   <li>COPY accepted readings and non-plain outcomes, record counts and status, commit.</li>
 * </ol>
 * Readings, outcomes and feed record commit together or not at all; a failure leaves nothing behind
 * and the channel retries the delivery.
 */
@Component
public class FeedIngestion implements FeedPipeline {
    private static final Logger log = LoggerFactory.getLogger(FeedIngestion.class);
    private static final int FETCH_SIZE = 10_000;
    private static final String FORMAT_CSV_V1 = "CSV_V1";

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final javax.sql.DataSource dataSource;
    private final RawFeedArchive archive;
    private final RegistrySnapshots registry;
    private final ReceiptWriter receipts;
    private final IngestMetrics metrics;
    private final RuleSettings rules;
    private final Path workDir;

    FeedIngestion(DSLContext dsl, TransactionTemplate tx, javax.sql.DataSource dataSource, RawFeedArchive archive,
            RegistrySnapshots registry, ReceiptWriter receipts, IngestMetrics metrics, IngestProperties properties) {
        this.dsl = dsl;
        this.tx = tx;
        this.dataSource = dataSource;
        this.archive = archive;
        this.registry = registry;
        this.receipts = receipts;
        this.metrics = metrics;
        this.rules = properties.rules().settings();
        this.workDir = properties.workDir();
    }

    @Override
    public FeedResult ingest(FeedDelivery delivery) throws IOException {
        long start = System.nanoTime();
        RawFeedArchive.Archived raw = archive.store(delivery.content());
        log.debug("feed {} archived in {} ms", delivery.fileName(), (System.nanoTime() - start) / 1_000_000);
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome outcome = tx.execute(status -> inTransaction(delivery, raw));
                FeedResult result = outcome.result();
                if (!result.retried()) {
                    metrics.feedDone(delivery.channel(), result.status(), outcome.counts());
                }
                log.info("feed {} from {} ({} {}, {} bytes): {}{}", result.feedId(), delivery.providerId(),
                        delivery.channel(), delivery.fileName(), raw.byteCount(), result.status(),
                        result.retried() ? " (already processed; receipt re-sent)" : "");
                return result;
            } catch (DuplicateKeyException e) {
                // Another instance committed the same delivery or bytes between our checks and our insert;
                // the next attempt finds its feed and answers accordingly.
                if (attempt >= 3) {
                    throw e;
                }
                log.info("feed {} from {} raced with a concurrent delivery; retrying", delivery.fileName(),
                        delivery.providerId());
            }
        }
    }

    @Override
    public void writeReceipt(long feedId, OutputStream out) throws IOException {
        receipts.write(feedId, out);
    }

    /** A committed feed and its reading counts (for metrics, which count only what committed). */
    private record Outcome(FeedResult result, Map<OutcomeCode, Integer> counts) {}

    private Outcome inTransaction(FeedDelivery d, RawFeedArchive.Archived raw) {
        lockProvider(d.providerId());
        FeedRecord done = dsl.selectFrom(FEED)
                .where(FEED.CHANNEL.eq(d.channel().name()), FEED.SOURCE_KEY.eq(d.sourceKey()))
                .fetchOne();
        if (done != null) {
            return new Outcome(result(done, true), Map.of());
        }
        FeedRecord feed = dsl.newRecord(FEED);
        feed.setProviderId(d.providerId());
        feed.setChannel(d.channel().name());
        feed.setFileName(d.fileName());
        feed.setSourceKey(d.sourceKey());
        feed.setSha256(raw.sha256());
        feed.setByteCount(raw.byteCount());
        feed.setFormat(FORMAT_CSV_V1);
        feed.setReceivedAt(utc(d.receivedAt()));
        feed.setRawLocation(raw.location().toString());
        feed.setReadingCount(0);

        FeedRecord original = dsl.selectFrom(FEED)
                .where(FEED.PROVIDER_ID.eq(d.providerId()), FEED.SHA256.eq(raw.sha256()), FEED.DUPLICATE_OF.isNull())
                .fetchOne();
        if (original != null) {
            feed.setDuplicateOf(original.getFeedId());
            return finish(feed, FeedStatus.DUPLICATE_FEED, OutcomeCode.DUPLICATE_FEED, "the same bytes were received "
                    + "as feed " + original.getFeedId() + " (" + original.getFileName() + ") at "
                    + original.getReceivedAt().toInstant() + "; nothing was reprocessed");
        }
        ProviderHistory history = registry.history(d.providerId());
        if (history == null) {
            return finish(feed, FeedStatus.REJECTED, OutcomeCode.UNKNOWN_PROVIDER,
                    "provider " + d.providerId() + " is not registered");
        }
        var receivedOn = d.receivedAt().atZone(rules.zone()).toLocalDate();
        if (!history.approvedOn(receivedOn)) {
            var status = history.statusOn(receivedOn);
            return finish(feed, FeedStatus.REJECTED, OutcomeCode.PROVIDER_NOT_APPROVED, "provider " + d.providerId()
                    + (status == null ? " has no approval" : " is " + status) + " on " + receivedOn);
        }
        feed.setStatus(FeedStatus.REJECTED.name()); // provisional, settled below in the same transaction
        feed.setProcessedAt(utc(Instant.now()));
        feed.store();
        try {
            return judgeAndStore(feed, d, raw.location(), history);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("feed " + feed.getFeedId() + ": database failure while storing", e);
        }
    }

    private Outcome judgeAndStore(FeedRecord feed, FeedDelivery d, Path rawFile, ProviderHistory history)
            throws IOException, SQLException {
        Files.createDirectories(workDir);
        String prefix = "feed-" + feed.getFeedId() + "-" + UUID.randomUUID();
        Path outcomes = workDir.resolve(prefix + ".outcomes");
        Path accepted = workDir.resolve(prefix + ".readings");
        Path spans = workDir.resolve(prefix + ".spans");
        try {
            Map<OutcomeCode, Integer> counts = new EnumMap<>(OutcomeCode.class);
            Phases phases = new Phases();
            int records;
            MeterSpans meterSpans = new MeterSpans();
            Connection c = DataSourceUtils.getConnection(dataSource);
            PgCopy.createStaging(c, "256MB");
            Savepoint beforeStaging = c.setSavepoint();
            try (PgCopy.StagingCopy staging = PgCopy.copyStaging(c); Writer outcomeRows = spill(outcomes);
                    InputStream in = Files.newInputStream(rawFile)) {
                Writer stagedRows = staging.writer();
                records = new CsvFeedReader().read(in, new CsvFeedReader.Sink() {
                    @Override
                    public void reading(ParsedReading r) throws IOException {
                        meterSpans.add(r.systemId(), r.meterSerial(), r.readAt());
                        PgCopy.row(stagedRows, r.line(), r.systemId(), r.meterSerial(), r.readAt(),
                                r.registerKwh().toPlainString());
                    }

                    @Override
                    public void invalid(InvalidRecord r) throws IOException {
                        counts.merge(OutcomeCode.INVALID_VALUE, 1, Integer::sum);
                        PgCopy.row(outcomeRows, feed.getFeedId(), r.line(), r.systemId(), r.meterSerial(), null, null,
                                OutcomeCode.INVALID_VALUE.name(), r.message());
                    }
                });
                staging.finish(c);
            } catch (FeedFormatException e) {
                // The staging COPY was cancelled; undo it and keep the feed row for the rejection.
                c.rollback(beforeStaging);
                return finish(feed, FeedStatus.REJECTED, OutcomeCode.SCHEMA_VIOLATION, e.getMessage());
            }
            c.releaseSavepoint(beforeStaging);
            meterSpans.write(spans);
            PgCopy.copySpans(c, spans);
            phases.done("parse and stage");
            RegistrySnapshot snapshot = registry.forStagedFeed(d.providerId(), history);
            ReadingJudge judge = new ReadingJudge(rules, snapshot, d.receivedAt());
            phases.done("registry");
            try (Writer outcomeRows = append(outcomes); Writer readingRows = spill(accepted);
                    ResultSet feedRows = stagedInOrder();
                    Cursor<Record4<String, String, OffsetDateTime, BigDecimal>> storedRows = storedAround()) {
                StoredNeighbourCursor neighbours = new StoredNeighbourCursor(stored(storedRows));
                phases.done("neighbours");
                while (feedRows.next()) {
                    // Read through JDBC, not jOOQ records: with binary transfer (prepareThreshold=-1)
                    // the driver decodes timestamps directly, which matters at millions of rows.
                    ParsedReading r = new ParsedReading(feedRows.getInt(1), feedRows.getString(2),
                            feedRows.getString(3), feedRows.getObject(4, OffsetDateTime.class).toInstant(),
                            feedRows.getBigDecimal(5));
                    Verdict v = judge.judge(r, neighbours.find(r.systemId(), r.meterSerial(), r.readAt()));
                    counts.merge(v.code(), 1, Integer::sum);
                    if (v.code().stores()) {
                        PgCopy.row(readingRows, r.systemId(), r.meterSerial(), r.readAt(), r.registerKwh(),
                                feed.getFeedId(), r.line(),
                                v.code() == OutcomeCode.ACCEPTED ? null : v.code().name());
                    }
                    if (v.code() != OutcomeCode.ACCEPTED) {
                        PgCopy.row(outcomeRows, feed.getFeedId(), r.line(), r.systemId(), r.meterSerial(), r.readAt(),
                                r.registerKwh(), v.code().name(), v.message());
                    }
                }
            }
            phases.done("judge");
            PgCopy.copyReadings(c, accepted);
            PgCopy.copyOutcomes(c, outcomes);
            phases.done("store");
            log.info("feed {}: {} records; {}", feed.getFeedId(), records, phases);
            feed.setReadingCount(records);
            return finish(feed, FeedStatus.fromReadingCounts(counts), null, null, counts);
        } finally {
            Files.deleteIfExists(outcomes);
            Files.deleteIfExists(accepted);
            Files.deleteIfExists(spans);
        }
    }

    /** Wall-clock time per pipeline phase, for the per-feed log line (where does a big feed's time go). */
    private static final class Phases {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();

        void done(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ", ").append(phase).append(' ').append((now - last) / 1_000_000).append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private ResultSet stagedInOrder() {
        return dsl.select(Staging.LINE_NO, Staging.SYSTEM_ID, Staging.METER_SERIAL, Staging.READ_AT,
                        Staging.REGISTER_KWH)
                .from(Staging.TABLE)
                .orderBy(Staging.SYSTEM_ID.collate(Staging.C), Staging.METER_SERIAL.collate(Staging.C),
                        Staging.READ_AT, Staging.LINE_NO)
                .fetchSize(FETCH_SIZE)
                .fetchResultSet();
    }

    /**
     * Stored readings of the meters this feed touches, from the last one before the feed's earliest
     * reading to the first one after its latest: every possible stored neighbour, nothing more.
     */
    private Cursor<Record4<String, String, OffsetDateTime, BigDecimal>> storedAround() {
        Field<String> spanSystem = Staging.SPAN_SYSTEM_ID;
        Field<String> spanMeter = Staging.SPAN_METER_SERIAL;
        Field<OffsetDateTime> firstAt = Staging.SPAN_FIRST_AT;
        Field<OffsetDateTime> lastAt = Staging.SPAN_LAST_AT;
        var p = READING.as("p");
        var n = READING.as("n");
        Field<OffsetDateTime> from = coalesce(select(max(p.READ_AT)).from(p)
                .where(p.SYSTEM_ID.eq(spanSystem), p.METER_SERIAL.eq(spanMeter), p.READ_AT.lt(firstAt))
                .<OffsetDateTime>asField(), firstAt);
        Field<OffsetDateTime> to = coalesce(select(min(n.READ_AT)).from(n)
                .where(n.SYSTEM_ID.eq(spanSystem), n.METER_SERIAL.eq(spanMeter), n.READ_AT.gt(lastAt))
                .<OffsetDateTime>asField(), lastAt);
        return dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH)
                .from(Staging.SPANS)
                .join(READING).on(READING.SYSTEM_ID.eq(spanSystem), READING.METER_SERIAL.eq(spanMeter))
                .where(READING.READ_AT.between(from, to))
                .orderBy(READING.SYSTEM_ID.collate(Staging.C), READING.METER_SERIAL.collate(Staging.C), READING.READ_AT)
                .fetchSize(FETCH_SIZE)
                .fetchLazy();
    }

    private static Iterator<StoredReading> stored(Cursor<Record4<String, String, OffsetDateTime, BigDecimal>> rows) {
        Iterator<Record4<String, String, OffsetDateTime, BigDecimal>> it = rows.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public StoredReading next() {
                var r = it.next();
                return new StoredReading(r.value1(), r.value2(), r.value3().toInstant(), r.value4());
            }
        };
    }

    private void lockProvider(String providerId) {
        // Transaction-scoped advisory lock: one provider's feeds are judged one at a time across all
        // instances, so each is judged against everything committed before it.
        dsl.select(DSL.function("pg_advisory_xact_lock", SQLDataType.OTHER,
                DSL.function("hashtextextended", SQLDataType.BIGINT, DSL.val(providerId), DSL.val(0L)))).fetch();
    }

    private Outcome finish(FeedRecord feed, FeedStatus status, OutcomeCode code, String message) {
        return finish(feed, status, code, message, Map.of());
    }

    private Outcome finish(FeedRecord feed, FeedStatus status, OutcomeCode code, String message,
            Map<OutcomeCode, Integer> counts) {
        feed.setStatus(status.name());
        feed.setRejectionCode(code == null ? null : code.name());
        feed.setRejectionMessage(message);
        feed.setProcessedAt(utc(Instant.now()));
        feed.store();
        if (!counts.isEmpty()) {
            var insert = dsl.insertInto(FEED_OUTCOME_COUNT, FEED_OUTCOME_COUNT.FEED_ID, FEED_OUTCOME_COUNT.CODE,
                    FEED_OUTCOME_COUNT.COUNT);
            counts.forEach((c, n) -> insert.values(feed.getFeedId(), c.name(), n));
            insert.execute();
        }
        return new Outcome(result(feed, false), counts);
    }

    private static FeedResult result(FeedRecord feed, boolean retried) {
        return new FeedResult(feed.getFeedId(), feed.getProviderId(), feed.getFileName(),
                FeedStatus.valueOf(feed.getStatus()), retried);
    }

    private static OffsetDateTime utc(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }

    private static Writer spill(Path p) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8), 1 << 16);
    }

    private static Writer append(Path p) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND), 1 << 16);
    }
}
