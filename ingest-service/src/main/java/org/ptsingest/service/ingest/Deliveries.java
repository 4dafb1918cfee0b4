package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY_PROGRESS;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.LongFunction;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.pipeline.DeliveryIdentityConflict;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedPipeline;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.ptsingest.service.production.ProductionLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every delivery's life-cycle, whatever the channel (README, "Delivery life-cycle"):
 * <ol>
 *   <li><b>receive</b>: the delivery is recorded with its bytes, in one transaction, before anything is
 *       judged; the same identity again finds the record (a retry), other bytes under it are refused;</li>
 *   <li><b>judge</b>: the record is locked and {@link FeedIngestion} judges it, in one transaction that
 *       also marks it JUDGED; a failure that is not the input's fault is recorded on it (FAILED, next
 *       attempt after a back-off, QUARANTINED after {@code ingest.delivery.max-attempts}) in a
 *       transaction of its own, and answered, not thrown;</li>
 *   <li>the {@link DeliveryWorker} takes what is due: failed deliveries at their next attempt, 202
 *       deliveries and reprocess requests at once, and deliveries whose instance died while judging them.</li>
 * </ol>
 * A dry run takes the same judge in a transaction that is rolled back, and records nothing.
 */
@Component
public class Deliveries implements FeedPipeline {
    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
    private static final int MAX_ERROR = 1_000;

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final DataSource dataSource;
    private final RawFeedArchive archive;
    private final FeedIngestion ingestion;
    private final ReceiptWriter receipts;
    private final IngestMetrics metrics;
    private final IngestProperties.Delivery settings;
    private final Path workDir;
    private final ProductionLedger production;
    /** SFTP files larger than this are judged by the delivery worker ({@link #handToWorker}). */
    private final long sftpAsyncAbove;
    /** Tells the delivery worker of a delivery due now ({@link DueNow}), so it does not wait for its next run. */
    private final ApplicationEventPublisher events;

    Deliveries(DSLContext dsl, TransactionTemplate tx, DataSource dataSource, RawFeedArchive archive,
            FeedIngestion ingestion, ReceiptWriter receipts, IngestMetrics metrics, IngestProperties properties,
            ProductionLedger production, ApplicationEventPublisher events) {
        this.production = production;
        this.events = events;
        this.dsl = dsl;
        this.tx = tx;
        this.dataSource = dataSource;
        this.archive = archive;
        this.ingestion = ingestion;
        this.receipts = receipts;
        this.metrics = metrics;
        this.settings = properties.delivery();
        this.workDir = properties.workDir();
        this.sftpAsyncAbove = properties.sftp().asyncAbove().toBytes();
        if (settings.maxAttempts() < 1) {
            throw new IllegalArgumentException("ingest.delivery.max-attempts must be at least 1, is "
                    + settings.maxAttempts());
        }
    }

    @Override
    public FeedResult ingest(FeedDelivery delivery) throws IOException {
        if (delivery.dryRun()) {
            return dryRunReceipt(delivery);
        }
        // (a name that is not allowed is answered at once, FILE_NAME_NOT_ALLOWED, however large the file: as over HTTPS)
        if (delivery.channel() == Channel.SFTP && Files.size(delivery.content()) > sftpAsyncAbove
                && FeedFileName.allowed(delivery.fileName())) {
            FeedResult handed = handToWorker(delivery);
            if (handed != null) {
                return handed;
            }
        }
        // A large feed is parsed while its bytes are recorded: the two took one after the other before
        try (FeedIngestion.Ahead ahead = ingestion.parseAhead(delivery)) {
            long id = receive(delivery, Instant.now().plus(settings.orphanAfter()));
            return judge(id, delivery, true, ahead);
        }
    }

    /**
     * Records a large SFTP file and hands it to the delivery worker, which judges it and writes its receipt: the
     * inbox route judges one file at a time, and a file of millions of readings (tens of seconds) would hold every
     * other provider's files that long. Null when the delivery was recorded before and not handed over (an earlier
     * attempt of the route): the channel then judges it itself, as any retry.
     */
    private FeedResult handToWorker(FeedDelivery delivery) throws IOException {
        long id = receive(delivery, Instant.now(), true);
        DeliveryRecord d = find(id);
        if (d.getHandedOverAt() == null) {
            return null;
        }
        DeliveryState state = DeliveryState.valueOf(d.getState());
        if (state == DeliveryState.JUDGED) {
            return judge(id, delivery, true); // judged before: the retry is answered with its receipt
        }
        log.info("delivery {}: {} bytes over SFTP (more than ingest.sftp.async-above): the delivery worker judges it "
                + "and writes its receipt", id, d.getByteCount());
        events.publishEvent(new DueNow(id));
        return FeedResult.notJudged(id, state, d.getProviderId(), delivery.fileName(), null, null);
    }

