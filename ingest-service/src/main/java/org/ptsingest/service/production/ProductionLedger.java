package org.ptsingest.service.production;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_ADJUSTMENT;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_DIRTY;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_MONTH;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_REVISION;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_WINDOW_END;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.MeterExchange;
import org.ptsingest.rules.MonthProduction;
import org.ptsingest.rules.ProductionAdjustment;
import org.ptsingest.rules.ProductionBasis;
import org.ptsingest.rules.ProductionRules;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.rules.StoredReading;
import org.ptsingest.service.ingest.PgCopy;
import org.ptsingest.service.persistence.jooq.tables.records.ProductionMonthRecord;
import org.ptsingest.service.persistence.jooq.tables.records.ProductionRevisionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The production ledger: every system's monthly production as {@link ProductionRules} computes it, kept
 * current for the systems concerned only, with every change a new revision (README, "Production").
 * <ul>
 *   <li><b>Queue</b>: a committed feed ({@link #feedStored}), a registry change ({@link #systemsChanged}) or
 *       a rejected reading adds rows to {@code production_dirty} in the caller's transaction; the
 *       {@link #work() worker} recomputes those systems after commit, and acts on every window's end.</li>
 *   <li><b>Recompute</b> reads a system's readings, exchanges and adjustments, computes its ledger and
 *       writes only months whose value, basis, close or reason changed: a new revision each. Rebuild and
 *       upkeep take this one path, so a rebuild over an up-to-date ledger writes nothing.</li>
 * </ul>
 * A system is recomputed under a transaction-scoped advisory lock, taken in system order, so instances and
 * a concurrent rebuild never write one system at once.
 */
@Component
public class ProductionLedger {
    private static final Logger log = LoggerFactory.getLogger(ProductionLedger.class);
    /** Systems recomputed per transaction: their window candidates (two a window), the few with several meters in full. */
    static final int BATCH = 1_000;

    private final DSLContext dsl;
    private final DataSource dataSource;
    private final TransactionTemplate tx;
    private final ProductionRules rules;
    private final Clock clock = Clock.systemUTC();

    ProductionLedger(DSLContext dsl, DataSource dataSource, TransactionTemplate tx, IngestProperties properties) {
        this.dsl = dsl;
        this.dataSource = dataSource;
        this.tx = tx;
        this.rules = new ProductionRules(new ReportingWindow(properties.rules().zone(),
                properties.production().windowDays()), properties.production().expectedYield());
    }

    public ReportingWindow window() {
        return rules.window();
    }

    // ---------------------------------------------------------------- what marks systems for recomputation

    /**
     * A feed stored readings of the systems in {@code from}: queued in the feed's own transaction (one
     * INSERT … SELECT, no lock on existing rows), recomputed by the worker after commit.
     */
    public void feedStored(long feedId, Field<String> systemId, Table<?> from) {
        dsl.insertInto(PRODUCTION_DIRTY, PRODUCTION_DIRTY.SYSTEM_ID, PRODUCTION_DIRTY.CAUSE, PRODUCTION_DIRTY.CAUSE_REF)
                .select(DSL.selectDistinct(systemId, DSL.inline(RevisionCause.FEED.name()),
                        DSL.inline(Long.toString(feedId))).from(from))
                .execute();
    }

    /**
     * The registry changed for these systems (meter exchanges, capacity, a systems import) or ops rejected
     * one of their readings: they are recomputed after the caller's transaction commits.
     *
     * @param ref what changed, for the revisions' "why" (e.g. "meter exchanges import", an ops_action id)
     */
    public void systemsChanged(Collection<String> systemIds, RevisionCause cause, String ref) {
        if (systemIds.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(PRODUCTION_DIRTY, PRODUCTION_DIRTY.SYSTEM_ID, PRODUCTION_DIRTY.CAUSE,
                PRODUCTION_DIRTY.CAUSE_REF);
        for (String id : new TreeSet<>(systemIds)) {
            insert = insert.values(id, cause.name(), ref);
        }
        insert.execute();
    }

    // ---------------------------------------------------------------- the worker

    /** Acts on a window that ended, then recomputes every queued system, a batch per transaction. */
    @Scheduled(fixedDelayString = "${ingest.production.worker-delay:1s}",
            initialDelayString = "${ingest.production.worker-delay:1s}")
    public void work() {
        try {
            windowEnded();
            while (drainBatch() > 0) {
                // next batch
            }
        } catch (RuntimeException e) {
            // e.g. the database is away: the queue stays, the next run takes it
            log.warn("production ledger worker: {}; trying again at the next run", e.getMessage());
        }
    }

    /** The latest window that has ended, once: every system is queued (its months' values are due). */
    void windowEnded() {
        Instant now = clock.instant();
        YearMonth m = YearMonth.from(now.atZone(window().zone()));
        while (!window().ended(m, now)) {
            m = m.minusMonths(1);
        }
        YearMonth ended = m;
        tx.executeWithoutResult(status -> {
            int first = dsl.insertInto(PRODUCTION_WINDOW_END, PRODUCTION_WINDOW_END.MONTH)
                    .values(ended.atDay(1)).onConflictDoNothing().execute();
            if (first == 1) {
                dsl.insertInto(PRODUCTION_DIRTY, PRODUCTION_DIRTY.SYSTEM_ID, PRODUCTION_DIRTY.CAUSE,
                                PRODUCTION_DIRTY.CAUSE_REF)
                        .select(DSL.select(PTS_SYSTEM.SYSTEM_ID, DSL.inline(RevisionCause.WINDOW_END.name()),
                                DSL.inline(ended.toString())).from(PTS_SYSTEM))
                        .execute();
                log.info("reporting window of {} ended: every system's ledger is due", ended);
            }
        });
    }

    /**
     * One batch of queued systems, each taken once however many rows queue it; returns how many queue rows
     * it took.
     *
     * <p>The oldest-queued {@code BATCH * 5} systems first, then all of their rows: a provider's feeds
     * queue the same systems again and again (each feed of a fleet queues every system in it), and taking
     * rows in queue order recomputed the same systems once per few feeds while the queue kept growing
     * (149,000 rows for 1,000 systems behind 600 posts in {@code scripts/benchmark-as2}).
     *
     * <p>A system is taken whole or not at all: only the systems whose advisory lock (the one
     * {@link #lock recompute} takes) this transaction gets at once, and then every row of theirs. Rows
     * locked one by one ({@code SKIP LOCKED}) let two workers (two instances, or two contexts in one JVM)
     * split one system's rows; the first to commit named the last row of its share as the revision's cause,
     * not the latest. A system another worker or a rebuild holds stays queued for the next run. The rows are
     * deleted as they are taken, in this transaction: a failure puts them back, and a row a feed commits
     * meanwhile is not among them (the statement does not see it), so the next run takes it.
     */
    int drainBatch() {
        Integer taken = tx.execute(status -> {
            List<String> oldest = dsl.select(PRODUCTION_DIRTY.SYSTEM_ID).from(PRODUCTION_DIRTY)
                    .groupBy(PRODUCTION_DIRTY.SYSTEM_ID).orderBy(DSL.min(PRODUCTION_DIRTY.DIRTY_ID))
                    .limit(BATCH * 5).fetch(PRODUCTION_DIRTY.SYSTEM_ID);
            if (oldest.isEmpty()) {
                return 0;
            }
            // per system its latest row's cause (the revisions' "why"), and how many rows were taken
            var latest = dsl.resultQuery("""
                    WITH mine AS MATERIALIZED (
                        SELECT system_id FROM unnest({0}::text[]) AS s(system_id)
                        WHERE pg_try_advisory_xact_lock(hashtextextended('production:' || system_id, 0))),
                    taken AS (
                        DELETE FROM production_dirty d USING mine WHERE d.system_id = mine.system_id
                        RETURNING d.dirty_id, d.system_id, d.cause, d.cause_ref)
                    SELECT DISTINCT ON (system_id) system_id, cause, cause_ref, (SELECT count(*) FROM taken)
                    FROM taken ORDER BY system_id, dirty_id DESC""", DSL.val(oldest.toArray(String[]::new)))
                    .fetch();
            if (latest.isEmpty()) {
                return 0; // every one of them is being recomputed by another worker right now
            }
            Map<String, Why> why = new LinkedHashMap<>();
            latest.forEach(r -> why.put(r.get(0, String.class),
                    new Why(RevisionCause.valueOf(r.get(1, String.class)), r.get(2, String.class))));
            List<String> ids = new ArrayList<>(why.keySet());
            for (int i = 0; i < ids.size(); i += BATCH) {
                recompute(ids.subList(i, Math.min(ids.size(), i + BATCH)), why);
            }
            return latest.get(0).get(3, Long.class).intValue();
        });
        return taken == null ? 0 : taken;
    }

    /** Why a system is being recomputed, for the revisions it adds. */
    record Why(RevisionCause cause, String ref) {}

    /** What a recomputation wrote. */
    public record Changes(int systems, int revisions) {
        Changes plus(Changes o) {
            return new Changes(systems + o.systems, revisions + o.revisions);
        }
    }

    /** Recomputes these systems now, in the caller's transaction (an ops adjustment answers with its result). */
    public Changes recompute(Collection<String> systemIds, RevisionCause cause, String ref) {
        Map<String, Why> why = new HashMap<>();
        systemIds.forEach(id -> why.put(id, new Why(cause, ref)));
        return recompute(new ArrayList<>(systemIds), why);
    }

    private Changes recompute(List<String> systemIds, Map<String, Why> why) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(systemIds));
        lock(sorted);
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            Map<String, List<StoredReading>> readings = new HashMap<>();
            usedReadings(c, sorted, readings::put);
            return store(sorted, completed(readings), id -> why.get(id));
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /**
     * Recomputes every system from the readings and writes what differs (nothing, on a ledger that is up to
     * date): the same reading and computing as upkeep, the readings of all systems in one pass on a connection
     * of its own, each batch of systems written in a transaction of its own. A feed committing meanwhile
     * queued its systems, so the worker brings them up to date after.
     */
    public Changes rebuild(String ref) {
        Why why = new Why(RevisionCause.REBUILD, ref);
        Changes[] total = {new Changes(0, 0)};
        Map<String, List<StoredReading>> batch = new HashMap<>();
        List<String> withoutReadings = new ArrayList<>(dsl.select(PTS_SYSTEM.SYSTEM_ID).from(PTS_SYSTEM)
                .orderBy(PTS_SYSTEM.SYSTEM_ID).fetch(PTS_SYSTEM.SYSTEM_ID));
        Set<String> registered = new HashSet<>(withoutReadings);
        Set<String> streamed = new HashSet<>();
        Runnable flush = () -> {
            if (!batch.isEmpty()) {
                total[0] = total[0].plus(storeBatch(batch, why));
                batch.clear();
            }
        };
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // a cursor: the candidates stream, they are not held all at once
            usedReadings(c, null, (system, readings) -> {
                if (batch.size() == BATCH) {
                    flush.run();
                }
                streamed.add(system);
                if (registered.contains(system)) {
                    batch.put(system, readings);
                }
            });
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("rebuild: reading the readings failed", e);
        }
        flush.run();
        withoutReadings.removeAll(streamed);
        // systems without readings (an adjustment only, or all their readings rejected since)
        for (int i = 0; i < withoutReadings.size(); i += BATCH) {
            withoutReadings.subList(i, Math.min(withoutReadings.size(), i + BATCH)).forEach(id -> batch.put(id, List.of()));
            flush.run();
        }
        log.info("production ledger rebuilt: {} systems, {} revisions written", total[0].systems(), total[0].revisions());
        return total[0];
    }

    private Changes storeBatch(Map<String, List<StoredReading>> batch, Why why) {
        return tx.execute(status -> {
            List<String> ids = new ArrayList<>(new TreeSet<>(batch.keySet()));
            lock(ids);
            return store(ids, completed(new HashMap<>(batch)), id -> why);
        });
    }

    /**
     * The readings the rules can use, per system, in one pass over {@code reading} (all systems when
     * {@code systemIds} is null), handed over system by system.
     *
     * <p>Only readings inside a reporting window make closes, and a meter's register never goes down (a
     * decrease is REGISTER_DECREASED, never stored). So for a system with one meter and no exchange the
     * rules need, per window, only the latest reading at or before B(M) (the one on B(M) when there is one)
     * and the earliest after (the highest register at or before B, the lowest after), plus the meter's first
     * reading (which tells the first meter and when another appears). The database reduces the readings to
     * exactly these in one GROUP BY. Systems with more than one meter or with a meter exchange need every reading (readings after
     * an exchange instant are not used, which the per-meter reduction cannot know): {@link #completed}
     * reads theirs in full.
     */
    private void usedReadings(Connection c, List<String> systemIds,
            java.util.function.BiConsumer<String, List<StoredReading>> perSystem) {
        String sql = candidatesSql(systemIds == null ? "" : "WHERE system_id = ANY (?)");
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (systemIds != null) {
                s.setArray(1, c.createArrayOf("text", systemIds.toArray()));
            }
            s.setFetchSize(20_000);
            try (java.sql.Statement set = c.createStatement()) {
                // one hash table of (system, meter, window) groups: spilling it to disk would double the pass
                set.execute("SET LOCAL work_mem = '256MB'");
            }
            try (ResultSet rs = s.executeQuery()) {
                String system = null;
                List<StoredReading> list = new ArrayList<>();
                Map<String, StoredReading> firsts = new HashMap<>(); // per meter: the earliest of its groups' firsts
                while (rs.next()) {
                    String sys = rs.getString(1);
                    if (!sys.equals(system)) {
                        if (system != null) {
                            perSystem.accept(system, candidates(list, firsts));
                        }
                        system = sys;
                        list = new ArrayList<>();
                        firsts.clear();
                    }
                    String meter = rs.getString(2);
                    StoredReading first = reading(system, meter, rs, 3, 4);
                    firsts.merge(meter, first, (a, b) -> a.readAt().isBefore(b.readAt()) ? a : b);
                    StoredReading atOrBefore = reading(system, meter, rs, 5, 6);
                    if (atOrBefore != null) {
                        list.add(atOrBefore);
                    }
                    StoredReading after = reading(system, meter, rs, 7, 8);
                    if (after != null) {
                        list.add(after);
                    }
                }
                if (system != null) {
                    perSystem.accept(system, candidates(list, firsts));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the readings failed", e);
        }
    }

    /**
     * A system's candidates plus each meter's first reading. That is enough with several meters too, as
     * long as no exchange joins them: the rules need each meter's first reading (which meter came first,
     * and from when a second one makes the system UNRESOLVED) and the first meter's window candidates.
     * (Reading such a system in full took a million-reading system's history into memory: an
     * OutOfMemoryError under -Xmx256m in LargeFeedsIT.)
     */
    private static List<StoredReading> candidates(List<StoredReading> list, Map<String, StoredReading> firsts) {
        list.addAll(firsts.values());
        return list;
    }

    private static StoredReading reading(String system, String meter, ResultSet rs, int at, int wh) throws SQLException {
        long micros = rs.getLong(at);
        return rs.wasNull() ? null
                : new StoredReading(system, meter, Instant.EPOCH.plus(micros, ChronoUnit.MICROS),
                        BigDecimal.valueOf(rs.getLong(wh), 3));
    }

    /**
     * Per (system, meter, window boundary B) — readings outside every window in one group of their own, B
     * null: the group's first reading, its latest at or before B (the one on B, if any) and its earliest
     * after B. Instants in µs since the epoch and registers in Wh decode without parsing. With local time l
     * and s = l + window-days, a reading is in the window whose boundary is the start of s's month when
     * s lies within 2 × window-days of that start (the last window-days days of a month and the first
     * window-days of the next, in local calendar days).
     */
    private String candidatesSql(String where) {
        String z = "'" + window().zone().getId() + "'"; // a ZoneId holds no quote
        int d = window().days();
        // OFFSET 0 keeps each layer's expressions computed once per row (PostgreSQL would otherwise inline
        // them into every aggregate's filter); registers as Wh in a bigint compare faster than numeric.
        return """
                SELECT system_id, meter_serial,
                       (extract(epoch FROM min(read_at)) * 1000000)::bigint, min(wh),
                       (extract(epoch FROM max(read_at) FILTER (WHERE read_at <= b)) * 1000000)::bigint,
                       max(wh) FILTER (WHERE read_at <= b),
                       (extract(epoch FROM min(read_at) FILTER (WHERE read_at > b)) * 1000000)::bigint,
                       min(wh) FILTER (WHERE read_at > b)
                FROM (SELECT system_id, meter_serial, read_at, wh,
                             CASE WHEN s < t + interval '%2$d days' THEN t AT TIME ZONE %1$s END AS b
                      FROM (SELECT system_id, meter_serial, read_at, wh, s, date_trunc('month', s) AS t
                            FROM (SELECT system_id, meter_serial, read_at, (register_kwh * 1000)::bigint AS wh,
                                         (read_at AT TIME ZONE %1$s) + interval '%3$d days' AS s
                                  FROM reading %4$s OFFSET 0) x OFFSET 0) y OFFSET 0) r
                GROUP BY system_id, meter_serial, b
                ORDER BY system_id""".formatted(z, 2 * d, d, where);
    }

    /**
     * Every reading of the systems the reduction cannot serve: those with a meter exchange (readings of
     * the old meter after the instant, or of the new one before it, are not used, which a per-meter
     * reduction cannot know).
     */
    private Map<String, List<StoredReading>> completed(Map<String, List<StoredReading>> readings) {
        Set<String> exchanged = new HashSet<>(dsl.selectDistinct(METER_EXCHANGE.SYSTEM_ID).from(METER_EXCHANGE)
                .where(METER_EXCHANGE.SYSTEM_ID.in(readings.keySet())).fetch(METER_EXCHANGE.SYSTEM_ID));
        List<String> full = readings.entrySet().stream()
                .filter(e -> e.getValue() == null || exchanged.contains(e.getKey())).map(Map.Entry::getKey).toList();
        if (!full.isEmpty()) {
            full.forEach(id -> readings.put(id, new ArrayList<>()));
            dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH).from(READING)
                    .where(READING.SYSTEM_ID.in(full))
                    .forEach(r -> readings.get(r.value1())
                            .add(new StoredReading(r.value1(), r.value2(), r.value3().toInstant(), r.value4())));
        }
        return readings;
    }

    /**
     * Holds the system's ledger lock until the caller's transaction ends, for a change made beside the ledger
     * (an adjustment): two ops changing the same month at once then take turns instead of colliding on the one
     * adjustment in force. The recompute that follows takes the same lock again (advisory locks stack).
     */
    public void lockSystem(String systemId) {
        lock(List.of(systemId));
    }

    /**
     * Transaction-scoped advisory locks on these systems, in order (so two lockers never deadlock). The
     * worker's {@link #drainBatch} takes them first without waiting, in any order, so it never waits here.
     */
    private void lock(List<String> sortedSystemIds) {
        if (sortedSystemIds.isEmpty()) {
            return;
        }
        var ids = DSL.table("unnest({0}::text[]) WITH ORDINALITY AS s(system_id, n)",
                DSL.val(sortedSystemIds.toArray(String[]::new)));
        dsl.select(DSL.function("pg_advisory_xact_lock", SQLDataType.OTHER,
                        DSL.function("hashtextextended", SQLDataType.BIGINT,
                                DSL.inline("production:").concat(DSL.field(DSL.name("s", "system_id"), String.class)),
                                DSL.val(0L))))
                .from(ids).orderBy(DSL.field(DSL.name("s", "n"))).fetch();
    }

    /** Computes the ledger of these systems from the given readings and writes what changed. */
    private Changes store(List<String> systemIds, Map<String, List<StoredReading>> readings,
            java.util.function.Function<String, Why> why) {
        Instant now = clock.instant();
        Map<String, BigDecimal> capacity = dsl.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW).from(PTS_SYSTEM)
                .where(PTS_SYSTEM.SYSTEM_ID.in(systemIds)).fetchMap(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW);
        Map<String, List<MeterExchange>> exchanges = new HashMap<>();
        dsl.selectFrom(METER_EXCHANGE).where(METER_EXCHANGE.SYSTEM_ID.in(systemIds))
                .forEach(e -> exchanges.computeIfAbsent(e.getSystemId(), k -> new ArrayList<>())
                        .add(new MeterExchange(e.getExchangedAt().toInstant(), e.getOldMeterSerial(), e.getOldFinalKwh(),
                                e.getNewMeterSerial(), e.getNewInitialKwh())));
        Map<String, Map<YearMonth, ProductionAdjustment>> adjustments = new HashMap<>();
        dsl.selectFrom(PRODUCTION_ADJUSTMENT)
                .where(PRODUCTION_ADJUSTMENT.SYSTEM_ID.in(systemIds), PRODUCTION_ADJUSTMENT.REMOVED_AT.isNull())
                .forEach(a -> adjustments.computeIfAbsent(a.getSystemId(), k -> new HashMap<>())
                        .put(YearMonth.from(a.getMonth()),
                                new ProductionAdjustment(YearMonth.from(a.getMonth()), a.getKwh(), a.getReason())));
        Map<String, Map<YearMonth, ProductionMonthRecord>> current = new HashMap<>();
        dsl.selectFrom(PRODUCTION_MONTH).where(PRODUCTION_MONTH.SYSTEM_ID.in(systemIds))
                .forEach(m -> current.computeIfAbsent(m.getSystemId(), k -> new HashMap<>())
                        .put(YearMonth.from(m.getMonth()), m));

        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        List<ProductionMonthRecord> months = new ArrayList<>();
        List<ProductionRevisionRecord> revisions = new ArrayList<>();
        int systems = 0;
        for (String id : systemIds) {
            BigDecimal dc = capacity.get(id);
            if (dc == null) {
                continue; // not (or no longer) registered
            }
            systems++;
            List<MonthProduction> computed = rules.months(new ProductionRules.SystemHistory(dc,
                    readings.getOrDefault(id, List.of()), exchanges.getOrDefault(id, List.of()),
                    adjustments.getOrDefault(id, Map.of())), now);
            Map<YearMonth, ProductionMonthRecord> was = new TreeMap<>(current.getOrDefault(id, Map.of()));
            for (MonthProduction m : computed) {
                changed(id, m, was.remove(m.month()), why.apply(id), at, months, revisions);
            }
            for (ProductionMonthRecord gone : was.values()) {
                if (!ProductionBasis.NONE.name().equals(gone.getBasis())) {
                    changed(id, new MonthProduction(YearMonth.from(gone.getMonth()), null, ProductionBasis.NONE, null,
                            null), gone, why.apply(id), at, months, revisions);
                }
            }
        }
        write(months, revisions);
        return new Changes(systems, revisions.size());
    }

    private void changed(String systemId, MonthProduction m, ProductionMonthRecord was, Why why, OffsetDateTime at,
            List<ProductionMonthRecord> months, List<ProductionRevisionRecord> revisions) {
        if (was != null && m.sameAs(value(was))) {
            return;
        }
        int revision = was == null ? 1 : was.getRevision() + 1;
        months.add(new ProductionMonthRecord(systemId, m.month().atDay(1), m.kwh(), m.basis().name(), m.closeKwh(),
                m.reason(), revision, at));
        revisions.add(new ProductionRevisionRecord(systemId, m.month().atDay(1), revision, m.kwh(), m.basis().name(),
                m.closeKwh(), m.reason(), at, why.cause().name(), why.ref()));
    }

    /**
     * Writes changed months and their new revisions by COPY (a rebuild from scratch writes hundreds of
     * thousands): revisions straight into their table, months through a staging table and one upsert.
     */
    private void write(List<ProductionMonthRecord> months, List<ProductionRevisionRecord> revisions) {
        if (months.isEmpty()) {
            return;
        }
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringWriter rows = new StringWriter(revisions.size() * 96);
            for (ProductionRevisionRecord r : revisions) {
                PgCopy.row(rows, r.getSystemId(), r.getMonth(), r.getRevision(), r.getKwh(), r.getBasis(), r.getCloseKwh(),
                        r.getReason(), r.getRecordedAt(), r.getCause(), r.getCauseRef());
            }
            copy.copyIn("COPY production_revision (system_id, month, revision, kwh, basis, close_kwh, reason, recorded_at,"
                    + " cause, cause_ref) FROM STDIN", new StringReader(rows.toString()));
            // months new to the ledger go straight in (the systems' advisory locks keep anyone else from
            // adding them); changed ones through a staging table and one upsert
            StringWriter fresh = new StringWriter();
            StringWriter changed = new StringWriter();
            for (ProductionMonthRecord m : months) {
                PgCopy.row(m.getRevision() == 1 ? fresh : changed, m.getSystemId(), m.getMonth(), m.getKwh(), m.getBasis(),
                        m.getCloseKwh(), m.getReason(), m.getRevision(), m.getUpdatedAt());
            }
            String columns = " (system_id, month, kwh, basis, close_kwh, reason, revision, updated_at) FROM STDIN";
            if (fresh.getBuffer().length() > 0) {
                copy.copyIn("COPY production_month" + columns, new StringReader(fresh.toString()));
            }
            if (changed.getBuffer().length() > 0) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("CREATE TEMPORARY TABLE IF NOT EXISTS production_month_stage"
                            + " (LIKE production_month INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
                }
                copy.copyIn("COPY production_month_stage" + columns, new StringReader(changed.toString()));
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("""
                            INSERT INTO production_month SELECT * FROM production_month_stage
                            ON CONFLICT (system_id, month) DO UPDATE SET kwh = excluded.kwh, basis = excluded.basis,
                                close_kwh = excluded.close_kwh, reason = excluded.reason, revision = excluded.revision,
                                updated_at = excluded.updated_at""");
                    st.execute("TRUNCATE production_month_stage"); // another batch may follow in this transaction
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("writing " + months.size() + " ledger months failed", e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    static MonthProduction value(ProductionMonthRecord r) {
        return new MonthProduction(YearMonth.from(r.getMonth()), r.getKwh(), ProductionBasis.valueOf(r.getBasis()),
                r.getCloseKwh(), r.getReason());
    }

    // ---------------------------------------------------------------- reading the ledger (API, console)

    /** A system's ledger between two months (inclusive; null for no bound). Empty when the system is unknown. */
    public Optional<SystemLedger> months(String systemId, YearMonth from, YearMonth to) {
        BigDecimal dc = dsl.select(PTS_SYSTEM.DC_CAPACITY_KW).from(PTS_SYSTEM).where(PTS_SYSTEM.SYSTEM_ID.eq(systemId))
                .fetchOne(PTS_SYSTEM.DC_CAPACITY_KW);
        if (dc == null) {
            return Optional.empty();
        }
        var where = PRODUCTION_MONTH.SYSTEM_ID.eq(systemId);
        if (from != null) {
            where = where.and(PRODUCTION_MONTH.MONTH.ge(from.atDay(1)));
        }
        if (to != null) {
            where = where.and(PRODUCTION_MONTH.MONTH.le(to.atDay(1)));
        }
        List<LedgerMonth> months = dsl.selectFrom(PRODUCTION_MONTH).where(where).orderBy(PRODUCTION_MONTH.MONTH)
                .fetch(r -> new LedgerMonth(value(r), r.getRevision(), r.getUpdatedAt().toInstant()));
        return Optional.of(new SystemLedger(systemId, dc, months));
    }

    public record SystemLedger(String systemId, BigDecimal dcCapacityKw, List<LedgerMonth> months) {}

    public record LedgerMonth(MonthProduction value, int revision, Instant updatedAt) {}

    /** Every revision of a month, oldest first. */
    public List<Revision> revisions(String systemId, YearMonth month) {
        return dsl.selectFrom(PRODUCTION_REVISION)
                .where(PRODUCTION_REVISION.SYSTEM_ID.eq(systemId), PRODUCTION_REVISION.MONTH.eq(month.atDay(1)))
                .orderBy(PRODUCTION_REVISION.REVISION)
                .fetch(r -> new Revision(r.getRevision(), new MonthProduction(month, r.getKwh(),
                        ProductionBasis.valueOf(r.getBasis()), r.getCloseKwh(), r.getReason()),
                        r.getRecordedAt().toInstant(), RevisionCause.valueOf(r.getCause()), r.getCauseRef()));
    }

    public record Revision(int revision, MonthProduction value, Instant recordedAt, RevisionCause cause, String causeRef) {}

    /** Whether a provider reports or reported this system (a designation, past or present). */
    public boolean reportedBy(String systemId, String providerId) {
        return dsl.fetchExists(DESIGNATION, DESIGNATION.SYSTEM_ID.eq(systemId), DESIGNATION.PROVIDER_ID.eq(providerId));
    }
}
