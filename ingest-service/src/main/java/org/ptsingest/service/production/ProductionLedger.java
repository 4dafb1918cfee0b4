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
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.MeterExchange;
import org.ptsingest.rules.MonthProduction;
import org.ptsingest.rules.ProductionAdjustment;
import org.ptsingest.rules.ProductionBasis;
import org.ptsingest.rules.ProductionRules;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.rules.StoredReading;
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
    /** Systems recomputed per transaction (a few hundred thousand readings in memory at most). */
    static final int BATCH = 200;
    private static final int INSERT_CHUNK = 1_000;

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

    /** One batch of queued systems; returns how many queue rows it took. */
    int drainBatch() {
        Integer taken = tx.execute(status -> {
            var rows = dsl.select(PRODUCTION_DIRTY.DIRTY_ID, PRODUCTION_DIRTY.SYSTEM_ID, PRODUCTION_DIRTY.CAUSE,
                            PRODUCTION_DIRTY.CAUSE_REF)
                    .from(PRODUCTION_DIRTY).orderBy(PRODUCTION_DIRTY.DIRTY_ID).limit(BATCH * 5)
                    .forUpdate().skipLocked().fetch();
            if (rows.isEmpty()) {
                return 0;
            }
            Map<String, Why> why = new LinkedHashMap<>();
            rows.forEach(r -> why.put(r.value2(), new Why(RevisionCause.valueOf(r.value3()), r.value4()))); // the latest
            List<String> ids = new ArrayList<>(why.keySet());
            for (int i = 0; i < ids.size(); i += BATCH) {
                recompute(ids.subList(i, Math.min(ids.size(), i + BATCH)), why);
            }
            dsl.deleteFrom(PRODUCTION_DIRTY).where(PRODUCTION_DIRTY.DIRTY_ID.in(rows.getValues(PRODUCTION_DIRTY.DIRTY_ID)))
                    .execute();
            return rows.size();
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
        Map<String, List<StoredReading>> readings = new HashMap<>();
        dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH).from(READING)
                .where(READING.SYSTEM_ID.in(sorted))
                .forEach(r -> readings.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new StoredReading(r.value1(), r.value2(), r.value3().toInstant(), r.value4())));
        return store(sorted, readings, id -> why.get(id));
    }

    /**
     * Recomputes every system from the readings and writes what differs (nothing, on a ledger that is up to
     * date). Readings are read once, in one pass in primary-key order on a connection of their own; each
     * batch of systems is written in a transaction of its own. A feed committing meanwhile queued its
     * systems, so the worker brings them up to date after.
     */
    public Changes rebuild(String ref) {
        Why why = new Why(RevisionCause.REBUILD, ref);
        Changes total = new Changes(0, 0);
        Set<String> seen = new HashSet<>();
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false); // a cursor, not the whole table in memory
            c.setReadOnly(true);
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT system_id, meter_serial, read_at, register_kwh FROM reading ORDER BY system_id, meter_serial, read_at")) {
                s.setFetchSize(10_000);
                try (ResultSet rs = s.executeQuery()) {
                    Map<String, List<StoredReading>> batch = new LinkedHashMap<>();
                    String current = null;
                    while (rs.next()) {
                        String system = rs.getString(1);
                        if (!system.equals(current)) {
                            if (batch.size() == BATCH) {
                                total = total.plus(storeBatch(batch, why));
                                batch.clear();
                            }
                            current = system;
                            seen.add(system);
                            batch.put(system, new ArrayList<>());
                        }
                        batch.get(system).add(new StoredReading(system, rs.getString(2),
                                rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getBigDecimal(4)));
                    }
                    total = total.plus(storeBatch(batch, why));
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("rebuild: reading the readings failed", e);
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    log.debug("rebuild: closing the reading connection: {}", e.getMessage());
                }
            }
        }
        // systems without readings (an adjustment only, or all their readings rejected since)
        List<String> rest = dsl.select(PTS_SYSTEM.SYSTEM_ID).from(PTS_SYSTEM).fetch(PTS_SYSTEM.SYSTEM_ID).stream()
                .filter(id -> !seen.contains(id)).sorted().toList();
        for (int i = 0; i < rest.size(); i += BATCH) {
            Map<String, List<StoredReading>> none = new LinkedHashMap<>();
            rest.subList(i, Math.min(rest.size(), i + BATCH)).forEach(id -> none.put(id, List.of()));
            total = total.plus(storeBatch(none, why));
        }
        log.info("production ledger rebuilt: {} systems, {} revisions written", total.systems(), total.revisions());
        return total;
    }

    private Changes storeBatch(Map<String, List<StoredReading>> batch, Why why) {
        if (batch.isEmpty()) {
            return new Changes(0, 0);
        }
        return tx.execute(status -> {
            List<String> ids = new ArrayList<>(new TreeSet<>(batch.keySet()));
            lock(ids);
            return store(ids, batch, id -> why);
        });
    }

    /** Transaction-scoped advisory locks on these systems, in order (so two lockers never deadlock). */
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

    private void write(List<ProductionMonthRecord> months, List<ProductionRevisionRecord> revisions) {
        for (int i = 0; i < months.size(); i += INSERT_CHUNK) {
            var chunk = months.subList(i, Math.min(months.size(), i + INSERT_CHUNK));
            var insert = dsl.insertInto(PRODUCTION_MONTH, PRODUCTION_MONTH.fields()).valuesOfRecords(chunk)
                    .onConflict(PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH).doUpdate()
                    .set(PRODUCTION_MONTH.KWH, DSL.excluded(PRODUCTION_MONTH.KWH))
                    .set(PRODUCTION_MONTH.BASIS, DSL.excluded(PRODUCTION_MONTH.BASIS))
                    .set(PRODUCTION_MONTH.CLOSE_KWH, DSL.excluded(PRODUCTION_MONTH.CLOSE_KWH))
                    .set(PRODUCTION_MONTH.REASON, DSL.excluded(PRODUCTION_MONTH.REASON))
                    .set(PRODUCTION_MONTH.REVISION, DSL.excluded(PRODUCTION_MONTH.REVISION))
                    .set(PRODUCTION_MONTH.UPDATED_AT, DSL.excluded(PRODUCTION_MONTH.UPDATED_AT));
            insert.execute();
        }
        for (int i = 0; i < revisions.size(); i += INSERT_CHUNK) {
            dsl.insertInto(PRODUCTION_REVISION, PRODUCTION_REVISION.fields()).valuesOfRecords(revisions.subList(i, Math.min(revisions.size(),
                    i + INSERT_CHUNK))).execute();
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