    /**
     * Records a delivery the worker judges (a 202 delivery): it is due at once, and the caller answers
     * with its id.
     */
    public long receiveForBackground(FeedDelivery delivery) throws IOException {
        long id = receive(delivery, Instant.now());
        events.publishEvent(new DueNow(id));
        return id;
    }

    /**
     * A delivery the worker is to judge now (a 202 delivery, a large SFTP file, a reprocess request): the worker
     * takes it once the transaction that recorded it committed, instead of at its next run.
     */
    public record DueNow(long deliveryId) {}

    /**
     * Records the delivery and its bytes, or finds it when its identity was recorded before (a retry).
     *
     * @param due when the worker may take it (a channel judging it now gives it {@code orphan-after})
     * @throws DeliveryIdentityConflict when the identity was recorded with other bytes
     */
    long receive(FeedDelivery d, Instant due) throws IOException {
        return receive(d, due, false);
    }

    /** @param handedOver the channel does not wait for it: the worker answers (recorded so, for the worker's first look) */
    private long receive(FeedDelivery d, Instant due, boolean handedOver) throws IOException {
        long started = System.nanoTime();
        RawFeedArchive.Digest digest = archive.digest(d.content());
        DeliveryKey key = d.identity(digest.sha256());
        long hashed = System.nanoTime();
        boolean[] recorded = {false};
        for (int attempt = 1; ; attempt++) {
            recorded[0] = false;
            try {
                long id = tx.execute(status -> {
                    DeliveryRecord known = find(d.channel(), key);
                    if (known != null) {
                        return same(known, d, key, digest);
                    }
                    try {
                        archive.store(d.content(), digest);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    DeliveryRecord record = dsl.newRecord(DELIVERY);
                    record.setChannel(d.channel().name());
                    record.setSourceKey(key.toString());
                    record.setProviderId(d.providerId());
                    record.setFormat(d.format().name());
                    record.setFileName(storable(d.fileName()));
                    record.setSha256(digest.sha256());
                    record.setByteCount(digest.byteCount());
                    record.setReceivedAt(utc(d.receivedAt()));
                    record.setReprocessOf(d.reprocessOf());
                    record.setState(DeliveryState.RECEIVED.name());
                    record.setAttempts(0);
                    record.setNextAttemptAt(utc(due));
                    record.setUpdatedAt(utc(Instant.now()));
                    if (handedOver) {
                        record.setHandedOverAt(record.getUpdatedAt());
                    }
                    record.store();
                    recorded[0] = true;
                    return record.getDeliveryId();
                });
                if (!recorded[0]) {
                    return id; // recorded before: a retry
                }
                // where a large delivery's time goes before it is judged (README, "Benchmark")
                log.info("delivery {}: {} bytes recorded in {} ms (SHA-256 {} ms, then the record and its bytes)", id,
                        digest.byteCount(), (System.nanoTime() - started) / 1_000_000, (hashed - started) / 1_000_000);
                return id;
            } catch (DuplicateKeyException e) {
                // the same delivery recorded by another instance between our look-up and our insert
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The file name as given when PostgreSQL text can hold it (the worker judges a retry under the same
     * name); escaped when it holds a NUL or half a surrogate pair — such a name is not allowed, and its
     * escaped form is not either, so a retry is answered FILE_NAME_NOT_ALLOWED all the same.
     */
    static String storable(String fileName) {
        boolean holdable = fileName.length() <= 4 * FeedFileName.MAX_LENGTH;
        for (int i = 0; holdable && i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (c == 0) {
                holdable = false;
            } else if (Character.isHighSurrogate(c)) {
                holdable = i + 1 < fileName.length() && Character.isLowSurrogate(fileName.charAt(++i));
            } else if (Character.isLowSurrogate(c)) {
                holdable = false;
            }
        }
        return holdable ? fileName : Echo.message(fileName, 2 * FeedFileName.MAX_LENGTH);
    }

    private static long same(DeliveryRecord known, FeedDelivery d, DeliveryKey key, RawFeedArchive.Digest digest) {
        if (!known.getSha256().equals(digest.sha256())) {
            throw new DeliveryIdentityConflict(d.channel(), key, known.getDeliveryId());
        }
        return known.getDeliveryId();
    }

    /** A reprocess request: ops' user and reason are recorded by the caller; the worker judges it. */
    public long receiveReprocess(long feedId, String providerId, Channel channel, FeedFormat format, String fileName,
            String sha256, long byteCount, Instant originallyReceived, String user) {
        DeliveryRecord record = dsl.newRecord(DELIVERY);
        record.setChannel(channel.name());
        record.setSourceKey(DeliveryKey.reprocess(feedId, Instant.now()).toString());
        record.setProviderId(providerId);
        record.setFormat(format.name());
        record.setFileName(fileName);
        record.setSha256(sha256);
        record.setByteCount(byteCount);
        record.setReceivedAt(utc(originallyReceived));
        record.setReprocessOf(feedId);
        record.setRequestedBy(user);
        record.setHandedOverAt(utc(Instant.now())); // no channel waits: the worker answers (SFTP receipt)
        record.setState(DeliveryState.RECEIVED.name());
        record.setAttempts(0);
        record.setNextAttemptAt(utc(Instant.now()));
        record.setUpdatedAt(utc(Instant.now()));
        record.store();
        events.publishEvent(new DueNow(record.getDeliveryId()));
        return record.getDeliveryId();
    }

    /**
     * Judges a recorded delivery, or answers what it is when there is nothing to judge (judged already,
     * waiting for its next attempt, quarantined, discarded).
     *
     * @param received the delivery as its channel received it (its bytes in a local file, its name as
     *     given), or null for the worker, which takes both from the record
     * @param channelWaits true when a channel asks (it waits for an instance judging it now); false for the
     *     worker, which skips a delivery another instance is judging, or that is not due
     * @return null when the worker skipped it
     */
    public FeedResult judge(long deliveryId, FeedDelivery received, boolean channelWaits) {
        return judge(deliveryId, received, channelWaits, null);
    }

    /** @param ahead {@code received} being parsed ahead (its first attempt uses it), or null */
    private FeedResult judge(long deliveryId, FeedDelivery received, boolean channelWaits, FeedIngestion.Ahead ahead) {
        Path content = received == null ? null : received.content();
        Path fetched = null;
        // A progress row exists only once the judge wrote one, or from an earlier attempt (the worker's
        // take, or a channel's retry of a recorded delivery): otherwise there is nothing to clear after.
        boolean[] progressMayExist = {received == null};
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    Path[] local = {content};
                    Channel[] channel = {null};
                    // waited for outside the transaction (no connection held meanwhile) until the judge can start: the
                    // whole parse, or a feed in order's first run (the judge then works behind the parser); a later
                    // attempt parses again
                    FeedIngestion.Ahead parsing = attempt == 1 ? ahead : null;
                    if (parsing != null) {
                        parsing.awaitStart();
                    }
                    FeedIngestion.Judged judged = tx.execute(status -> {
                        DeliveryRecord d = lock(deliveryId, channelWaits);
                        if (d == null) {
                            return null;
                        }
                        channel[0] = Channel.valueOf(d.getChannel());
                        if (d.getAttempts() > 0 || !DeliveryState.RECEIVED.name().equals(d.getState())) {
                            progressMayExist[0] = true;
                        }
                        FeedIngestion.Judged settled = settled(d, channelWaits);
                        if (settled != null) {
                            return settled;
                        }
                        if (local[0] == null) {
                            local[0] = fetch(d);
                        }
                        // The channel's own delivery when it asks (its file name exactly as given); else the record's.
                        FeedDelivery delivery = received != null ? received : feedDelivery(d, local[0]);
                        FeedIngestion.Judged j = ingestion.judge(delivery,
                                new RawFeedArchive.Digest(d.getSha256(), d.getByteCount()), deliveryId,
                                progress(deliveryId, progressMayExist), received != null ? parsing : null);
                        if (j.counts().keySet().stream().anyMatch(OutcomeCode::stores)) {
                            // one INSERT … SELECT of the feed's systems; the ledger worker recomputes them after commit
                            production.feedStored(j.result().feedId(), MeterSpans.SYSTEM_ID, j.spans());
                        }
                        d.setState(DeliveryState.JUDGED.name());
                        d.setFeedId(j.result().feedId());
                        d.setNextAttemptAt(null);
                        d.setUpdatedAt(utc(Instant.now()));
                        d.store();
                        return j;
                    });
                    if (local[0] != content) {
                        fetched = local[0];
                    }
                    if (judged == null) {
                        return null;
                    }
                    FeedResult result = judged.result();
                    if (result.isJudged() && !result.retried()) {
                        metrics.feedDone(channel[0], result.status(), judged.counts());
                        log.info("delivery {}: feed {} from {} ({}): {}", deliveryId, result.feedId(),
                                result.providerId(), Echo.escape(result.fileName()), result.status());
                    }
                    return result;
                } catch (DuplicateKeyException e) {
                    // Another instance committed the same bytes as a feed between our checks and our insert
                    // (both judged a DUPLICATE_FEED candidate at once); the next attempt sees its feed.
                    if (attempt >= 3) {
                        return failed(deliveryId, e);
                    }
                    log.info("delivery {} raced with a concurrent delivery; judging again", deliveryId);
                } catch (RuntimeException e) {
                    return failed(deliveryId, e);
                }
            }
        } finally {
            if (progressMayExist[0]) {
                clearProgress(deliveryId);
            }
            if (fetched != null) {
                try {
                    Files.deleteIfExists(fetched);
                } catch (IOException e) {
                    log.warn("could not remove work file {}: {}", fetched, e.getMessage());
                }
            }
        }
    }

    /**
     * FOR NO KEY UPDATE: it excludes other judges of the delivery, but not the key-share lock that the
     * progress row's (and the feed's) foreign key takes, so the progress written beside the judge never
     * waits for it.
     */
    private DeliveryRecord lock(long deliveryId, boolean wait) {
        var query = dsl.selectFrom(DELIVERY).where(DELIVERY.DELIVERY_ID.eq(deliveryId)).forNoKeyUpdate();
        DeliveryRecord d = wait ? query.fetchOne() : query.skipLocked().fetchOne();
        if (d == null && wait) {
            throw new IllegalStateException("delivery " + deliveryId + " does not exist");
        }
        return d;
    }

    /** The answer for a delivery that is not to be judged now, or null when it is. */
    private FeedIngestion.Judged settled(DeliveryRecord d, boolean channelWaits) {
        DeliveryState state = DeliveryState.valueOf(d.getState());
        boolean due = d.getNextAttemptAt() != null && !d.getNextAttemptAt().toInstant().isAfter(Instant.now());
        return switch (state) {
            case JUDGED -> new FeedIngestion.Judged(
                    FeedIngestion.result(dsl.fetchSingle(FEED, FEED.FEED_ID.eq(d.getFeedId())), true),
                    java.util.Map.of());
            case QUARANTINED, DISCARDED -> new FeedIngestion.Judged(notJudged(d), java.util.Map.of());
            case FAILED -> due ? null : new FeedIngestion.Judged(notJudged(d), java.util.Map.of());
            // A channel judges its own delivery at once; the worker takes one only when it is due.
            case RECEIVED -> channelWaits || due ? null : new FeedIngestion.Judged(notJudged(d), java.util.Map.of());
        };
    }

    static FeedResult notJudged(DeliveryRecord d) {
        return FeedResult.notJudged(d.getDeliveryId(), DeliveryState.valueOf(d.getState()), d.getProviderId(),
                d.getFileName(), d.getNextAttemptAt() == null ? null : d.getNextAttemptAt().toInstant(),
                d.getState().equals(DeliveryState.DISCARDED.name()) ? d.getDiscardReason() : d.getLastError());
    }

    /**
     * Records a failed attempt: FAILED with the next attempt after the back-off, or QUARANTINED after the
     * last one. When even that cannot be recorded (the database is unreachable), the failure is thrown and
     * the channel asks for the delivery again later.
     */
    private FeedResult failed(long deliveryId, RuntimeException failure) {
        if (failure instanceof DeliveryIdentityConflict) {
            throw failure;
        }
        if (lostDatabase(failure)) {
            // The database went away under the judge (a restart, a network cut): not the delivery's attempt.
            // It stays as it was; its channel offers it again, or the worker takes it when it is due.
            log.warn("delivery {}: the database connection was lost ({}); it is judged again once the database is "
                    + "back", deliveryId, failure.getMessage());
            throw failure;
        }
        String error = Echo.message(describe(failure), MAX_ERROR);
        FeedResult result;
        try {
            result = tx.execute(status -> {
                DeliveryRecord d = lock(deliveryId, true);
                if (!d.getState().equals(DeliveryState.RECEIVED.name()) && !d.getState().equals(DeliveryState.FAILED.name())) {
                    return notJudged(d); // settled by someone else meanwhile (ops discarded it)
                }
                int attempts = d.getAttempts() + 1;
                d.setAttempts(attempts);
                d.setLastError(error);
                if (attempts >= settings.maxAttempts()) {
                    d.setState(DeliveryState.QUARANTINED.name());
                    d.setNextAttemptAt(null);
                } else {
                    d.setState(DeliveryState.FAILED.name());
                    d.setNextAttemptAt(utc(Instant.now().plus(settings.backOff(attempts))));
                }
                d.setUpdatedAt(utc(Instant.now()));
                d.store();
                return notJudged(d);
            });
        } catch (RuntimeException recording) {
            failure.addSuppressed(recording);
            log.error("delivery {} failed and the failure could not be recorded ({}); its channel will offer it "
                    + "again", deliveryId, recording.getMessage(), failure);
            throw failure;
        }
        if (result.state() == DeliveryState.QUARANTINED) {
            metrics.quarantined();
            log.error("delivery {} from {} ({}) QUARANTINED after {} failed attempts; last error: {}", deliveryId,
                    result.providerId(), Echo.escape(result.fileName()), settings.maxAttempts(), error, failure);
        } else if (result.state() == DeliveryState.FAILED) {
            metrics.failedAttempt();
            log.error("delivery {} from {} ({}) failed; next attempt at {}: {}", deliveryId, result.providerId(),
                    Echo.escape(result.fileName()), result.nextAttemptAt(), error, failure);
        }
        return result;
    }

    /**
     * A lost or refused connection (SQLSTATE class 08, the server shutting down, 57P01–57P03), or no
     * connection from the pool: the database's outage, not a failure of the delivery.
     */
    static boolean lostDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                    || t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            text.append(" (cause: ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage())
                    .append(')');
        }
        return text.toString();
    }

