package org.ptsingest.service.reporting;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.service.persistence.jooq.tables.Reading;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The systems that owe a close for month M and have none: designated to a reporter on the last day of
 * M's reporting window, interconnected before the window opened, and without a stored reading of the
 * meter installed at its read_at inside the window. One query, driven by the registry (systems ×
 * designations); only systems found missing look further back for their last close. Measured on
 * 10,000 systems × 3 years of daily readings (10.8 M): 1.6 s when a tenth are missing, 7.2 s when all
 * are (every history read once), beside 4.3 s for one GROUP BY over all readings.
 */
@Service
public class MissingReports {
    /** One system without a close; {@code lastCloseMonth} is null when it never had one up to M. */
    public record Missing(String systemId, String providerId, YearMonth lastCloseMonth) {}

    private static final String HAS_EXCHANGE = "has_exchange";

    private final DSLContext dsl;
    private final ReportingWindow windows;

    public MissingReports(DSLContext dsl, IngestProperties properties) {
        this.dsl = dsl;
        this.windows = new ReportingWindow(properties.rules().zone(), properties.production().windowDays());
    }

    public ReportingWindow windows() {
        return windows;
    }

    @Transactional(readOnly = true)
    public List<Missing> of(YearMonth month) {
        LocalDate firstDay = month.plusMonths(1).atDay(1).minusDays(windows.days());
        LocalDate lastDay = month.plusMonths(1).atDay(1).plusDays(windows.days() - 1);
        OffsetDateTime opens = windows.opens(month).atOffset(ZoneOffset.UTC);
        OffsetDateTime closes = windows.closes(month).atOffset(ZoneOffset.UTC);

        // Each system with whether it has exchanges at all: most have none, and for them the installed meter
        // is the registered one (or any) without probing meter_exchange twice per reading.
        Table<?> s = DSL.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.METER_SERIAL, PTS_SYSTEM.INTERCONNECTED_ON,
                        DSL.field(DSL.exists(DSL.selectOne().from(METER_EXCHANGE)
                                .where(METER_EXCHANGE.SYSTEM_ID.eq(PTS_SYSTEM.SYSTEM_ID)))).as(HAS_EXCHANGE))
                .from(PTS_SYSTEM).asTable("s");
        Field<String> systemId = s.field(PTS_SYSTEM.SYSTEM_ID);
        Reading inWindow = READING.as("w");
        Reading earlier = READING.as("e");
        Field<String> lastClose = DSL.select(windowMonth(earlier.READ_AT)).from(earlier)
                .where(earlier.SYSTEM_ID.eq(systemId), earlier.READ_AT.lt(opens), inAWindow(earlier.READ_AT),
                        installed(earlier, s))
                .orderBy(earlier.READ_AT.desc()).limit(1).asField("last_close_month");
        return dsl.select(systemId, DESIGNATION.PROVIDER_ID, lastClose)
                .from(s)
                .join(DESIGNATION).on(DESIGNATION.SYSTEM_ID.eq(systemId),
                        DESIGNATION.EFFECTIVE_FROM.le(lastDay),
                        DESIGNATION.EFFECTIVE_TO.isNull().or(DESIGNATION.EFFECTIVE_TO.ge(lastDay)))
                .where(s.field(PTS_SYSTEM.INTERCONNECTED_ON).lt(firstDay))
                .andNotExists(DSL.selectOne().from(inWindow)
                        .where(inWindow.SYSTEM_ID.eq(systemId), inWindow.READ_AT.ge(opens), inWindow.READ_AT.lt(closes),
                                installed(inWindow, s)))
                .orderBy(DESIGNATION.PROVIDER_ID, systemId)
                .fetch(r -> new Missing(r.value1(), r.value2(), r.value3() == null ? null : YearMonth.parse(r.value3())));
    }

    /**
     * The reading's meter is the one installed on its system at its read_at: the rule of
     * {@link org.ptsingest.rules.InstalledMeters} in SQL (new meter of the latest exchange at or before,
     * else old meter of the earliest after, else the registered meter, else any), since the registry of
     * every system cannot be carried into Java for this query.
     */
    private static Condition installed(Reading r, Table<?> s) {
        var before = METER_EXCHANGE.as("xb");
        var after = METER_EXCHANGE.as("xa");
        Field<String> registered = s.field(PTS_SYSTEM.METER_SERIAL);
        Field<String> byExchanges = DSL.coalesce(
                DSL.select(before.NEW_METER_SERIAL).from(before)
                        .where(before.SYSTEM_ID.eq(r.SYSTEM_ID), before.EXCHANGED_AT.le(r.READ_AT))
                        .orderBy(before.EXCHANGED_AT.desc()).limit(1).<String>asField(),
                DSL.select(after.OLD_METER_SERIAL).from(after)
                        .where(after.SYSTEM_ID.eq(r.SYSTEM_ID), after.EXCHANGED_AT.gt(r.READ_AT))
                        .orderBy(after.EXCHANGED_AT.asc()).limit(1).<String>asField());
        return r.METER_SERIAL.eq(DSL.when(s.field(HAS_EXCHANGE, Boolean.class).isTrue(), byExchanges)
                .otherwise(DSL.coalesce(registered, r.METER_SERIAL)));
    }

    /** Local wall time of an instant in the programme's zone (windows are local calendar days). */
    private Field<java.time.LocalDateTime> local(Field<OffsetDateTime> at) {
        return DSL.field("({0} at time zone {1})", SQLDataType.LOCALDATETIME, at, DSL.val(windows.zone().getId()));
    }

    /**
     * t lies in the window of some month iff a month boundary B has t − days < B ≤ t + days in local
     * time; B is then the first of the month of t + days (windows are shorter than any month).
     */
    private Condition inAWindow(Field<OffsetDateTime> at) {
        return DSL.condition("date_trunc('month', {0} + make_interval(days => {1})) > {0} - make_interval(days => {1})",
                local(at), DSL.val(windows.days()));
    }

    /** The month whose window holds t (given that one does): the month before that of t + days, as YYYY-MM. */
    private Field<String> windowMonth(Field<OffsetDateTime> at) {
        return DSL.field("to_char(date_trunc('month', {0} + make_interval(days => {1})) - interval '1 month', 'YYYY-MM')",
                SQLDataType.VARCHAR, local(at), DSL.val(windows.days()));
    }

    /** The CSV form (RFC 4180, header {@code system_id,provider_id,last_close_month}), for the API and the console. */
    public static void csv(List<Missing> rows, java.io.Writer out) throws java.io.IOException {
        try (org.apache.commons.csv.CSVPrinter printer = new org.apache.commons.csv.CSVPrinter(out,
                org.apache.commons.csv.CSVFormat.RFC4180.builder()
                        .setHeader("system_id", "provider_id", "last_close_month").get())) {
            for (Missing r : rows) {
                printer.printRecord(r.systemId(), r.providerId(),
                        r.lastCloseMonth() == null ? "" : r.lastCloseMonth().toString());
            }
        }
    }
}
