package org.ptsingest.pipeline;

import org.ptsingest.feed.Channel;

/**
 * A delivery arrived under the identity (channel and source key) of one already committed, but with
 * other bytes: an AS2 Message-ID reused for new content, say. It is not a retry — answering it as one
 * would acknowledge (in a signed MDN) content that was never kept — and it cannot be a new feed under
 * the same identity. Nothing is stored; the channel refuses it.
 */
public class DeliveryIdentityConflict extends RuntimeException {
    private final long committedFeedId;

    public DeliveryIdentityConflict(Channel channel, String sourceKey, long committedFeedId) {
        super(channel + " delivery " + sourceKey + " was already received as feed " + committedFeedId
                + " with other content; a delivery's identity cannot be reused for new content");
        this.committedFeedId = committedFeedId;
    }

    public long committedFeedId() {
        return committedFeedId;
    }
}
