package org.ptsingest.feed;

import java.util.Map;

/** Outcome of a whole feed, as the receipt states it. */
public enum FeedStatus {
    /** No reading was rejected (duplicates and flagged readings allowed). */
    ACCEPTED,
    /** Some readings were rejected, not all. */
    PARTIALLY_ACCEPTED,
    /** Rejected whole (feed-level code), or every reading was rejected. */
    REJECTED,
    /** The provider sent exactly these bytes before; nothing processed. */
    DUPLICATE_FEED;

    /** Status of a feed whose readings were judged one by one, from its per-code counts. */
    public static FeedStatus fromReadingCounts(Map<OutcomeCode, Integer> counts) {
        long rejected = 0;
        long total = 0;
        for (Map.Entry<OutcomeCode, Integer> e : counts.entrySet()) {
            total += e.getValue();
            if (e.getKey().rejects()) {
                rejected += e.getValue();
            }
        }
        if (rejected == 0) {
            return ACCEPTED;
        }
        return rejected == total ? REJECTED : PARTIALLY_ACCEPTED;
    }
}
