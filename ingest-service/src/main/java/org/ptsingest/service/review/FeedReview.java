package org.ptsingest.service.review;

import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FLAG_DECISION;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.service.ingest.Deliveries;
import org.ptsingest.service.ingest.RawFeedArchive;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.ptsingest.service.persistence.jooq.tables.records.ReadingRecord;
import org.ptsingest.service.production.ProductionLedger;
import org.ptsingest.service.production.RevisionCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What ops do about feeds, deliveries and flagged readings — reprocess, dismiss, retry or discard a
 * delivery, approve or reject a reading — each
 * recorded in {@code ops_action} with who, when and why. The console and the API both call this.
 */
@Service
public class FeedReview {
    private static final Logger log = LoggerFactory.getLogger(FeedReview.class);

    /** An action that does not apply to its target; the message says why, for the console and the API. */
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

    public enum Decision { APPROVED, REJECTED }

    /** A reading by its key. */
    public record ReadingKey(String systemId, String meterSerial, OffsetDateTime readAt) {
        @Override
        public String toString() {
            return systemId + "/" + meterSerial + "@" + readAt.toInstant();
        }
    }

    /** A reprocess request: the delivery the worker judges; its feed supersedes the old one. */
    public record Reprocessed(long deliveryId) {}

    private final DSLContext dsl;
    private final Deliveries deliveries;
    private final RawFeedArchive archive;
    private final ProductionLedger production;

    public FeedReview(DSLContext dsl, Deliveries deliveries, RawFeedArchive archive, ProductionLedger production) {
        this.dsl = dsl;
        this.production = production;
        this.deliveries = deliveries;
        this.archive = archive;
    }

    /**
     * Asks for a rejected or partially accepted feed to be run again from its stored bytes, as received
     * then (same channel, file name and receipt time, so approval and future-reading rules judge it as
     * before) against today's registry and readings: readings already stored stay (they come back as
     * DUPLICATE), the rest are judged anew. Recorded as a delivery and judged by the delivery worker (a
     * large feed takes a while; the feed page shows its progress); the new feed supersedes the old one,
     * and an SFTP provider finds the new receipt in its receipts folder.
     */
    @Transactional
    public Reprocessed reprocess(long feedId, String user, String reason) throws IOException {
        requireReason(reason);
        FeedRecord feed = current(feedId);
        if (!feed.getStatus().equals("REJECTED") && !feed.getStatus().equals("PARTIALLY_ACCEPTED")) {
            throw new Refused("feed " + feedId + " is " + feed.getStatus() + "; only REJECTED and PARTIALLY_ACCEPTED "
                    + "feeds can be reprocessed", false);
        }
        Long pending = dsl.select(DELIVERY.DELIVERY_ID).from(DELIVERY)
                .where(DELIVERY.REPROCESS_OF.eq(feedId), DELIVERY.STATE.in("RECEIVED", "FAILED")).limit(1)
                .fetchOne(DELIVERY.DELIVERY_ID);
        if (pending != null) {
            throw new Refused("feed " + feedId + " is being reprocessed already (delivery " + pending + ")", false);
        }
        if (!archive.has(feed.getSha256())) {
            importLegacyBytes(feed);
        }
        long deliveryId = deliveries.receiveReprocess(feedId, feed.getProviderId(), Channel.valueOf(feed.getChannel()),
                FeedFormat.valueOf(feed.getFormat()), feed.getFileName(), feed.getSha256(), feed.getByteCount(),
                feed.getReceivedAt().toInstant(), user);
        audit(user, "REPROCESS", feedId, null, reason, "delivery " + deliveryId, deliveryId);
        log.info("{} asked to reprocess feed {} ({}): delivery {}", user, feedId, reason, deliveryId);
        return new Reprocessed(deliveryId);
    }

    /** Feeds received before the bytes moved into the database kept them in the local archive. */
    private void importLegacyBytes(FeedRecord feed) throws IOException {
        Path raw = feed.getRawLocation() == null ? null : Path.of(feed.getRawLocation());
        if (raw == null || !Files.exists(raw)) {
            throw new Refused("the raw bytes of feed " + feed.getFeedId() + " are not stored"
                    + (raw == null ? "" : " (nor at " + raw + ")"), false);
        }
        RawFeedArchive.Digest digest = archive.digest(raw);
        if (!digest.sha256().equals(feed.getSha256())) {
            throw new Refused("the archived file of feed " + feed.getFeedId() + " at " + raw + " does not have its "
                    + "SHA-256", false);
        }
        archive.store(raw, digest);
    }

    /**
     * Ops retry a FAILED or QUARANTINED delivery after fixing the cause: its attempts start again and it
     * is due at once (the worker takes it).
     */
    @Transactional
    public void retryDelivery(long deliveryId, String user, String reason) {
        requireReason(reason);
        DeliveryRecord d = needsOps(deliveryId);
        d.setState(DeliveryState.FAILED.name());
        d.setAttempts(0);
        d.setNextAttemptAt(OffsetDateTime.now(ZoneOffset.UTC));
        d.setUpdatedAt(OffsetDateTime.now(ZoneOffset.UTC));
        d.store();
        audit(user, "RETRY_DELIVERY", null, "delivery " + deliveryId, reason, null, deliveryId);
        log.info("{} retried delivery {} ({})", user, deliveryId, reason);
    }

