package org.ptsingest.service.production;

import static org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT;
import static org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT_LINE;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_MONTH;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jooq.DSLContext;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The quarterly upload to NEPOOL GIS (the verifier's CSV {@code unit_id,MM/YYYY,MWh}): one line per system
 * with a {@code gis_unit_id} and month of the quarter that has a value, estimates included, MWh = kWh / 1000
 * rounded half-up to 3 decimals (the nearest kWh). Finalizing records exactly what was exported; a later
 * revision of an exported month is an adjustment, listed as the month's restated full total (registries take
 * restated totals, not deltas) until the quarter is exported and finalized again.
 */
@Component
public class GisExport {
    private static final Pattern QUARTER = Pattern.compile("(\\d{4})Q([1-4])");
    private static final DateTimeFormatter GIS_MONTH = DateTimeFormatter.ofPattern("MM/yyyy");
    static final String[] HEADER = {"unit_id", "MM/YYYY", "MWh"};

    private final DSLContext dsl;
    private final ProductionOps ops;

    GisExport(DSLContext dsl, ProductionOps ops) {
        this.dsl = dsl;
        this.ops = ops;
    }

    /** A quarter, e.g. {@code 2026Q3}. */
    public record Quarter(int year, int quarter) {
        public static Quarter parse(String text) {
            Matcher m = QUARTER.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("a quarter is YYYYQn, n from 1 to 4: " + text);
            }
            return new Quarter(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }

        public YearMonth first() {
            return YearMonth.of(year, 3 * quarter - 2);
        }

        public YearMonth last() {
            return first().plusMonths(2);
        }

        @Override
        public String toString() {
            return year + "Q" + quarter;
        }
    }

    /** One line of the export, with the ledger revision it shows. */
    public record Line(String unitId, String systemId, YearMonth month, BigDecimal mwh, int revision) {}

    /** The quarter's lines as the ledger stands, ordered by unit, month (and system, for units shared). */
    public List<Line> lines(Quarter q) {
        return dsl.select(PTS_SYSTEM.GIS_UNIT_ID, PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH,
                        PRODUCTION_MONTH.KWH, PRODUCTION_MONTH.REVISION)
                .from(PRODUCTION_MONTH).join(PTS_SYSTEM).on(PTS_SYSTEM.SYSTEM_ID.eq(PRODUCTION_MONTH.SYSTEM_ID))
                .where(PTS_SYSTEM.GIS_UNIT_ID.isNotNull(), PRODUCTION_MONTH.KWH.isNotNull(),
                        PRODUCTION_MONTH.MONTH.between(q.first().atDay(1), q.last().atDay(1)))
                .orderBy(PTS_SYSTEM.GIS_UNIT_ID, PRODUCTION_MONTH.MONTH, PRODUCTION_MONTH.SYSTEM_ID)
                .fetch(r -> new Line(r.value1(), r.value2(), YearMonth.from(r.value3()), mwh(r.value4()), r.value5()));
    }

    static BigDecimal mwh(BigDecimal kwh) {
        return kwh == null ? null : kwh.movePointLeft(3).setScale(3, RoundingMode.HALF_UP);
    }

