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
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.service.persistence.jooq.tables.PtsSystem;
import org.ptsingest.service.persistence.jooq.tables.Reading;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The systems that owe a close for month M and have none: designated to a reporter on the last day of
 * M's reporting window, interconnected before the window opened, and without a stored reading of the
 * meter installed at its read_at inside the window. One query, driven by the registry (systems ×
 * designations), probing {@code reading} by its primary key per system: the window check reads the
 * system's index entries in the window's range, and only systems found missing look further back for
 * their last close.
 */
@Service
public class MissingReports {
    /** One system without a close; {@code lastCloseMonth} is null when it never had one up to M. */
    public record Missing(String systemId, String providerId, YearMonth lastCloseMonth) {}

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

        PtsSystem s = PTS_SYSTEM.as("s");
        Reading inWindow = READING.as("w");
        Reading earlier = READING.as("e");
        Field<String> lastClose = DSL.select(windowMonth(earlier.READ_AT)).from(earlier)
                .where(earlier.SYSTEM_ID.eq(s.SYSTEM_ID), earlier.READ_AT.lt(opens), inAWindow(earlier.READ_AT),
                        installed(earlier, s))
                .orderBy(earlier.READ_AT.desc()).limit(1).asField("last_close_month");
        return dsl.select(s.SYSTEM_ID, DESIGNATION.PROVIDER_ID, lastClose)
                .from(s)
                .join(DESIGNATION).on(DESIGNATION.SYSTEM_ID.eq(s.SYSTEM_ID),
                        DESIGNATION.EFFECTIVE_FROM.le(lastDay),
                        DESIGNATION.EFFECTIVE_TO.isNull().or(DESIGNATION.EFFECTIVE_TO.ge(lastDay)))
                .where(s.INTERCONNECTED_ON.lt(firstDay))
                .andNotExists(DSL.selectOne().from(inWindow)
                        .where(inWindow.SYSTEM_ID.eq(s.SYSTEM_ID), inWindow.READ_AT.ge(opens), inWindow.READ_AT.lt(closes),
                                installed(inWindow, s)))
                .orderBy(DESIGNATION.PROVIDER_ID, s.SYSTEM_ID)
                .fetch(r -> new Missing(r.value1(), r.value2(), r.value3() == null ? null : YearMonth.parse(r.value3())));
    }

    /**
     * The reading's meter is the one installed on its system at its read_at: the rule of
     * {@link org.ptsingest.rules.InstalledMeters} in SQL (new meter of the latest exchange at or before,
     * else old meter of the earliest after, else the registered meter, else any), since the registry of
     * every system cannot be carried into Java for this query.
     */
    private static Condition installed(Reading r, PtsSystem s) {
        var before = METER_EXCHANGE.as("xb");
        var after = METER_EXCHANGE.as("xa");
        Field<String> installed = DSL.coalesce(
                DSL.select(before.NEW_METER_SERIAL).from(before)
                        .where(before.SYSTEM_ID.eq(r.SYSTEM_ID), before.EXCHANGED_AT.le(r.READ_AT))
                        .orderBy(before.EXCHANGED_AT.desc()).limit(1).<String>asField(),
                DSL.select(after.OLD_METER_SERIAL).from(after)
                        .where(after.SYSTEM_ID.eq(r.SYSTEM_ID), after.EXCHANGED_AT.gt(r.READ_AT))
                        .orderBy(after.EXCHANGED_AT.asc()).limit(1).<String>asField(),
                s.METER_SERIAL, r.METER_SERIAL);
        return r.METER_SERIAL.eq(installed);
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
}
