package org.ptsingest.service.report;

import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FLAG_DECISION;
import static org.ptsingest.service.persistence.jooq.Tables.MANUAL_REPORT;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_MONTH;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.pipeline.DeliveryIdentityConflict;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.rules.ManualEntry;
import org.ptsingest.rules.ReportingWindow;
import org.ptsingest.service.ingest.FeedSystems;
import org.ptsingest.service.ingest.RegistrySnapshots;
import org.ptsingest.service.persistence.jooq.tables.records.ManualReportRecord;
import org.ptsingest.service.web.FeedGateway;
import org.springframework.stereotype.Service;

/**
 * The manual channel: a self-reporter's systems and months, and a reading entered on the /report pages
 * sent through the same ingest route as every feed (a one-record CSV feed v1 document, channel MANUAL),
 * so it gets the same rules (designation, DAS mandate, register order, capacity), receipt and ledger.
 *
 * <p>Stored once: the form carries its attempt number, and the delivery key is the reporter, month,
 * system and attempt, so a double click, Back and resend or a reload is the same delivery (the delivery
 * table's unique key). Once a reading is accepted the month is the owner's {@code manual_report} and no
 * other reading is taken for it (a correction goes to ops as a request).
 */
@Service
public class ManualReadings {
    /** A meter for systems with none registered and no reading yet: the owner reads the system's one meter. */
    static final String UNREGISTERED_METER = "SELF";
    static final String FILE_NAME = "manual-reading.csv";

    public enum State { TO_REPORT, REPORTED, DAS_REQUIRED }

    /** One of the reporter's systems in the open window (or, between windows, the next one). */
    public record SystemRow(String systemId, String ownerName, BigDecimal dcCapacityKw, State state,
            ManualReportRecord report) {}

    /** A reading of an earlier reporting period and that month's production, for the entry page. */
    public record Period(YearMonth month, Instant readAt, BigDecimal registerKwh, BigDecimal productionKwh,
            String basis) {}

    /**
     * What became of a submitted reading.
     *
     * @param feedId the feed (for a resent form: the one it became the first time)
     * @param stored whether the reading is stored (accepted, or accepted and flagged for review)
     * @param code the reading's outcome code
     * @param message the rule's own message (numbers, times)
     */
    public record Outcome(long feedId, boolean stored, OutcomeCode code, String message) {}

    /** The owner's input was refused before anything was stored. */
    public static final class FormProblems extends RuntimeException {
        final Map<String, String> problems;

        FormProblems(Map<String, String> problems) {
            super(String.join(" ", problems.values()), null, false, false);
            this.problems = problems;
        }
    }

    private static final String REJECTED = org.ptsingest.service.review.FeedReview.Decision.REJECTED.name();

    private final DSLContext dsl;
    private final RegistrySnapshots registry;
    private final FeedSystems feedSystems;
    private final FeedGateway gateway;
    private final Clock clock;
    private final ReportingWindow windows;
    private final BigDecimal dasThresholdKw;
    private final Path work;

    public ManualReadings(DSLContext dsl, RegistrySnapshots registry, FeedGateway gateway, FeedSystems feedSystems,
            Clock clock, IngestProperties properties) {
        this.dsl = dsl;
        this.feedSystems = feedSystems;
        this.registry = registry;
        this.gateway = gateway;
        this.clock = clock;
        this.windows = new ReportingWindow(properties.rules().zone(), properties.production().windowDays());
        this.dasThresholdKw = properties.rules().dasThresholdKw();
        this.work = properties.workDir().resolve("manual");
    }

    public ReportingWindow windows() {
        return windows;
    }

