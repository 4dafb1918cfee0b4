package org.ptsingest.service.production;

import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_ADJUSTMENT;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What ops do to the ledger: set or remove a month's adjustment, rebuild it all. Each is recorded in
 * {@code ops_action} (who, when, why), and the revisions it causes name that action.
 */
@Component
public class ProductionOps {
    /** numeric(18,3): 15 digits before the point. */
    private static final BigDecimal MAX_KWH = new BigDecimal("1e15");

    private final DSLContext dsl;
    private final ProductionLedger ledger;

    ProductionOps(DSLContext dsl, ProductionLedger ledger) {
        this.dsl = dsl;
        this.ledger = ledger;
    }

    /** Ops refused the request: {@code notFound} for an unknown system or no adjustment to remove. */
    public static final class Refused extends RuntimeException {
        private final boolean notFound;

        Refused(String message, boolean notFound) {
            super(message);
            this.notFound = notFound;
        }

        public boolean notFound() {
            return notFound;
        }
    }

    /** Sets (or replaces) a month's production; it stands until removed. Recomputed at once. */
    @Transactional
    public void setAdjustment(String systemId, YearMonth month, BigDecimal kwh, String user, String reason) {
        requireSystem(systemId);
        requireReason(reason);
        if (kwh == null || kwh.signum() < 0 || kwh.abs().compareTo(MAX_KWH) >= 0 || kwh.stripTrailingZeros().scale() > 3) {
            throw new Refused("kwh must be a number from 0 with at most 3 decimals, is " + kwh, false);
        }
        ledger.lockSystem(systemId);
        long action = audit(user, "SET_PRODUCTION", systemId + " " + month, reason, kwh.toPlainString() + " kWh");
        removeInForce(systemId, month, user, "replaced by ops action " + action);
        dsl.insertInto(PRODUCTION_ADJUSTMENT)
                .set(PRODUCTION_ADJUSTMENT.SYSTEM_ID, systemId)
                .set(PRODUCTION_ADJUSTMENT.MONTH, month.atDay(1))
                .set(PRODUCTION_ADJUSTMENT.KWH, kwh)
                .set(PRODUCTION_ADJUSTMENT.REASON, reason.strip())
                .set(PRODUCTION_ADJUSTMENT.SET_BY, user)
                .execute();
        ledger.recompute(List.of(systemId), RevisionCause.OPS, Long.toString(action));
    }

    /** Removes the adjustment in force: the month takes its computed value again. */
    @Transactional
    public void removeAdjustment(String systemId, YearMonth month, String user, String reason) {
        requireSystem(systemId);
        requireReason(reason);
        ledger.lockSystem(systemId);
        long action = audit(user, "REMOVE_PRODUCTION", systemId + " " + month, reason, null);
        if (removeInForce(systemId, month, user, reason.strip()) == 0) {
            throw new Refused("no adjustment of " + systemId + " " + month + " is in force", true);
        }
        ledger.recompute(List.of(systemId), RevisionCause.OPS, Long.toString(action));
    }

    /**
     * Recomputes every system from the readings; only what differs gets a revision, naming this action (the
     * audit row is written first, and ops_action rows are never updated: the counts are answered and logged).
     */
    public ProductionLedger.Changes rebuild(String user, String reason) {
        requireReason(reason);
        long action = audit(user, "REBUILD_PRODUCTION", null, reason, null);
        return ledger.rebuild(Long.toString(action));
    }

    private int removeInForce(String systemId, YearMonth month, String user, String reason) {
        return dsl.update(PRODUCTION_ADJUSTMENT)
                .set(PRODUCTION_ADJUSTMENT.REMOVED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                .set(PRODUCTION_ADJUSTMENT.REMOVED_BY, user)
                .set(PRODUCTION_ADJUSTMENT.REMOVED_REASON, reason)
                .where(PRODUCTION_ADJUSTMENT.SYSTEM_ID.eq(systemId), PRODUCTION_ADJUSTMENT.MONTH.eq(month.atDay(1)),
                        PRODUCTION_ADJUSTMENT.REMOVED_AT.isNull())
                .execute();
    }

    private void requireSystem(String systemId) {
        if (!dsl.fetchExists(PTS_SYSTEM, PTS_SYSTEM.SYSTEM_ID.eq(systemId))) {
            throw new Refused("system " + systemId + " does not exist", true);
        }
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new Refused("a reason is required", false);
        }
    }

    long audit(String user, String action, String target, String reason, String result) {
        return dsl.insertInto(OPS_ACTION)
                .set(OPS_ACTION.USERNAME, user)
                .set(OPS_ACTION.ACTION, action)
                .set(OPS_ACTION.TARGET, target)
                .set(OPS_ACTION.REASON, reason.strip())
                .set(OPS_ACTION.RESULT, result)
                .returning(OPS_ACTION.ACTION_ID).fetchOne().getActionId();
    }
}