    /** The CSV text: a header line, then {@code unit_id,MM/YYYY,MWh} per line. */
    public static String csv(List<Line> lines) {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator("\r\n").get())) {
            csv.printRecord((Object[]) HEADER);
            for (Line l : lines) {
                csv.printRecord(l.unitId(), GIS_MONTH.format(l.month()), l.mwh().toPlainString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** One time a quarter was recorded as exported. */
    public record Export(long exportId, String finalizedBy, java.time.OffsetDateTime finalizedAt) {}

    /** The quarter's exports, latest first. */
    public List<Export> exportsOf(Quarter q) {
        return dsl.select(GIS_EXPORT.EXPORT_ID, GIS_EXPORT.FINALIZED_BY, GIS_EXPORT.FINALIZED_AT).from(GIS_EXPORT)
                .where(GIS_EXPORT.QUARTER.eq(q.toString())).orderBy(GIS_EXPORT.EXPORT_ID.desc())
                .fetch(r -> new Export(r.value1(), r.value2(), r.value3()));
    }

    /** The quarter was recorded as exported after the page that asked again was shown. */
    public static final class ExportedMeanwhile extends RuntimeException {
        ExportedMeanwhile(Quarter q, Export latest) {
            super(q + " was recorded as exported meanwhile (export " + latest.exportId() + " by "
                    + latest.finalizedBy() + " at " + latest.finalizedAt().toInstant().truncatedTo(
                            java.time.temporal.ChronoUnit.SECONDS) + "); look at it before recording another");
        }
    }

    /** Records the quarter's lines as exported (audited); returns the export id. */
    @Transactional
    public long finalizeExport(Quarter q, String user, String reason) {
        return finalizeExport(q, user, reason, null);
    }

    /**
     * As {@link #finalizeExport(Quarter, String, String)}, only if the quarter's latest export is still the one
     * the caller saw ({@code 0}: none): the console's form says which, so a double click, or two ops on the same
     * page, record the quarter once, not twice with the same lines.
     *
     * @throws ExportedMeanwhile when another export of the quarter was recorded since
     */
    @Transactional
    public long finalizeExport(Quarter q, String user, String reason, Long seenLatest) {
        if (seenLatest != null) {
            // one finalization of a quarter at a time, so the check and the insert are one step
            dsl.select(org.jooq.impl.DSL.function("pg_advisory_xact_lock", org.jooq.impl.SQLDataType.OTHER,
                    org.jooq.impl.DSL.function("hashtextextended", org.jooq.impl.SQLDataType.BIGINT,
                            org.jooq.impl.DSL.val("gis-export:" + q), org.jooq.impl.DSL.val(0L)))).fetch();
            List<Export> exports = exportsOf(q);
            if (!exports.isEmpty() && exports.get(0).exportId() != seenLatest) {
                throw new ExportedMeanwhile(q, exports.get(0));
            }
        }
        ops.audit(user, "FINALIZE_GIS_EXPORT", q.toString(), reason == null || reason.isBlank()
                ? "quarterly export" : reason, null);
        long exportId = dsl.insertInto(GIS_EXPORT).set(GIS_EXPORT.QUARTER, q.toString())
                .set(GIS_EXPORT.FINALIZED_BY, user).returning(GIS_EXPORT.EXPORT_ID).fetchOne().getExportId();
        List<Line> lines = lines(q);
        if (!lines.isEmpty()) {
            var insert = dsl.insertInto(GIS_EXPORT_LINE, GIS_EXPORT_LINE.EXPORT_ID, GIS_EXPORT_LINE.SYSTEM_ID,
                    GIS_EXPORT_LINE.MONTH, GIS_EXPORT_LINE.UNIT_ID, GIS_EXPORT_LINE.MWH, GIS_EXPORT_LINE.REVISION);
            for (Line l : lines) {
                insert = insert.values(exportId, l.systemId(), l.month().atDay(1), l.unitId(), l.mwh(), l.revision());
            }
            insert.execute();
        }
        return exportId;
    }

    /**
     * An exported month whose total changed after it was exported.
     *
     * @param exportedMwh what the earlier export said
     * @param mwh the restated full total (null when the month has no value any more)
     * @param doneBy the export that sent the restated total, null while it is PENDING
     */
    public record Adjustment(String systemId, String unitId, YearMonth month, Quarter quarter, BigDecimal exportedMwh,
            BigDecimal mwh, int revision, Long doneBy) {
        public String status() {
            return doneBy == null ? "PENDING" : "DONE";
        }
    }

    /** Adjustments done (exported again) and pending (the ledger moved on since the latest export), by month. */
    public List<Adjustment> adjustments() {
        record Exported(long exportId, String quarter, String unitId, BigDecimal mwh, int revision) {}
        Map<List<Object>, List<Exported>> byMonth = new LinkedHashMap<>();
        record Current(BigDecimal kwh, int revision) {}
        Map<List<Object>, Current> ledgerNow = new LinkedHashMap<>();
        dsl.select(GIS_EXPORT_LINE.SYSTEM_ID, GIS_EXPORT_LINE.MONTH, GIS_EXPORT_LINE.EXPORT_ID, GIS_EXPORT.QUARTER,
                        GIS_EXPORT_LINE.UNIT_ID, GIS_EXPORT_LINE.MWH, GIS_EXPORT_LINE.REVISION,
                        PRODUCTION_MONTH.KWH, PRODUCTION_MONTH.REVISION)
                .from(GIS_EXPORT_LINE).join(GIS_EXPORT).on(GIS_EXPORT.EXPORT_ID.eq(GIS_EXPORT_LINE.EXPORT_ID))
                .leftJoin(PRODUCTION_MONTH).on(PRODUCTION_MONTH.SYSTEM_ID.eq(GIS_EXPORT_LINE.SYSTEM_ID),
                        PRODUCTION_MONTH.MONTH.eq(GIS_EXPORT_LINE.MONTH))
                .orderBy(GIS_EXPORT_LINE.SYSTEM_ID, GIS_EXPORT_LINE.MONTH, GIS_EXPORT_LINE.EXPORT_ID)
                .forEach(r -> {
                    List<Object> key = List.of(r.value1(), r.value2());
                    byMonth.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(new Exported(r.value3(), r.value4(), r.value5(), r.value6(), r.value7()));
                    if (r.value9() != null) {
                        ledgerNow.put(key, new Current(r.value8(), r.value9()));
                    }
                });
        List<Adjustment> out = new ArrayList<>();
        byMonth.forEach((key, exports) -> {
            String systemId = (String) key.get(0);
            YearMonth month = YearMonth.from((java.time.LocalDate) key.get(1));
            for (int i = 1; i < exports.size(); i++) {
                Exported before = exports.get(i - 1);
                Exported again = exports.get(i);
                if (before.mwh().compareTo(again.mwh()) != 0) {
                    out.add(new Adjustment(systemId, again.unitId(), month, Quarter.parse(again.quarter()), before.mwh(),
                            again.mwh(), again.revision(), again.exportId()));
                }
            }
            Exported latest = exports.getLast();
            var now = ledgerNow.get(key);
            if (now != null && now.revision() > latest.revision()) {
                BigDecimal restated = mwh(now.kwh());
                if (restated == null || restated.compareTo(latest.mwh()) != 0) {
                    out.add(new Adjustment(systemId, latest.unitId(), month, Quarter.parse(latest.quarter()),
                            latest.mwh(), restated, now.revision(), null));
                }
            }
        });
        return out;
    }
}