    public BigDecimal dasThresholdKw() {
        return dasThresholdKw;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The month whose window is open now, or null between windows. */
    public YearMonth openMonth() {
        return windows.windowAt(clock.instant());
    }

    /** The systems the reporter is designated for on some day of month M's window, with their state. */
    public List<SystemRow> systems(String reporterId, YearMonth month) {
        reconcile(reporterId, month);
        Map<String, ManualReportRecord> reports = dsl.selectFrom(MANUAL_REPORT)
                .where(MANUAL_REPORT.REPORTER_ID.eq(reporterId), MANUAL_REPORT.MONTH.eq(month.atDay(1)))
                .fetchMap(MANUAL_REPORT.SYSTEM_ID);
        Set<Long> rejectedByOps = rejectedByOps(reports.values().stream().map(ManualReportRecord::getFeedId).toList());
        List<SystemRow> rows = new ArrayList<>();
        dsl.selectDistinct(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.OWNER_NAME, PTS_SYSTEM.DC_CAPACITY_KW)
                .from(PTS_SYSTEM).join(DESIGNATION).on(DESIGNATION.SYSTEM_ID.eq(PTS_SYSTEM.SYSTEM_ID))
                .where(DESIGNATION.PROVIDER_ID.eq(reporterId), coversWindow(month))
                .orderBy(PTS_SYSTEM.SYSTEM_ID)
                .forEach(r -> {
                    ManualReportRecord report = reports.get(r.value1());
                    // a reading ops rejected after review is out of the figures: the month takes another
                    State state = report != null && !rejectedByOps.contains(report.getFeedId()) ? State.REPORTED
                            : r.value3().compareTo(dasThresholdKw) > 0 ? State.DAS_REQUIRED : State.TO_REPORT;
                    rows.add(new SystemRow(r.value1(), r.value2(), r.value3(), state, report));
                });
        return rows;
    }

    /** Of these feeds, those whose reading ops rejected after it was flagged for review. */
    private Set<Long> rejectedByOps(List<Long> feedIds) {
        if (feedIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(dsl.selectDistinct(FLAG_DECISION.FEED_ID).from(FLAG_DECISION)
                .where(FLAG_DECISION.FEED_ID.in(feedIds), FLAG_DECISION.DECISION.eq(REJECTED))
                .fetch(FLAG_DECISION.FEED_ID));
    }

    /**
     * A month's reading that was stored, flagged for review, and rejected by ops: what it was and why. The
     * reading is no longer stored (ops' rejection deletes it), so the pages say this instead.
     */
    public record OpsRejection(String meterSerial, OffsetDateTime readAt, BigDecimal registerKwh,
            OffsetDateTime decidedAt, String reason) {}

    /** The rejection of the reading this report's feed stored, or null when ops did not reject it. */
    public OpsRejection opsRejection(ManualReportRecord report) {
        return dsl.select(FLAG_DECISION.METER_SERIAL, FLAG_DECISION.READ_AT, FLAG_DECISION.REGISTER_KWH,
                        FLAG_DECISION.DECIDED_AT, FLAG_DECISION.REASON)
                .from(FLAG_DECISION)
                .where(FLAG_DECISION.SYSTEM_ID.eq(report.getSystemId()), FLAG_DECISION.FEED_ID.eq(report.getFeedId()),
                        FLAG_DECISION.DECISION.eq(REJECTED))
                .orderBy(FLAG_DECISION.DECIDED_AT.desc()).limit(1)
                .fetchOne(r -> new OpsRejection(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }

    /** The reporter's row for one system in month M's window, or null when it is not theirs. */
    public SystemRow system(String reporterId, YearMonth month, String systemId) {
        return systems(reporterId, month).stream().filter(s -> s.systemId().equals(systemId)).findFirst().orElse(null);
    }

    private Condition coversWindow(YearMonth month) {
        LocalDate first = windows.opens(month).atZone(windows.zone()).toLocalDate();
        LocalDate last = windows.closes(month).minusSeconds(1).atZone(windows.zone()).toLocalDate();
        return DESIGNATION.EFFECTIVE_FROM.le(last)
                .and(DESIGNATION.EFFECTIVE_TO.isNull().or(DESIGNATION.EFFECTIVE_TO.ge(first)));
    }

    /** The attempt number the next form for this system and month carries: one more than those made. */
    public int nextAttempt(String reporterId, YearMonth month, String systemId) {
        String prefix = DeliveryKey.manualPrefix(reporterId, month, systemId);
        return dsl.fetchCount(DELIVERY, DELIVERY.CHANNEL.eq(Channel.MANUAL.name()),
                DSL.left(DELIVERY.SOURCE_KEY, prefix.length()).eq(prefix)) + 1;
    }

    /** The last three reporting periods before M: the latest reading in each window and the month's production. */
    public List<Period> history(String systemId, YearMonth month) {
        List<Period> periods = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            YearMonth m = month.minusMonths(k);
            var reading = dsl.select(READING.READ_AT, READING.REGISTER_KWH).from(READING)
                    .where(READING.SYSTEM_ID.eq(systemId),
                            READING.READ_AT.ge(utc(windows.opens(m))), READING.READ_AT.lt(utc(windows.closes(m))))
                    .orderBy(READING.READ_AT.desc()).limit(1).fetchOne();
            var production = dsl.select(PRODUCTION_MONTH.KWH, PRODUCTION_MONTH.BASIS).from(PRODUCTION_MONTH)
                    .where(PRODUCTION_MONTH.SYSTEM_ID.eq(systemId), PRODUCTION_MONTH.MONTH.eq(m.atDay(1))).fetchOne();
            periods.add(new Period(m, reading == null ? null : reading.value1().toInstant(),
                    reading == null ? null : reading.value2(), production == null ? null : production.value1(),
                    production == null ? null : production.value2()));
        }
        return periods;
    }

    /**
     * Checks the owner's input, then sends the reading through the ingest route. The same form again (same
     * attempt) is answered with what it became the first time; a month already reported takes no other
     * reading.
     *
     * @throws FormProblems when the input is refused before anything is stored
     */
    public Outcome submit(String reporterId, String systemId, int attempt, String kwhText, String readAtText)
            throws Exception {
        Instant now = clock.instant();
        ManualEntry.Checked checked = ManualEntry.check(kwhText, readAtText, now, windows);
        YearMonth month = checked.month();
        if (month == null) {
            throw new FormProblems(checked.problems());
        }
        SystemRow system = system(reporterId, month, systemId);
        if (system == null) {
            throw new FormProblems(Map.of("system", "You do not report for system " + systemId + "."));
        }
        DeliveryKey key = DeliveryKey.manual(reporterId, month, systemId, Math.max(1, attempt));
        Outcome earlier = outcomeOf(key);
        if (earlier != null) {
            return earlier; // the same form again: a double click, Back and resend, a reload
        }
        if (system.state() == State.REPORTED) {
            throw new FormProblems(Map.of("system", "A reading for " + systemId + " is already stored for this "
                    + "reporting period; it cannot be changed here. Ask for a correction on the summary page."));
        }
        if (!checked.valid()) {
            throw new FormProblems(checked.problems());
        }
        Files.createDirectories(work);
        Path content = Files.createTempFile(work, "manual-", ".csv");
        try {
            writeFeed(content, systemId, meterFor(reporterId, systemId, checked.readAt()), checked.readAt(), checked.kwh());
            FeedGateway.Delivered done;
            try {
                done = gateway.deliver(new FeedDelivery(reporterId, Channel.MANUAL, FeedFormat.CSV_V1, FILE_NAME,
                        key, content, now, false));
            } catch (DeliveryIdentityConflict e) {
                // two forms with the same attempt and different values: the first one stands
                Outcome first = outcomeOf(key);
                if (first != null) {
                    return first;
                }
                throw e;
            }
            if (done.receipt() != null) {
                Files.deleteIfExists(done.receipt().toPath());
            }
            FeedResult result = done.result();
            if (!result.isJudged()) {
                throw new FormProblems(Map.of("system", "Your reading could not be stored just now. Please try "
                        + "again in a few minutes."));
            }
            reconcile(reporterId, month);
            return outcomeOf(key);
        } finally {
            Files.deleteIfExists(content);
        }
    }

    /** What the delivery with that key became, or null when there is none (or it is not judged yet). */
    Outcome outcomeOf(DeliveryKey key) {
        Long feedId = dsl.select(DELIVERY.FEED_ID).from(DELIVERY)
                .where(DELIVERY.CHANNEL.eq(Channel.MANUAL.name()), DELIVERY.SOURCE_KEY.eq(key.toString()))
                .fetchOne(DELIVERY.FEED_ID);
        return feedId == null ? null : outcome(feedId);
    }

    /** A manual feed's one reading: stored or not, and why (a resent identical feed: its original's). */
    public Outcome outcome(long feedId) {
        var feed = dsl.selectFrom(FEED).where(FEED.FEED_ID.eq(feedId)).fetchSingle();
        long judged = feed.getDuplicateOf() != null ? feed.getDuplicateOf() : feedId;
        var judgedFeed = judged == feedId ? feed : dsl.selectFrom(FEED).where(FEED.FEED_ID.eq(judged)).fetchSingle();
        if (judgedFeed.getRejectionCode() != null) {
            return new Outcome(feedId, false, OutcomeCode.valueOf(judgedFeed.getRejectionCode()),
                    judgedFeed.getRejectionMessage());
        }
        var outcome = dsl.select(READING_OUTCOME.CODE, READING_OUTCOME.MESSAGE).from(READING_OUTCOME)
                .where(READING_OUTCOME.FEED_ID.eq(judged)).limit(1).fetchOne();
        boolean stored = !feedSystems.stored(judged).isEmpty();
        if (outcome == null) {
            return new Outcome(feedId, stored, OutcomeCode.ACCEPTED, "stored");
        }
        return new Outcome(feedId, stored, OutcomeCode.valueOf(outcome.value1()), outcome.value2());
    }

    /**
     * Makes the month the owner's once its reading is stored. Also run when pages are shown: a reading a
     * background retry stored (the database was away when it was entered) completes the month as well.
     */
    void reconcile(String reporterId, YearMonth month) {
        String prefix = DeliveryKey.manualPrefix(reporterId, month, "");
        prefix = prefix.substring(0, prefix.length() - 1); // up to the month: every system
        for (var d : dsl.select(DELIVERY.SOURCE_KEY, DELIVERY.FEED_ID).from(DELIVERY)
                .leftJoin(MANUAL_REPORT).on(MANUAL_REPORT.FEED_ID.eq(DELIVERY.FEED_ID))
                .where(DELIVERY.CHANNEL.eq(Channel.MANUAL.name()), DELIVERY.STATE.eq("JUDGED"),
                        DSL.left(DELIVERY.SOURCE_KEY, prefix.length()).eq(prefix), MANUAL_REPORT.FEED_ID.isNull(),
                        DSL.notExists(DSL.selectOne().from(FLAG_DECISION).where(
                                FLAG_DECISION.FEED_ID.eq(DELIVERY.FEED_ID), FLAG_DECISION.DECISION.eq(REJECTED))))
                .fetch()) {
            long feedId = d.value2();
            Outcome outcome = outcome(feedId);
            if (!outcome.stored() || outcome.code() == OutcomeCode.DUPLICATE) {
                continue;
            }
            var systems = feedSystems.stored(feedId).keySet();
            if (systems.isEmpty()) {
                continue;
            }
            String systemId = systems.iterator().next();
            dsl.insertInto(MANUAL_REPORT).set(MANUAL_REPORT.SYSTEM_ID, systemId)
                    .set(MANUAL_REPORT.MONTH, month.atDay(1)).set(MANUAL_REPORT.REPORTER_ID, reporterId)
                    .set(MANUAL_REPORT.FEED_ID, feedId)
                    // the month's report stays one row: a reading entered after ops rejected the month's
                    // reading becomes its reading (the experience entered stays with the month)
                    .onConflict(MANUAL_REPORT.SYSTEM_ID, MANUAL_REPORT.MONTH).doUpdate()
                    .set(MANUAL_REPORT.FEED_ID, feedId).set(MANUAL_REPORT.REPORTER_ID, reporterId)
                    .where(DSL.exists(DSL.selectOne().from(FLAG_DECISION).where(
                            FLAG_DECISION.FEED_ID.eq(MANUAL_REPORT.FEED_ID), FLAG_DECISION.DECISION.eq(REJECTED))))
                    .execute();
        }
    }

    public ManualReportRecord report(String reporterId, YearMonth month, String systemId) {
        return dsl.selectFrom(MANUAL_REPORT).where(MANUAL_REPORT.SYSTEM_ID.eq(systemId),
                MANUAL_REPORT.MONTH.eq(month.atDay(1)), MANUAL_REPORT.REPORTER_ID.eq(reporterId)).fetchOne();
    }

    /** The reading a month's report stored (system, meter, time, register). */
    public org.jooq.Record4<String, OffsetDateTime, BigDecimal, String> storedReading(long feedId) {
        // through the system the feed stored it for: reading's key starts with the system, not the feed
        var systems = feedSystems.stored(feedId).keySet();
        if (systems.isEmpty()) {
            return null;
        }
        return dsl.select(READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH, READING.FLAG).from(READING)
                .where(READING.SYSTEM_ID.eq(systems.iterator().next()), READING.FEED_ID.eq(feedId)).limit(1).fetchOne();
    }

    /**
     * Step 4 and 5: the operational experience (optional) is kept with the month, and the month is
     * complete. Only once: a second Save (double click, Back and resend) changes nothing.
     */
    public boolean complete(String reporterId, YearMonth month, String systemId, BigDecimal maintenance,
            BigDecimal repair, BigDecimal service, Integer outageDays, String notes) {
        return dsl.update(MANUAL_REPORT).set(MANUAL_REPORT.MAINTENANCE_USD, maintenance)
                .set(MANUAL_REPORT.REPAIR_USD, repair).set(MANUAL_REPORT.SERVICE_USD, service)
                .set(MANUAL_REPORT.OUTAGE_DAYS, outageDays).set(MANUAL_REPORT.OUTAGE_NOTES, notes)
                .set(MANUAL_REPORT.COMPLETED_AT, utc(clock.instant()))
                .where(MANUAL_REPORT.SYSTEM_ID.eq(systemId), MANUAL_REPORT.MONTH.eq(month.atDay(1)),
                        MANUAL_REPORT.REPORTER_ID.eq(reporterId), MANUAL_REPORT.COMPLETED_AT.isNull())
                .execute() > 0;
    }

    /**
     * A correction of an accepted reading: recorded for ops to decide (the stored reading stands). A request after
     * ops decided the one before is pending again, without the earlier decision.
     */
    public boolean requestCorrection(String reporterId, YearMonth month, String systemId, BigDecimal kwh, String note) {
        // not of a reading ops rejected: there is none to correct; the owner enters the month's reading again
        return dsl.update(MANUAL_REPORT).set(MANUAL_REPORT.CORRECTION_KWH, kwh)
                .set(MANUAL_REPORT.CORRECTION_NOTE, note).set(MANUAL_REPORT.CORRECTION_AT, utc(clock.instant()))
                .setNull(MANUAL_REPORT.CORRECTION_DECISION).setNull(MANUAL_REPORT.CORRECTION_DECIDED_AT)
                .setNull(MANUAL_REPORT.CORRECTION_DECIDED_BY).setNull(MANUAL_REPORT.CORRECTION_REASON)
                .where(MANUAL_REPORT.SYSTEM_ID.eq(systemId), MANUAL_REPORT.MONTH.eq(month.atDay(1)),
                        MANUAL_REPORT.REPORTER_ID.eq(reporterId), DSL.notExists(DSL.selectOne().from(FLAG_DECISION)
                                .where(FLAG_DECISION.FEED_ID.eq(MANUAL_REPORT.FEED_ID),
                                        FLAG_DECISION.DECISION.eq(REJECTED))))
                .execute() > 0;
    }

    /** A month as ops see it: every self-reported system, its reading, experience and correction request. */
    public record MonthReport(ManualReportRecord report, String meterSerial, Instant readAt, BigDecimal registerKwh) {}

    public List<MonthReport> month(YearMonth month) {
        return dsl.select(MANUAL_REPORT.fields()).select(READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH)
                .from(MANUAL_REPORT).leftJoin(READING).on(READING.SYSTEM_ID.eq(MANUAL_REPORT.SYSTEM_ID),
                        READING.FEED_ID.eq(MANUAL_REPORT.FEED_ID))
                .where(MANUAL_REPORT.MONTH.eq(month.atDay(1)))
                .orderBy(MANUAL_REPORT.CORRECTION_AT.desc().nullsLast(), MANUAL_REPORT.SYSTEM_ID)
                .fetch(r -> new MonthReport(r.into(MANUAL_REPORT), r.get(READING.METER_SERIAL),
                        r.get(READING.READ_AT) == null ? null : r.get(READING.READ_AT).toInstant(),
                        r.get(READING.REGISTER_KWH)));
    }

    /** The feed is the reporter's own (for its receipt). */
    public boolean owns(String reporterId, long feedId) {
        return dsl.fetchExists(FEED, FEED.FEED_ID.eq(feedId), FEED.PROVIDER_ID.eq(reporterId),
                FEED.CHANNEL.eq(Channel.MANUAL.name()));
    }

    /**
     * The meter the reading is of: the one installed at that time (registered meter and exchanges, as PTS
     * payloads are attributed), else the system's latest read meter, else {@value #UNREGISTERED_METER}.
     */
    String meterFor(String reporterId, String systemId, Instant readAt) {
        String installed = registry.meterAttribution(reporterId).meterAt(systemId, readAt);
        if (installed != null) {
            return installed;
        }
        String latest = dsl.select(READING.METER_SERIAL).from(READING).where(READING.SYSTEM_ID.eq(systemId))
                .orderBy(READING.READ_AT.desc()).limit(1).fetchOne(READING.METER_SERIAL);
        return latest != null ? latest : UNREGISTERED_METER;
    }

    /** The reading as a CSV feed v1 document (Commons CSV quotes an id that needs it). */
    static void writeFeed(Path file, String systemId, String meter, Instant readAt, BigDecimal kwh) throws IOException {
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                var csv = new CSVPrinter(out, CSVFormat.RFC4180)) {
            csv.printRecord("system_id", "meter_serial", "read_at", "register_kwh");
            csv.printRecord(systemId, meter, readAt.toString(), kwh.toPlainString());
        }
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
