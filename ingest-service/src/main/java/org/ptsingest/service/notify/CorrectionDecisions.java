package org.ptsingest.service.notify;

import static org.ptsingest.service.persistence.jooq.Tables.MANUAL_REPORT;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.notify.Outbox.Kind;
import org.ptsingest.service.notify.Outbox.Message;
import org.ptsingest.service.persistence.jooq.tables.records.ManualReportRecord;
import org.ptsingest.service.report.SelfReporters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Ops decide an owner's correction request (an owner cannot change an accepted reading): ADJUSTED, when they set the
 * month's production by an adjustment or reprocessed the feed, or DECLINED; always with a reason. The decision is
 * kept with the request ({@code manual_report.correction_decision…}), audited ({@code ops_action}
 * DECIDE_CORRECTION) and told to the owner by e-mail ({@code CORRECTION_DECIDED}), in one transaction. The decision
 * itself changes no reading and no production: ops do that with the tools they already have, then record it here.
 */
@Service
public class CorrectionDecisions {
    private static final Logger log = LoggerFactory.getLogger(CorrectionDecisions.class);

    public enum Decision { ADJUSTED, DECLINED }

    /** Characters of a reason at most (as an owner's note). */
    static final int MAX_REASON = 2000;

    /** Why a decision was not recorded, in words for ops. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final DSLContext dsl;
    private final SelfReporters reporters;
    private final Outbox outbox;
    private final Clock clock;
    private final Texts texts;

    CorrectionDecisions(DSLContext dsl, SelfReporters reporters, Outbox outbox, Clock clock,
            IngestProperties properties) {
        this.dsl = dsl;
        this.reporters = reporters;
        this.outbox = outbox;
        this.clock = clock;
        this.texts = Texts.of(properties);
    }

    /**
     * Decides the request ops were shown: {@code requestedAt} is the request's time as the page showed it, so a
     * request the owner sent again meanwhile (another value, another reason) is not decided unseen.
     */
    @Transactional
    public void decide(String systemId, YearMonth month, Instant requestedAt, Decision decision, String reason,
            String user) {
        if (reason == null || reason.isBlank()) {
            throw new Refused("a reason is required: the owner reads it");
        }
        if (reason.strip().length() > MAX_REASON) {
            throw new Refused("the reason is the owner's to read: at most " + MAX_REASON + " characters");
        }
        ManualReportRecord report = dsl.selectFrom(MANUAL_REPORT)
                .where(MANUAL_REPORT.SYSTEM_ID.eq(systemId), MANUAL_REPORT.MONTH.eq(month.atDay(1)))
                .forUpdate().fetchOne();
        if (report == null || report.getCorrectionAt() == null) {
            throw new Refused("no correction of " + systemId + " " + month + " was requested");
        }
        if (!report.getCorrectionAt().toInstant().equals(requestedAt)) {
            throw new Refused("the owner sent another correction of " + systemId + " " + month
                    + " meanwhile; look at it first");
        }
        if (report.getCorrectionDecision() != null) {
            throw new Refused("the correction of " + systemId + " " + month + " was decided already ("
                    + report.getCorrectionDecision() + " by " + report.getCorrectionDecidedBy() + ")");
        }
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        String why = reason.strip();
        report.setCorrectionDecision(decision.name());
        report.setCorrectionDecidedAt(now);
        report.setCorrectionDecidedBy(user);
        report.setCorrectionReason(why);
        report.store();
        String requested = report.getCorrectionKwh().stripTrailingZeros().toPlainString();
        dsl.insertInto(OPS_ACTION).set(OPS_ACTION.USERNAME, user).set(OPS_ACTION.ACTION, "DECIDE_CORRECTION")
                .set(OPS_ACTION.TARGET, systemId + " " + month).set(OPS_ACTION.REASON, why)
                .set(OPS_ACTION.RESULT, decision.name() + " (" + requested + " kWh requested)").execute();
        SelfReporters.Account owner = reporters.account(report.getReporterId()).orElseThrow();
        Texts.Text t = texts.correctionDecided(owner.name(), systemId, month, requested,
                decision == Decision.ADJUSTED, why);
        long id = outbox.record(new Message(Kind.CORRECTION_DECIDED, owner.reporterId(), owner.email(), null,
                t.subject(), t.body(), null)).orElseThrow();
        log.info("{} decided the correction of {} {} ({} kWh requested by {}): {} (notification {})", user, systemId,
                month, requested, owner.reporterId(), decision, id);
    }
}
