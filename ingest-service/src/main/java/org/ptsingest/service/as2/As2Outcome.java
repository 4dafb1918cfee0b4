package org.ptsingest.service.as2;

import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;

/**
 * What became of an admitted AS2 message, as its MDN reports it: {@code processed} once the feed is
 * stored and judged (rejected readings are the receipt's business); {@code processed/error: CODE}
 * when the feed was rejected whole; {@code processed/warning: DUPLICATE_FEED} for bytes already received.
 *
 * @param modifier the disposition modifier, {@code null} for a plain {@code processed}
 */
public record As2Outcome(long feedId, FeedStatus status, OutcomeCode rejectionCode, boolean replay, String modifier) {

    public static As2Outcome of(long feedId, FeedStatus status, OutcomeCode rejectionCode, boolean replay) {
        String modifier = null;
        if (status == FeedStatus.DUPLICATE_FEED) {
            modifier = "warning: " + OutcomeCode.DUPLICATE_FEED.name();
        } else if (rejectionCode != null) {
            modifier = "error: " + rejectionCode.name();
        }
        return new As2Outcome(feedId, status, rejectionCode, replay, modifier);
    }
}
