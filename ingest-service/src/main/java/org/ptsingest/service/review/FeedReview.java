package org.ptsingest.service.review;

import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FLAG_DECISION;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.routes.IngestFeedRoute;
import org.ptsingest.routes.ReprocessFeedRoute;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.ptsingest.service.persistence.jooq.tables.records.ReadingRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What ops do about feeds and flagged readings — reprocess, dismiss, approve or reject — each
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

    /** @param receipt how the provider gets the new receipt */
    public record Reprocessed(long feedId, String status, String receipt) {}

    private final DSLContext dsl;
    private final ProducerTemplate camel;
    private final Path workDir;

    public FeedReview(DSLContext dsl, ProducerTemplate camel, IngestProperties properties) {
        this.dsl = dsl;
        this.camel = camel;
        this.workDir = properties.workDir().resolve("reprocess");
    }

    /**
     * Runs a rejected or partially accepted feed again from its archived bytes, as received then
     * (same channel, file name and receipt time, so approval and future-reading rules judge it as
     * before) against today's registry and readings: readings already stored stay (they come back
     * as DUPLICATE), the rest are judged anew. The new feed supersedes the old one.
     */
    public Reprocessed reprocess(long feedId, String user, String reason) throws IOException {
        requireReason(reason);
        FeedRecord feed = current(feedId);
        if (!feed.getStatus().equals("REJECTED") && !feed.getStatus().equals("PARTIALLY_ACCEPTED")) {
            throw new Refused("feed " + feedId + " is " + feed.getStatus() + "; only REJECTED and PARTIALLY_ACCEPTED "
                    + "feeds can be reprocessed", false);
        }
        Path raw = Path.of(feed.getRawLocation());
        if (!Files.exists(raw)) {
            throw new Refused("the raw bytes of feed " + feedId + " are missing at " + raw, false);
        }
        Files.createDirectories(workDir);
        Path copy = Files.createTempFile(workDir, "feed-" + feedId + "-", ".raw");
        try {
            Files.copy(raw, copy, StandardCopyOption.REPLACE_EXISTING);
            FeedDelivery delivery = new FeedDelivery(feed.getProviderId(), Channel.valueOf(feed.getChannel()),
                    FeedFormat.valueOf(feed.getFormat()), feed.getFileName(),
                    feed.getSourceKey() + "#reprocess@" + Instant.now(), copy, feed.getReceivedAt().toInstant(), false,
                    feedId);
            Exchange done = camel.send(ReprocessFeedRoute.ENDPOINT, e -> e.getMessage().setBody(delivery));
            if (done.getException() != null) {
                throw new IOException("reprocessing feed " + feedId + " failed: " + done.getException().getMessage(),
                        done.getException());
            }
            long newId = done.getMessage().getHeader(IngestFeedRoute.FEED_ID, Long.class);
            String status = done.getMessage().getHeader(IngestFeedRoute.FEED_STATUS, String.class);
            String receipt = done.getMessage().getHeader(ReprocessFeedRoute.RECEIPT_DELIVERY, String.class);
            audit(user, "REPROCESS", feedId, null, reason, "feed " + newId + " " + status + "; receipt " + receipt);
            log.info("{} reprocessed feed {} as feed {}: {} ({}); receipt {}", user, feedId, newId, status, reason, receipt);
            return new Reprocessed(newId, status, receipt);
        } finally {
            Files.deleteIfExists(copy);
        }
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
        dsl.insertInto(OPS_ACTION)
                .set(OPS_ACTION.USERNAME, user)
                .set(OPS_ACTION.ACTION, action)
                .set(OPS_ACTION.FEED_ID, feedId)
                .set(OPS_ACTION.TARGET, target)
                .set(OPS_ACTION.REASON, reason.strip())
                .set(OPS_ACTION.RESULT, result)
                .execute();
    }
}
