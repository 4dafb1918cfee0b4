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
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import jakarta.annotation.PreDestroy;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.ParsedReading;
import org.ptsingest.feed.csv.CsvFeedReader;
import org.ptsingest.feed.json.JsonFeedReader;
import org.ptsingest.feed.pts.ArDataReader;
import org.ptsingest.feed.pts.PtsJsonReader;
import org.ptsingest.feed.xml.XmlFeedReader;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.rules.FeedAdmission;
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
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;

/**
 * Judges one recorded delivery, in the transaction of its caller ({@link Deliveries}):
 * <ol>
 *   <li>lock the provider (its feeds are judged one after another, across instances) and recognise a
 *       retried delivery;</li>
 *   <li>let {@link FeedAdmission} decide about the feed as a whole (the same bytes again, the provider's
 *       registration and approval at receipt time, the file name);</li>
 *   <li>stream-parse the CSV and sort the readable records in bounded memory ({@link ExternalSort});</li>
 *   <li>walk them in (system, meter, time) order beside the stored readings of the same meters, and
 *       let {@link ReadingJudge} give each one outcome;</li>
 *   <li>COPY accepted readings and non-plain outcomes, record counts and status, commit.</li>
 * </ol>
 * A large feed that arrives in judging order (system-major) is judged <em>behind the parser</em> instead: steps 3
 * to 5 run run by run while the parser goes on ({@link #judgeBehindParser}); a reading out of order or a schema
 * violation later rolls that back to a savepoint, and the feed is judged as above.
 * Readings, outcomes and feed record commit together or not at all; a failure leaves nothing behind
 * and {@link Deliveries} records it on the delivery, to be tried again.
 */
@Component
public class FeedIngestion {
    private static final Logger log = LoggerFactory.getLogger(FeedIngestion.class);
    private static final int FETCH_SIZE = 10_000;
    /** Readings sorted in memory at a time (about 25 MB of heap); larger feeds sort through run files. */
    private static final int SORT_CHUNK = 100_000;
    /** Longest message stored for a feed or a reading (they quote values through Echo, capped already). */
    private static final int MAX_MESSAGE = 1_000;
    /** Progress is reported every this many records (a few times a second on a large feed). */
    private static final int PROGRESS_EVERY = 50_000;

