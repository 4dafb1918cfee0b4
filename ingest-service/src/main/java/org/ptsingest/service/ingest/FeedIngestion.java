package org.ptsingest.service.ingest;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.select;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.csv.CsvFeedReader;
import org.ptsingest.feed.json.JsonFeedReader;
import org.ptsingest.feed.pts.ArDataReader;
import org.ptsingest.feed.pts.PtsJsonReader;
import org.ptsingest.feed.xml.XmlFeedReader;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ParsedReading;
import org.ptsingest.pipeline.DeliveryIdentityConflict;
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
 *   <li>stream-parse the CSV and sort the readable records in bounded memory ({@link ExternalSort});</li>
 *   <li>walk them in (system, meter, time) order beside the stored readings of the same meters, and
 *       let {@link ReadingJudge} give each one outcome;</li>
 *   <li>COPY accepted readings and non-plain outcomes, record counts and status, commit.</li>
 * </ol>
 * Readings, outcomes and feed record commit together or not at all; a failure leaves nothing behind
 * and the channel retries the delivery.
 */
@Component
public class FeedIngestion implements FeedPipeline {
    private static final Logger log = LoggerFactory.getLogger(FeedIngestion.class);
    private static final int FETCH_SIZE = 10_000;
    /** Readings sorted in memory at a time (about 25 MB of heap); larger feeds sort through run files. */
    private static final int SORT_CHUNK = 100_000;
    /** Longest message stored for a feed or a reading (they quote values through Echo, capped already). */
    private static final int MAX_MESSAGE = 1_000;

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
        if (delivery.dryRun()) {
            return dryRun(delivery);
        }
        long start = System.nanoTime();
        RawFeedArchive.Archived raw = archive.store(delivery.content());
        log.debug("feed {} archived in {} ms", Echo.escape(delivery.fileName()),
                (System.nanoTime() - start) / 1_000_000);
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome outcome = tx.execute(status -> inTransaction(delivery, raw));
                FeedResult result = outcome.result();
                if (!result.retried()) {
                    metrics.feedDone(delivery.channel(), result.status(), outcome.counts());
                }
                log.info("feed {} from {} ({} {}, {} bytes): {}{}", result.feedId(), delivery.providerId(),
                        delivery.channel(), Echo.escape(delivery.fileName()), raw.byteCount(), result.status(),
                        result.retried() ? " (already processed; receipt re-sent)" : "");
                return result;
            } catch (DuplicateKeyException e) {
                // Another instance committed the same delivery or bytes between our checks and our insert;
                // the next attempt finds its feed and answers accordingly.
                if (attempt >= 3) {
                    throw e;
                }
                log.info("feed {} from {} raced with a concurrent delivery; retrying", Echo.escape(delivery.fileName()),
                        delivery.providerId());
            }
        }
    }

    /**
     * The whole pipeline in a transaction that is rolled back after the receipt was rendered from it:
     * the provider sees exactly the receipt a real delivery would get, and nothing is kept.
     */
    private FeedResult dryRun(FeedDelivery delivery) throws IOException {
        RawFeedArchive.Archived raw = archive.digest(delivery.content());
        Files.createDirectories(workDir);
        Path receipt = Files.createTempFile(workDir, "dry-run-", ".receipt.json");
        FeedResult result = tx.execute(status -> {
            status.setRollbackOnly();
            FeedResult r = inTransaction(delivery, raw).result();
            try (OutputStream out = Files.newOutputStream(receipt);
                    OutputStream xml = Files.newOutputStream(xmlTwin(receipt))) {
                receipts.write(r.feedId(), out);
                receipts.writeXml(r.feedId(), xml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return r;
        });
        log.info("dry run of {} from {}: {}", Echo.escape(delivery.fileName()), delivery.providerId(),
                result.status());
        return new FeedResult(result.feedId(), result.providerId(), result.fileName(), result.status(), false,
                result.rejectionCode(), receipt);
    }

    /** Where a dry run's receipt is also rendered as XML, beside the JSON one. */
    public static Path xmlTwin(Path jsonReceipt) {
        return jsonReceipt.resolveSibling(jsonReceipt.getFileName().toString().replace(".json", ".xml"));
    }

    @Override
    public void writeReceipt(long feedId, OutputStream out) throws IOException {
        receipts.write(feedId, out);
    }

    /** A committed feed and its reading counts (for metrics, which count only what committed). */
    private record Outcome(FeedResult result, Map<OutcomeCode, Integer> counts) {}

    private Outcome inTransaction(FeedDelivery d, RawFeedArchive.Archived raw) {
        Outcome outcome = judgeDelivery(d, raw);
        if (d.reprocessOf() != null && !outcome.result().retried()) {
            dsl.update(FEED).set(FEED.SUPERSEDED_BY, outcome.result().feedId())
                    .where(FEED.FEED_ID.eq(d.reprocessOf())).execute();
        }
        return outcome;
    }

    private Outcome judgeDelivery(FeedDelivery d, RawFeedArchive.Archived raw) {
        lockProvider(d.providerId());
        String identity = d.identity(raw.sha256());
        FeedRecord done = dsl.selectFrom(FEED)
                .where(FEED.CHANNEL.eq(d.channel().name()), FEED.SOURCE_KEY.eq(identity))
                .fetchOne();
        if (done != null) {
            if (!done.getSha256().equals(raw.sha256())) {
                throw new DeliveryIdentityConflict(d.channel(), identity, done.getFeedId());
            }
            return new Outcome(result(done, true), Map.of());
        }
        FeedRecord feed = dsl.newRecord(FEED);
        feed.setProviderId(d.providerId());
        feed.setChannel(d.channel().name());
        // A name that is not allowed is kept escaped (it may hold a NUL, which PostgreSQL text refuses).
        String nameProblem = FeedFileName.problem(d.fileName());
        feed.setFileName(nameProblem == null ? d.fileName() : Echo.message(d.fileName(), 2 * FeedFileName.MAX_LENGTH));
        feed.setSourceKey(identity);
        feed.setSha256(raw.sha256());
        feed.setByteCount(raw.byteCount());
        feed.setFormat(d.format().name());
        feed.setReceivedAt(utc(d.receivedAt()));
        feed.setRawLocation(raw.location().toString());
        feed.setReadingCount(0);
        feed.setReprocessOf(d.reprocessOf());

        // A reprocess runs bytes already received on purpose: not a DUPLICATE_FEED of its original.
        FeedRecord original = d.reprocessOf() != null ? null : dsl.selectFrom(FEED)
                .where(FEED.PROVIDER_ID.eq(d.providerId()), FEED.SHA256.eq(raw.sha256()), FEED.DUPLICATE_OF.isNull(),
                        FEED.REPROCESS_OF.isNull())
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
        if (nameProblem != null) {
            return finish(feed, FeedStatus.REJECTED, OutcomeCode.FILE_NAME_NOT_ALLOWED, nameProblem);
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
        Path stored = workDir.resolve(prefix + ".stored");
        Path spans = workDir.resolve(prefix + ".spans");
        Map<OutcomeCode, Integer> counts = new EnumMap<>(OutcomeCode.class);
        Phases phases = new Phases();
        MeterSpans meterSpans = new MeterSpans();
        try (ExternalSort readable = new ExternalSort(workDir, prefix, SORT_CHUNK)) {
            int records;
            try (Writer outcomeRows = spill(outcomes)) {
                records = reader(d).read(rawFile, new FeedReader.Sink() {
                    @Override
                    public void reading(ParsedReading r) throws IOException {
                        meterSpans.add(r.systemId(), r.meterSerial(), r.readAt());
                        readable.add(r);
                    }

                    @Override
                    public void invalid(InvalidRecord r) throws IOException {
                        counts.merge(OutcomeCode.INVALID_VALUE, 1, Integer::sum);
                        PgCopy.row(outcomeRows, feed.getFeedId(), r.record(), r.line(), r.systemId(), r.meterSerial(),
                                null, null, OutcomeCode.INVALID_VALUE.name(), Echo.message(r.message(), MAX_MESSAGE));
                    }
                });
            } catch (FeedFormatException e) {
                // Nothing of the feed reached the database yet: only the feed row records the rejection.
                return finish(feed, FeedStatus.REJECTED, OutcomeCode.SCHEMA_VIOLATION, e.getMessage());
            }
            Iterator<ParsedReading> inOrder = readable.sorted();
            phases.done("parse and sort");

            Connection c = DataSourceUtils.getConnection(dataSource);
            PgCopy.createSpans(c);
            meterSpans.write(spans);
            PgCopy.copySpans(c, spans);
            RegistrySnapshot snapshot = registry.forFeedSpans(d.providerId(), history);
            ReadingJudge judge = new ReadingJudge(rules, snapshot, d.receivedAt());
            // Stored neighbours go to a local file first, so the connection is free to take the
            // accepted readings by COPY while they are being judged.
            long storedCount = exportStoredAround(stored);
            phases.done("registry and neighbours");

            try (Writer outcomeRows = append(outcomes); PgCopy.CopyIn readings = PgCopy.copyReadings(c);
                    BufferedReader storedRows = Files.newBufferedReader(stored, StandardCharsets.UTF_8)) {
                StoredNeighbourCursor neighbours = new StoredNeighbourCursor(storedReadings(storedRows));
                Writer readingRows = readings.writer();
                while (inOrder.hasNext()) {
                    ParsedReading r = inOrder.next();
                    Verdict v = judge.judge(r, neighbours.find(r.systemId(), r.meterSerial(), r.readAt()));
                    counts.merge(v.code(), 1, Integer::sum);
                    if (v.code().stores()) {
                        PgCopy.row(readingRows, r.systemId(), r.meterSerial(), r.readAt(), r.registerKwh(),
                                feed.getFeedId(), r.record(), r.line(),
                                v.code() == OutcomeCode.ACCEPTED ? null : v.code().name());
                    }
                    if (v.code() != OutcomeCode.ACCEPTED) {
                        PgCopy.row(outcomeRows, feed.getFeedId(), r.record(), r.line(), r.systemId(), r.meterSerial(), r.readAt(),
                                r.registerKwh(), v.code().name(), v.message());
                    }
                }
                readings.finish();
            }
            phases.done("judge and store");
            PgCopy.copyOutcomes(c, outcomes);
            phases.done("outcomes");
            log.info("feed {}: {} records, {} stored neighbours; {}", feed.getFeedId(), records, storedCount, phases);
            feed.setReadingCount(records);
            return finish(feed, FeedStatus.fromReadingCounts(counts), null, null, counts);
        } finally {
            Files.deleteIfExists(outcomes);
            Files.deleteIfExists(stored);
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

    /**
     * Stored readings of the meters this feed touches, from the last one before the feed's earliest
     * reading to the first one after its latest: every possible stored neighbour, nothing more.
     */
    private long exportStoredAround(Path file) throws IOException, SQLException {
        Field<String> spanSystem = MeterSpans.SYSTEM_ID;
        Field<String> spanMeter = MeterSpans.METER_SERIAL;
        Field<OffsetDateTime> firstAt = MeterSpans.FIRST_AT;
        Field<OffsetDateTime> lastAt = MeterSpans.LAST_AT;
        var p = READING.as("p");
        var q = READING.as("q");
        Field<OffsetDateTime> from = coalesce(select(max(p.READ_AT)).from(p)
                .where(p.SYSTEM_ID.eq(spanSystem), p.METER_SERIAL.eq(spanMeter), p.READ_AT.lt(firstAt))
                .<OffsetDateTime>asField(), firstAt);
        Field<OffsetDateTime> to = coalesce(select(min(q.READ_AT)).from(q)
                .where(q.SYSTEM_ID.eq(spanSystem), q.METER_SERIAL.eq(spanMeter), q.READ_AT.gt(lastAt))
                .<OffsetDateTime>asField(), lastAt);
        // Each meter's bounds first, in a MATERIALIZED CTE, then an index range scan per meter. Inlined,
        // PostgreSQL hash-joins the whole reading table and runs the bound subqueries once per stored
        // reading: a feed took time proportional to all history (1.6 s at 180,000 readings, 11 ms now).
        var bounds = DSL.name("bounds").fields("system_id", "meter_serial", "lo", "hi").asMaterialized(
                select(spanSystem, spanMeter, from, to).from(MeterSpans.TABLE));
        Field<String> boundSystem = DSL.field(DSL.name("bounds", "system_id"), SQLDataType.CLOB);
        Field<String> boundMeter = DSL.field(DSL.name("bounds", "meter_serial"), SQLDataType.CLOB);
        Field<OffsetDateTime> lo = DSL.field(DSL.name("bounds", "lo"), SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<OffsetDateTime> hi = DSL.field(DSL.name("bounds", "hi"), SQLDataType.TIMESTAMPWITHTIMEZONE);
        long n = 0;
        try (Writer out = spill(file);
                ResultSet rows = dsl.with(bounds)
                .select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH)
                .from(bounds)
                .join(READING).on(READING.SYSTEM_ID.eq(boundSystem), READING.METER_SERIAL.eq(boundMeter),
                        READING.READ_AT.between(lo, hi))
                .orderBy(READING.SYSTEM_ID.collate(MeterSpans.C), READING.METER_SERIAL.collate(MeterSpans.C), READING.READ_AT)
                .fetchSize(FETCH_SIZE)
                .fetchResultSet()) {
            while (rows.next()) {
                Instant at = rows.getObject(3, OffsetDateTime.class).toInstant();
                PgCopy.row(out, rows.getString(1), rows.getString(2), at.getEpochSecond() * 1_000_000 + at.getNano() / 1000,
                        rows.getBigDecimal(4).toPlainString());
                n++;
            }
        }
        return n;
    }

    private static Instant micros(String epochMicros) {
        long us = Long.parseLong(epochMicros);
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000), Math.floorMod(us, 1_000_000) * 1000L);
    }

    private FeedReader reader(FeedDelivery d) {
        return switch (d.format()) {
            case CSV_V1 -> new CsvFeedReader();
            case XML_V1 -> new XmlFeedReader(d.providerId());
            case JSON_V1 -> new JsonFeedReader(d.providerId());
            case PTS_ARDATA -> new ArDataReader(rules.zone(), registry.meterSerials());
            case PTS_JSON -> new PtsJsonReader(rules.zone(), registry.meterSerials());
        };
    }

    /** Reads the stored-neighbour export back, one row at a time. */
    private static Iterator<StoredReading> storedReadings(BufferedReader rows) {
        return new Iterator<>() {
            private String next = read();

            private String read() {
                try {
                    return rows.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public StoredReading next() {
                String[] f = PgCopy.fields(next, 4);
                next = read();
                return new StoredReading(f[0], f[1], micros(f[2]), new BigDecimal(f[3]));
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
        feed.setRejectionMessage(Echo.message(message, MAX_MESSAGE));
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
                FeedStatus.valueOf(feed.getStatus()), retried, feed.getRejectionCode(), null);
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
