package org.ptsingest.pipeline;

import java.nio.file.Path;
import java.time.Instant;
import org.ptsingest.feed.FeedStatus;

/**
 * What became of a delivery: judged into a feed, or not (yet).
 *
 * @param deliveryId the stored delivery record (0 for a dry run, which stores nothing)
 * @param state JUDGED when it has its feed; FAILED (retried at {@code nextAttemptAt}), QUARANTINED or
 *     DISCARDED when it has none, and then {@code feedId}, {@code status} are null and {@code error} says why
 * @param retried true when this delivery had already been judged (a retry after a crash or lost receipt)
 * @param rejectionCode the feed-level code when the feed was rejected whole or is a duplicate, else null
 * @param dryRunReceipt for a dry run, the receipt rendered before everything was rolled back; else null
 */
public record FeedResult(long deliveryId, DeliveryState state, Long feedId, String providerId, String fileName,
        FeedStatus status, boolean retried, String rejectionCode, Path dryRunReceipt, Instant nextAttemptAt,
        String error) {

    public static FeedResult judged(long deliveryId, long feedId, String providerId, String fileName,
            FeedStatus status, boolean retried, String rejectionCode) {
        return new FeedResult(deliveryId, DeliveryState.JUDGED, feedId, providerId, fileName, status, retried,
                rejectionCode, null, null, null);
    }

    public static FeedResult notJudged(long deliveryId, DeliveryState state, String providerId, String fileName,
            Instant nextAttemptAt, String error) {
        return new FeedResult(deliveryId, state, null, providerId, fileName, null, false, null, null, nextAttemptAt,
                error);
    }

    public boolean isJudged() {
        return state == DeliveryState.JUDGED;
    }

    public FeedResult withDryRunReceipt(Path receipt) {
        return new FeedResult(deliveryId, state, feedId, providerId, fileName, status, retried, rejectionCode, receipt,
                nextAttemptAt, error);
    }
}