    private Path fetch(DeliveryRecord d) {
        try {
            return archive.fetch(d.getSha256(), workDir.resolve("deliveries"), "delivery-" + d.getDeliveryId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FeedDelivery feedDelivery(DeliveryRecord d, Path content) {
        return new FeedDelivery(d.getProviderId(), Channel.valueOf(d.getChannel()), FeedFormat.valueOf(d.getFormat()),
                d.getFileName(), DeliveryKey.parse(d.getSourceKey()), content, d.getReceivedAt().toInstant(), false,
                d.getReprocessOf());
    }

    /**
     * Deliveries the worker may take now, taking turns between providers: each provider's oldest due
     * delivery first, then each one's second, and so on (oldest due first within a turn). Oldest due first
     * over all of them let one provider's hundred 202 deliveries, or a flood of failing ones coming due,
     * hold another provider's single delivery for as long as they took.
     */
    List<Due> due(int limit) {
        Field<Integer> turn = DSL.rowNumber().over(DSL.partitionBy(DELIVERY.PROVIDER_ID)
                .orderBy(DELIVERY.NEXT_ATTEMPT_AT, DELIVERY.DELIVERY_ID)).as("turn");
        var dueNow = DSL.select(DELIVERY.DELIVERY_ID, DELIVERY.PROVIDER_ID, DELIVERY.NEXT_ATTEMPT_AT, turn).from(DELIVERY)
                .where(DELIVERY.STATE.in(DeliveryState.RECEIVED.name(), DeliveryState.FAILED.name()),
                        DELIVERY.NEXT_ATTEMPT_AT.le(utc(Instant.now())))
                .asTable("due_now");
        Field<Long> id = dueNow.field(DELIVERY.DELIVERY_ID);
        Field<String> provider = dueNow.field(DELIVERY.PROVIDER_ID);
        return dsl.select(id, provider).from(dueNow)
                .orderBy(dueNow.field(turn), dueNow.field(DELIVERY.NEXT_ATTEMPT_AT), id)
                .limit(limit).fetch(r -> new Due(r.value1(), r.value2()));
    }

    /** A delivery the worker may take now, and whose it is. */
    record Due(long deliveryId, String providerId) {}

    /**
     * The channel stopped waiting for the delivery (an SFTP file left the inbox once its bytes were
     * recorded): the worker writes its answer when it is judged or quarantined.
     */
    public void handOver(long deliveryId) {
        dsl.update(DELIVERY).set(DELIVERY.HANDED_OVER_AT, utc(Instant.now()))
                .where(DELIVERY.DELIVERY_ID.eq(deliveryId), DELIVERY.HANDED_OVER_AT.isNull()).execute();
    }

    /** The stored bytes of a delivery in a local work file (the caller removes it). */
    public Path fetchContent(DeliveryRecord d) {
        return fetch(d);
    }

    public DeliveryRecord find(long deliveryId) {
        return dsl.fetchOne(DELIVERY, DELIVERY.DELIVERY_ID.eq(deliveryId));
    }

    private DeliveryRecord find(Channel channel, DeliveryKey key) {
        return dsl.fetchOne(DELIVERY, DELIVERY.CHANNEL.eq(channel.name()), DELIVERY.SOURCE_KEY.eq(key.toString()));
    }

    /**
     * The judge's progress, written on a connection of its own (the delivery row is locked by the judging
     * transaction), so any instance's console can show it.
     */
    private FeedIngestion.Progress progress(long deliveryId, boolean[] written) {
        return (read, judged) -> {
            written[0] = true;
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("INSERT INTO delivery_progress (delivery_id, records_read, "
                            + "records_judged) VALUES (?, ?, ?) ON CONFLICT (delivery_id) DO UPDATE SET records_read = "
                            + "excluded.records_read, records_judged = excluded.records_judged, updated_at = now()")) {
                c.setAutoCommit(true);
                s.setQueryTimeout(2); // progress is a courtesy: it must never hold the judge up
                s.setLong(1, deliveryId);
                s.setLong(2, read);
                s.setLong(3, judged);
                s.executeUpdate();
            } catch (SQLException e) {
                log.debug("progress of delivery {} not recorded: {}", deliveryId, e.getMessage());
            }
        };
    }

    private void clearProgress(long deliveryId) {
        try {
            dsl.deleteFrom(DELIVERY_PROGRESS).where(DELIVERY_PROGRESS.DELIVERY_ID.eq(deliveryId)).execute();
        } catch (RuntimeException e) {
            log.debug("progress of delivery {} not cleared: {}", deliveryId, e.getMessage());
        }
    }

    /**
     * The whole judge in a transaction that is rolled back after the answer was rendered from it: the
     * provider sees exactly what a real delivery would get, and nothing is kept (no delivery record, no
     * bytes, no metrics but the dry-run counter). Every channel's dry run comes here.
     *
     * @param render renders the answer from the feed id while it still exists
     */
    public <T> T dryRun(FeedDelivery delivery, LongFunction<T> render) throws IOException {
        RawFeedArchive.Digest digest = archive.digest(delivery.content());
        T answer = tx.execute(status -> {
            status.setRollbackOnly();
            FeedResult r = ingestion.judge(delivery, digest, 0, FeedIngestion.Progress.NONE).result();
            return render.apply(r.feedId());
        });
        metrics.dryRun(delivery.channel());
        return answer;
    }

    /** A dry run answered with its receipt, JSON and XML, rendered to work files before the rollback. */
    private FeedResult dryRunReceipt(FeedDelivery delivery) throws IOException {
        Files.createDirectories(workDir);
        Path receipt = Files.createTempFile(workDir, "dry-run-", ".receipt.json");
        FeedResult result = dryRun(delivery, feedId -> {
            try (OutputStream out = Files.newOutputStream(receipt);
                    OutputStream xml = Files.newOutputStream(FeedIngestion.xmlTwin(receipt))) {
                receipts.write(feedId, out);
                receipts.writeXml(feedId, xml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return FeedIngestion.result(dsl.fetchSingle(FEED, FEED.FEED_ID.eq(feedId)), false);
        });
        log.info("dry run of {} from {}: {}", Echo.escape(delivery.fileName()), delivery.providerId(), result.status());
        return result.withDryRunReceipt(receipt);
    }

    @Override
    public void writeReceipt(long feedId, OutputStream out) throws IOException {
        receipts.write(feedId, out);
    }

    private static OffsetDateTime utc(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }
}