    /** Ops give up on a FAILED or QUARANTINED delivery; it stays, DISCARDED, with the reason. */
    @Transactional
    public void discardDelivery(long deliveryId, String user, String reason) {
        requireReason(reason);
        DeliveryRecord d = needsOps(deliveryId);
        d.setState(DeliveryState.DISCARDED.name());
        d.setDiscardReason(reason.strip());
        d.setNextAttemptAt(null);
        d.setUpdatedAt(OffsetDateTime.now(ZoneOffset.UTC));
        d.store();
        audit(user, "DISCARD_DELIVERY", null, "delivery " + deliveryId, reason, null, deliveryId);
        log.info("{} discarded delivery {} ({})", user, deliveryId, reason);
    }

    private DeliveryRecord needsOps(long deliveryId) {
        DeliveryRecord d = dsl.selectFrom(DELIVERY).where(DELIVERY.DELIVERY_ID.eq(deliveryId)).forNoKeyUpdate().fetchOne();
        if (d == null) {
            throw new Refused("delivery " + deliveryId + " does not exist", true);
        }
        if (!d.getState().equals(DeliveryState.FAILED.name()) && !d.getState().equals(DeliveryState.QUARANTINED.name())) {
            throw new Refused("delivery " + deliveryId + " is " + d.getState() + "; only FAILED and QUARANTINED "
                    + "deliveries can be retried or discarded", false);
        }
        return d;
    }

    @Transactional
    public void dismiss(long feedId, String user, String reason) {
        requireReason(reason);
        FeedRecord feed = current(feedId);
        if (feed.getDismissedAt() != null) {
            throw new Refused("feed " + feedId + " was dismissed already", false);
        }
        feed.setDismissedAt(OffsetDateTime.now(ZoneOffset.UTC));
        feed.store();
        audit(user, "DISMISS", feedId, null, reason, null);
        log.info("{} dismissed feed {} ({})", user, feedId, reason);
    }

    /** Approve (it stays, flag kept as history) or reject (it leaves reading, kept in flag_decision). */
    @Transactional
    public void decide(ReadingKey key, Decision decision, String user, String reason) {
        requireReason(reason);
        ReadingRecord reading = dsl.selectFrom(READING)
                .where(READING.SYSTEM_ID.eq(key.systemId()), READING.METER_SERIAL.eq(key.meterSerial()),
                        READING.READ_AT.eq(key.readAt()))
                .forUpdate().fetchOne();
        if (reading == null) {
            throw new Refused("no stored reading " + key, true);
        }
        if (reading.getFlag() == null) {
            throw new Refused("reading " + key + " is not flagged", false);
        }
        if (dsl.fetchExists(FLAG_DECISION, FLAG_DECISION.SYSTEM_ID.eq(key.systemId()),
                FLAG_DECISION.METER_SERIAL.eq(key.meterSerial()), FLAG_DECISION.READ_AT.eq(key.readAt()))) {
            throw new Refused("reading " + key + " was decided already", false);
        }
        dsl.insertInto(FLAG_DECISION)
                .set(FLAG_DECISION.SYSTEM_ID, key.systemId())
                .set(FLAG_DECISION.METER_SERIAL, key.meterSerial())
                .set(FLAG_DECISION.READ_AT, key.readAt())
                .set(FLAG_DECISION.REGISTER_KWH, reading.getRegisterKwh())
                .set(FLAG_DECISION.FEED_ID, reading.getFeedId())
                .set(FLAG_DECISION.FLAG, reading.getFlag())
                .set(FLAG_DECISION.DECISION, decision.name())
                .set(FLAG_DECISION.DECIDED_BY, user)
                .set(FLAG_DECISION.REASON, reason)
                .execute();
        if (decision == Decision.REJECTED) {
            reading.delete(); // out of the production figures; its value stays in flag_decision
            production.systemsChanged(List.of(key.systemId()), RevisionCause.OPS, "REJECT_READING " + key);
        }
        audit(user, decision == Decision.APPROVED ? "APPROVE_READING" : "REJECT_READING", reading.getFeedId(),
                key.toString(), reason, null);
        log.info("{} {} flagged reading {} ({})", user, decision, key, reason);
    }

    /** The feed as ops see it: it must exist and not have been superseded by a reprocess. */
    private FeedRecord current(long feedId) {
        FeedRecord feed = dsl.fetchOne(FEED, FEED.FEED_ID.eq(feedId));
        if (feed == null) {
            throw new Refused("feed " + feedId + " does not exist", true);
        }
        if (feed.getSupersededBy() != null) {
            throw new Refused("feed " + feedId + " was reprocessed as feed " + feed.getSupersededBy()
                    + "; act on that one", false);
        }
        return feed;
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new Refused("a reason is required", false);
        }
    }

    private void audit(String user, String action, Long feedId, String target, String reason, String result) {
        audit(user, action, feedId, target, reason, result, null);
    }

    private void audit(String user, String action, Long feedId, String target, String reason, String result,
            Long deliveryId) {
        dsl.insertInto(OPS_ACTION)
                .set(OPS_ACTION.DELIVERY_ID, deliveryId)
                .set(OPS_ACTION.USERNAME, user)
                .set(OPS_ACTION.ACTION, action)
                .set(OPS_ACTION.FEED_ID, feedId)
                .set(OPS_ACTION.TARGET, target)
                .set(OPS_ACTION.REASON, reason.strip())
                .set(OPS_ACTION.RESULT, result)
                .execute();
    }
}