    private final DSLContext dsl;
    private final javax.sql.DataSource dataSource;
    private final RegistrySnapshots registry;
    private final RuleSettings rules;
    private final Path workDir;
    /** One feed parsed ahead at a time per instance ({@link #parseAhead}). */
    private final Semaphore aheadPermit = new Semaphore(1);
    private final ExecutorService aheadThread =
            Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "parse-ahead");
                t.setDaemon(true);
                return t;
            });

    FeedIngestion(DSLContext dsl, javax.sql.DataSource dataSource, RegistrySnapshots registry,
            IngestProperties properties) {
        this.dsl = dsl;
        this.dataSource = dataSource;
        this.registry = registry;
        this.rules = properties.rules().settings();
        this.workDir = properties.workDir();
    }

    /** Reports how far a judge has come (the console shows it for background deliveries). */
    public interface Progress {
        Progress NONE = (read, judged) -> {};

        void at(long recordsRead, long recordsJudged);
    }

    /**
     * What judging a delivery committed (or will, when the caller's transaction commits): the feed and its
     * reading counts, for metrics, which count only what committed; {@code spans} names the feed's meters
     * (and so its systems) for the rest of the transaction, null when no reading was judged.
     */
    public record Judged(FeedResult result, Map<OutcomeCode, Integer> counts, Table<?> spans) {
        Judged(FeedResult result, Map<OutcomeCode, Integer> counts) {
            this(result, counts, null);
        }
    }

    /**
     * Judges a recorded delivery whose bytes are in {@code d.content()} and stores its feed, readings and
     * outcomes, in the caller's transaction. A reprocess marks the feed it supersedes.
     */
    public Judged judge(FeedDelivery d, RawFeedArchive.Digest raw, long deliveryId, Progress progress) {
        return judge(d, raw, deliveryId, progress, null);
    }

    /**
     * @param ahead the feed being parsed by {@link #parseAhead}, after {@link Ahead#awaitStart}, or null to parse it
     *     here; the caller closes it
     */
    public Judged judge(FeedDelivery d, RawFeedArchive.Digest raw, long deliveryId, Progress progress, Ahead ahead) {
        Judged judged = judgeDelivery(d, raw, deliveryId, progress, ahead);
        if (d.reprocessOf() != null && !judged.result().retried()) {
            dsl.update(FEED).set(FEED.SUPERSEDED_BY, judged.result().feedId())
                    .where(FEED.FEED_ID.eq(d.reprocessOf())).execute();
        }
        return judged;
    }

    /** Where a dry run's receipt is also rendered as XML, beside the JSON one. */
    public static Path xmlTwin(Path jsonReceipt) {
        return jsonReceipt.resolveSibling(jsonReceipt.getFileName().toString().replace(".json", ".xml"));
    }

    private Judged judgeDelivery(FeedDelivery d, RawFeedArchive.Digest raw, long deliveryId, Progress progress,
            Ahead ahead) {
        lockProvider(d.providerId());
        String identity = d.identity(raw.sha256()).toString();
        // The delivery record makes a retry find its feed first; this is the database's own guard.
        FeedRecord done = dsl.selectFrom(FEED)
                .where(FEED.CHANNEL.eq(d.channel().name()), FEED.SOURCE_KEY.eq(identity))
                .fetchOne();
        if (done != null) {
            return new Judged(result(done, true), Map.of());
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
        feed.setDeliveryId(deliveryId == 0 ? null : deliveryId); // 0: a dry run, which records no delivery
        feed.setReadingCount(0);
        feed.setReprocessOf(d.reprocessOf());

        // A reprocess runs bytes already received on purpose: not a DUPLICATE_FEED of its original.
        FeedRecord original = d.reprocessOf() != null ? null : dsl.selectFrom(FEED)
                .where(FEED.PROVIDER_ID.eq(d.providerId()), FEED.SHA256.eq(raw.sha256()), FEED.DUPLICATE_OF.isNull(),
                        FEED.REPROCESS_OF.isNull())
                .fetchOne();
        ProviderHistory history = registry.history(d.providerId());
        FeedAdmission.Refusal refusal = FeedAdmission.judge(d.providerId(), d.channel(), original == null ? null
                        : new FeedAdmission.EarlierFeed(original.getFeedId(), original.getFileName(),
                                original.getReceivedAt().toInstant()),
                history, d.receivedAt().atZone(rules.zone()).toLocalDate(), nameProblem);
        if (refusal != null) {
            if (original != null) {
                feed.setDuplicateOf(original.getFeedId());
            }
            return finish(feed, refusal.status(), refusal.code(), refusal.message());
        }
        feed.setStatus(FeedStatus.REJECTED.name()); // provisional, settled below in the same transaction
        feed.setProcessedAt(utc(Instant.now()));
        feed.store();
        try {
            if (ahead != null && ahead.behind) {
                return judgeBehindParser(feed, d, history, progress, ahead);
            }
            return judgeAndStore(feed, d, history, progress, ahead == null ? null : ahead.parsed());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("feed " + feed.getFeedId() + ": database failure while storing", e);
        }
    }

    private Judged judgeAndStore(FeedRecord feed, FeedDelivery d, ProviderHistory history, Progress progress,
            Parsed ahead) throws IOException, SQLException {
        Files.createDirectories(workDir);
        String prefix = "feed-" + feed.getFeedId() + "-" + UUID.randomUUID();
        Path stored = workDir.resolve(prefix + ".stored");
        Path spans = workDir.resolve(prefix + ".spans");
        Path systems = workDir.resolve(prefix + ".systems");
        Phases phases = new Phases();
        try (Parsed parsed = ahead != null ? ahead : parse(d, feed.getFeedId(), prefix, progress)) {
            phases.done(ahead == null ? "parse and sort" : "parse and sort (ahead, beside the recording: "
                    + parsed.millis() + " ms)");
            if (parsed.violation() != null) {
                log.info("feed {}: {} at parsing; {}", feed.getFeedId(), OutcomeCode.SCHEMA_VIOLATION, phases);
                // Nothing of the feed reached the database yet: only the feed row records the rejection.
                return finish(feed, FeedStatus.REJECTED, OutcomeCode.SCHEMA_VIOLATION, parsed.violation());
            }
            Path outcomes = parsed.outcomes();
            Map<OutcomeCode, Integer> counts = parsed.counts();
            MeterSpans meterSpans = parsed.spans();
            int records = parsed.records();
            if (parsed.feedId() != feed.getFeedId() && counts.containsKey(OutcomeCode.INVALID_VALUE)) {
                ownOutcomes(outcomes, feed.getFeedId());
            }
            Iterator<ParsedReading> inOrder = parsed.inOrder();

            Connection c = DataSourceUtils.getConnection(dataSource);
            Table<?> spanTable;
            if (meterSpans.inlined()) {
                spanTable = meterSpans.inline();
            } else {
                PgCopy.createSpans(c);
                meterSpans.write(spans);
                PgCopy.copySpans(c, spans);
                spanTable = MeterSpans.TABLE;
            }
            RegistrySnapshot snapshot = registry.forFeedSpans(d.providerId(), history, spanTable);
            ReadingJudge judge = new ReadingJudge(rules, snapshot, d.receivedAt());
            // Stored neighbours go to a local file first, so the connection is free to take the
            // accepted readings by COPY while they are being judged.
            long storedCount = exportStoredAround(stored, spanTable, feed.getFeedId());
            phases.done("registry and neighbours");

            StoredPerSystem perSystem = new StoredPerSystem(systems, feed.getFeedId());
            try (Writer outcomeRows = append(outcomes); perSystem) {
                long total = records(counts);
                judgeAndCopy(c, inOrder, stored, judge, feed.getFeedId(), counts, outcomeRows, perSystem,
                        judged -> progress.at(total, judged), 0);
            }
            perSystem.store(c, dsl);
            phases.done("judge and store");
            PgCopy.copyOutcomes(c, outcomes);
            phases.done("outcomes");
            log.info("feed {}: {} records, {} stored neighbours; {}", feed.getFeedId(), records, storedCount, phases);
            feed.setReadingCount(records);
            Judged judged = finish(feed, FeedStatus.fromReadingCounts(counts), null, null, counts);
            return new Judged(judged.result(), judged.counts(), spanTable);
        } finally {
            Files.deleteIfExists(stored);
            Files.deleteIfExists(spans);
            Files.deleteIfExists(systems);
        }
    }

    /**
     * Walks readings in judging order beside the stored neighbours exported to {@code stored}, gives each its
     * verdict, COPYs those that store (counting them per system) and writes an outcome row for every verdict but
     * ACCEPTED.
     *
     * @param judgedBefore readings of the feed judged before these (progress counts on from there)
     * @return how many readings it judged
     */
    private static long judgeAndCopy(Connection c, Iterator<ParsedReading> inOrder, Path stored, ReadingJudge judge,
            long feedId, Map<OutcomeCode, Integer> counts, Writer outcomeRows, StoredPerSystem perSystem,
            java.util.function.LongConsumer progress, long judgedBefore) throws IOException, SQLException {
        long judged = judgedBefore;
        try (BinaryCopy readings = PgCopy.copyReadings(c);
                BufferedReader storedRows = Files.newBufferedReader(stored, StandardCharsets.UTF_8)) {
            StoredNeighbourCursor neighbours = new StoredNeighbourCursor(storedReadings(storedRows));
            while (inOrder.hasNext()) {
                ParsedReading r = inOrder.next();
                if (++judged % PROGRESS_EVERY == 0) {
                    progress.accept(judged);
                }
                Verdict v = judge.judge(r, neighbours.find(r.systemId(), r.meterSerial(), r.readAt()));
                counts.merge(v.code(), 1, Integer::sum);
                if (v.code().stores()) {
                    readings.row(PgCopy.READING_FIELDS).text(r.systemId()).text(r.meterSerial())
                            .timestamptz(r.readAt()).numeric(r.registerKwh()).int8(feedId)
                            .int4(r.record()).int4(r.line())
                            .text(v.code() == OutcomeCode.ACCEPTED ? null : v.code().name());
                    perSystem.stored(r.systemId());
                }
                if (v.code() != OutcomeCode.ACCEPTED) {
                    PgCopy.row(outcomeRows, feedId, r.record(), r.line(), r.systemId(), r.meterSerial(), r.readAt(),
                            r.registerKwh(), v.code().name(), v.message());
                }
            }
            readings.finish();
        }
        return judged - judgedBefore;
    }

    /**
     * Judges a feed arriving in judging order while it is still being parsed: run by run, as {@link ExternalSort}
     * writes them, each with its own registry slice and stored neighbours (from its meters' spans) and its own COPY,
     * so the parse and the judge with PostgreSQL's load overlap instead of following one another. Everything it
     * stores sits after a savepoint: a reading out of order later, a schema violation or a failed parse rolls it
     * back, and the feed is judged whole from the sort as any other ({@link #judgeAndStore}). The outcome is the
     * same either way: in judging order a reading's neighbours are the same whether its meter's earlier readings came
     * in this run or the one before (the judge carries the meter's state across runs, and the stored readings looked
     * up exclude this feed's own).
     */
    private Judged judgeBehindParser(FeedRecord feed, FeedDelivery d, ProviderHistory history, Progress progress,
            Ahead ahead) throws IOException, SQLException {
        Files.createDirectories(workDir);
        String prefix = "feed-" + feed.getFeedId() + "-" + UUID.randomUUID();
        Path stored = workDir.resolve(prefix + ".stored");
        Path spans = workDir.resolve(prefix + ".spans");
        Path verdicts = workDir.resolve(prefix + ".verdicts");
        Path systems = workDir.resolve(prefix + ".systems");
        Phases phases = new Phases();
        Connection c = DataSourceUtils.getConnection(dataSource);
        Savepoint start = c.setSavepoint();
        Behind behind = new Behind(c, feed.getFeedId(), d, history, stored, spans, progress, ahead.sort);
        try {
            Parsed parsed;
            int runs = 0;
            int whileParsing = 0;
            StoredPerSystem perSystem = new StoredPerSystem(systems, feed.getFeedId());
            try (Writer verdictRows = spill(verdicts); perSystem) {
                for (ExternalSort.InOrderRun run; (run = nextRun(ahead.sort, runs)) != null; runs++) {
                    if (!ahead.result.isDone()) {
                        whileParsing++;
                    }
                    behind.judge(run, verdictRows, perSystem);
                }
                parsed = ahead.take();
                if (parsed == null || parsed.violation() != null || !parsed.sort().arrivedInOrder()) {
                    c.rollback(start);
                    String why = parsed == null ? "the parse failed" : parsed.violation() != null
                            ? OutcomeCode.SCHEMA_VIOLATION.name() : "a reading came out of judging order";
                    log.info("feed {}: {} after {} runs were judged behind the parser: rolled back, judged whole",
                            feed.getFeedId(), why, runs);
                    return judgeAndStore(feed, d, history, progress, parsed);
                }
                // (every run was judged: awaitRun gives the last ones after the parse ended too, and null only then)
            }
            phases.done("parse, judge and store behind the parser (" + whileParsing + " of " + runs
                    + " runs begun while it parsed)");
            try (parsed) {
                c.releaseSavepoint(start);
                Map<OutcomeCode, Integer> counts = parsed.counts();
                behind.counts.forEach((code, n) -> counts.merge(code, n, Integer::sum));
                Path outcomes = parsed.outcomes();
                if (parsed.feedId() != feed.getFeedId() && counts.containsKey(OutcomeCode.INVALID_VALUE)) {
                    ownOutcomes(outcomes, feed.getFeedId());
                }
                PgCopy.copyOutcomes(c, outcomes);
                PgCopy.copyOutcomes(c, verdicts);
                perSystem.store(c, dsl);
                phases.done("outcomes");
                // the whole feed's meters, for the rest of the transaction (the ledger queues their systems)
                Table<?> spanTable = behind.spanTable(parsed.spans());
                log.info("feed {}: {} records, {} stored neighbours; {}", feed.getFeedId(), parsed.records(),
                        behind.storedCount, phases);
                feed.setReadingCount(parsed.records());
                Judged judged = finish(feed, FeedStatus.fromReadingCounts(counts), null, null, counts);
                return new Judged(judged.result(), judged.counts(), spanTable);
            }
        } finally {
            Files.deleteIfExists(stored);
            Files.deleteIfExists(spans);
            Files.deleteIfExists(verdicts);
            Files.deleteIfExists(systems);
        }
    }

    private static ExternalSort.InOrderRun nextRun(ExternalSort sort, int i) {
        try {
            return sort.awaitRun(i);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while judging behind the parser", e);
        }
    }

    /** The state of a judge behind the parser, from one run to the next. */
    private final class Behind {
        private final Connection c;
        private final long feedId;
        private final FeedDelivery d;
        private final ProviderHistory history;
        private final Path stored;
        private final Path spans;
        private final Progress progress;
        private final ExternalSort sort;
        private final Map<OutcomeCode, Integer> counts = new EnumMap<>(OutcomeCode.class);
        private ReadingJudge judge;
        private boolean spanTableCreated;
        private long judged;
        private long storedCount;

        Behind(Connection c, long feedId, FeedDelivery d, ProviderHistory history, Path stored, Path spans,
                Progress progress, ExternalSort sort) {
            this.c = c;
            this.feedId = feedId;
            this.d = d;
            this.history = history;
            this.stored = stored;
            this.spans = spans;
            this.progress = progress;
            this.sort = sort;
        }

        void judge(ExternalSort.InOrderRun run, Writer verdictRows, StoredPerSystem perSystem)
                throws IOException, SQLException {
            Table<?> spanTable = spanTable(run.spans());
            RegistrySnapshot snapshot = registry.forFeedSpans(d.providerId(), history, spanTable);
            if (judge == null) {
                judge = new ReadingJudge(rules, snapshot, d.receivedAt());
            } else {
                judge.registry(snapshot);
            }
            storedCount += exportStoredAround(stored, spanTable, feedId);
            List<AutoCloseable> open = new ArrayList<>();
            try {
                judged += judgeAndCopy(c, run.readings(open), stored, judge, feedId, counts, verdictRows, perSystem,
                        n -> progress.at(Math.max(sort.added(), n), n), judged);
            } finally {
                for (AutoCloseable in : open) {
                    try {
                        in.close();
                    } catch (Exception e) {
                        log.warn("could not close a sorted run: {}", e.getMessage());
                    }
                }
            }
        }

        /** The spans as a table for the queries: inline for a few meters, else the temporary table refilled. */
        Table<?> spanTable(MeterSpans meterSpans) throws IOException, SQLException {
            if (meterSpans.inlined()) {
                return meterSpans.inline();
            }
            if (spanTableCreated) {
                PgCopy.clearSpans(c);
            } else {
                PgCopy.createSpans(c);
                spanTableCreated = true;
            }
            meterSpans.write(spans);
            PgCopy.copySpans(c, spans);
            return MeterSpans.TABLE;
        }
    }

    /**
     * Stream-parses a feed and sorts its readable records; invalid records go to the outcome file as COPY
     * rows of {@code feedId}. Touches no database, so it may run before the feed has a row (ahead).
     */
    private Parsed parse(FeedDelivery d, long feedId, String prefix, Progress progress) throws IOException {
        return parse(d, feedId, prefix, progress, new ExternalSort(workDir, prefix, SORT_CHUNK));
    }

    private Parsed parse(FeedDelivery d, long feedId, String prefix, Progress progress, ExternalSort readable)
            throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(workDir);
        Path outcomes = workDir.resolve(prefix + ".outcomes");
        Map<OutcomeCode, Integer> counts = new EnumMap<>(OutcomeCode.class);
        MeterSpans meterSpans = new MeterSpans();
        try {
            int records;
            try (Writer outcomeRows = spill(outcomes)) {
                records = reader(d).read(d.content(), new FeedReader.Sink() {
                    private long read;

                    @Override
                    public void reading(ParsedReading r) throws IOException {
                        meterSpans.add(r.systemId(), r.meterSerial(), r.readAt());
                        readable.add(r);
                        if (++read % PROGRESS_EVERY == 0) {
                            progress.at(read, 0);
                        }
                    }

                    @Override
                    public void invalid(InvalidRecord r) throws IOException {
                        ++read;
                        counts.merge(OutcomeCode.INVALID_VALUE, 1, Integer::sum);
                        PgCopy.row(outcomeRows, feedId, r.record(), r.line(), r.systemId(), r.meterSerial(),
                                null, null, OutcomeCode.INVALID_VALUE.name(), Echo.message(r.message(), MAX_MESSAGE));
                    }
                });
            } catch (FeedFormatException e) {
                readable.seal();
                return new Parsed(feedId, readable, outcomes, counts, meterSpans, 0, null, e.getMessage(),
                        millisSince(started));
            }
            Iterator<ParsedReading> inOrder = readable.sorted();
            return new Parsed(feedId, readable, outcomes, counts, meterSpans, records, inOrder, null, millisSince(started));
        } catch (IOException | RuntimeException | Error e) {
            readable.close();
            Files.deleteIfExists(outcomes);
            throw e;
        }
    }

    /** The outcome rows of a feed parsed ahead, under the feed's id (they were written before it had one). */
    private static void ownOutcomes(Path outcomes, long feedId) throws IOException {
        Path owned = outcomes.resolveSibling(outcomes.getFileName() + ".owned");
        String placeholder = Long.toString(AHEAD_FEED_ID);
        try (BufferedReader in = Files.newBufferedReader(outcomes, StandardCharsets.UTF_8); Writer out = spill(owned)) {
            for (String row; (row = in.readLine()) != null; ) {
                // a COPY text row per line (PgCopy escapes line breaks), its first column the feed id
                out.write(Long.toString(feedId));
                out.write(row, placeholder.length(), row.length() - placeholder.length());
                out.write('\n');
            }
        }
        Files.move(owned, outcomes, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A feed's readable records in judging order, its meters, and its invalid records' outcome rows (under
     * {@code feedId}); {@code violation} is the schema violation that rejects the whole feed, or null.
     */
    record Parsed(long feedId, ExternalSort sort, Path outcomes, Map<OutcomeCode, Integer> counts, MeterSpans spans,
            int records, Iterator<ParsedReading> inOrder, String violation, long millis) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            sort.close();
            Files.deleteIfExists(outcomes);
        }
    }

    /** The feed id in the outcome rows of a feed parsed ahead, until it has its own (identity ids start at 1). */
    private static final long AHEAD_FEED_ID = 0;
    /** Below this size a feed is recorded in milliseconds: parsing it ahead would cost more than it saves. */
    public static final long PARSE_AHEAD_FROM = 4L << 20;

    /**
     * Starts parsing and sorting a large feed on another thread while its channel records the delivery
     * (hash, then its bytes into {@code raw_chunk}: about a second per 100 MB, on the database's side),
     * so the judge finds it parsed. Null when that would not pay: a dry run, a small feed, a PTS format
     * (their readers ask the database which meter a system reports), or another feed being parsed ahead
     * (one at a time per instance: each holds up to two sort chunks of memory, and a provider's feeds
     * parsed ahead are not yet serialised by its lock).
     */
    public Ahead parseAhead(FeedDelivery d) {
        return parseAhead(d, Progress.NONE);
    }

    /** @param parsing told how far the parser has come (tests hold it there, to see what the judge does meanwhile) */
    Ahead parseAhead(FeedDelivery d, Progress parsing) {
        boolean worth = !d.dryRun() && switch (d.format()) {
            case CSV_V1, XML_V1, JSON_V1 -> true;
            case PTS_ARDATA, PTS_JSON -> false;
        };
        try {
            worth = worth && Files.size(d.content()) >= PARSE_AHEAD_FROM;
        } catch (IOException e) {
            worth = false;
        }
        if (!worth || !aheadPermit.tryAcquire()) {
            return null;
        }
        String prefix = "ahead-" + UUID.randomUUID();
        Ahead ahead = new Ahead(new ExternalSort(workDir, prefix, SORT_CHUNK));
        try {
            aheadThread.execute(() -> ahead.run(() -> parse(d, AHEAD_FEED_ID, prefix, parsing, ahead.sort)));
        } catch (RejectedExecutionException e) {
            aheadPermit.release(); // shutting down
            return null;
        }
        return ahead;
    }

    @PreDestroy
    void stopParsingAhead() {
        aheadThread.shutdownNow();
    }

    /** What a parse ahead produced, or will: the judge takes it, its channel closes it either way. */
    public final class Ahead implements AutoCloseable {
        private final CompletableFuture<Parsed> result = new CompletableFuture<>();
        /** The parse's sort: a judge behind the parser takes its runs as they are written. */
        private final ExternalSort sort;
        private boolean closed;
        private Parsed parsed;
        /** Set by {@link #awaitStart}: the judge works behind the parser; else {@link #taken} is the whole parse. */
        private boolean behind;
        private Parsed taken;

        private Ahead(ExternalSort sort) {
            this.sort = sort;
        }

        /**
         * Waits, outside any transaction (no connection held), until the judge can start: for a feed arriving in
         * judging order, its first run written (the judge then works behind the parser, whether the parse has ended
         * meanwhile or not); for any other, the whole feed parsed, as its sort needs every reading. A feed in order that
         * fits in one run (100,000 readings) has no run to offer and is judged whole.
         */
        public void awaitStart() {
            try {
                // also when the parse has ended meanwhile: one path for every feed in order that fills a run
                behind = sort.awaitRun(0) != null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a feed was parsed ahead", e);
            }
            if (!behind) {
                taken = take();
            }
        }

        /** The whole parse as {@link #awaitStart} took it; null when it failed (the judge then parses itself). */
        Parsed parsed() {
            return taken;
        }

        interface Parse {
            Parsed run() throws IOException;
        }

        private void run(Parse parse) {
            Parsed p;
            try {
                p = parse.run();
            } catch (Throwable e) {
                aheadPermit.release();
                result.completeExceptionally(e);
                return;
            }
            boolean orphan;
            synchronized (this) {
                orphan = closed;
                parsed = orphan ? null : p;
            }
            if (orphan) {
                dispose(p);
            } else {
                result.complete(p);
            }
        }

        /** The parsed feed, waiting for it; null when the parse failed (the judge then parses itself). */
        Parsed take() {
            try {
                return result.get();
            } catch (ExecutionException e) {
                log.warn("parsing ahead failed ({}); the judge parses the feed itself", String.valueOf(e.getCause()));
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a feed was parsed ahead", e);
            }
        }

        /** Removes its sort's files and gives the next feed its turn; the parse, if still running, does when done. */
        @Override
        public void close() {
            Parsed p;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                p = parsed;
                parsed = null;
            }
            if (p != null) {
                dispose(p);
            }
        }

        private void dispose(Parsed p) {
            try {
                p.close();
            } catch (IOException e) {
                log.warn("could not remove the work files of a feed parsed ahead: {}", e.getMessage());
            } finally {
                aheadPermit.release();
            }
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
     * reading to the first one after its latest: every possible stored neighbour, nothing more. Readings of
     * {@code feedId} itself are not neighbours (a feed judged behind its parser has stored its earlier runs
     * already; the judge knows them as the feed's own).
     */
    private long exportStoredAround(Path file, Table<?> spans, long feedId) throws IOException, SQLException {
        Field<String> spanSystem = MeterSpans.SYSTEM_ID;
        Field<String> spanMeter = MeterSpans.METER_SERIAL;
        Field<OffsetDateTime> firstAt = MeterSpans.FIRST_AT;
        Field<OffsetDateTime> lastAt = MeterSpans.LAST_AT;
        var p = READING.as("p");
        var q = READING.as("q");
        Field<OffsetDateTime> from = coalesce(select(max(p.READ_AT)).from(p)
                .where(p.SYSTEM_ID.eq(spanSystem), p.METER_SERIAL.eq(spanMeter), p.READ_AT.lt(firstAt),
                        p.FEED_ID.ne(feedId))
                .<OffsetDateTime>asField(), firstAt);
        Field<OffsetDateTime> to = coalesce(select(min(q.READ_AT)).from(q)
                .where(q.SYSTEM_ID.eq(spanSystem), q.METER_SERIAL.eq(spanMeter), q.READ_AT.gt(lastAt),
                        q.FEED_ID.ne(feedId))
                .<OffsetDateTime>asField(), lastAt);
        // Each meter's bounds first, in a MATERIALIZED CTE, then an index range scan per meter. Inlined,
        // PostgreSQL hash-joins the whole reading table and runs the bound subqueries once per stored
        // reading: a feed took time proportional to all history (1.6 s at 180,000 readings, 11 ms now).
        var bounds = DSL.name("bounds").fields("system_id", "meter_serial", "lo", "hi").asMaterialized(
                select(spanSystem, spanMeter, from, to).from(spans));
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
                        READING.READ_AT.between(lo, hi), READING.FEED_ID.ne(feedId))
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
            case PTS_ARDATA -> new ArDataReader(rules.zone(), registry.meterAttribution(d.providerId()));
            case PTS_JSON -> new PtsJsonReader(rules.zone(), registry.meterAttribution(d.providerId()));
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

    private Judged finish(FeedRecord feed, FeedStatus status, OutcomeCode code, String message) {
        return finish(feed, status, code, message, Map.of());
    }

    private Judged finish(FeedRecord feed, FeedStatus status, OutcomeCode code, String message,
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
        return new Judged(result(feed, false), counts);
    }

    static FeedResult result(FeedRecord feed, boolean retried) {
        return FeedResult.judged(feed.getDeliveryId() == null ? 0 : feed.getDeliveryId(), feed.getFeedId(),
                feed.getProviderId(), feed.getFileName(), FeedStatus.valueOf(feed.getStatus()), retried,
                feed.getRejectionCode());
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static long records(Map<OutcomeCode, Integer> counts) {
        return counts.values().stream().mapToLong(Integer::longValue).sum();
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
