package org.ptsingest.pipeline;

import org.ptsingest.feed.Channel;

/**
 * A delivery arrived under the identity of one already received, but with other bytes: an AS2
 * Message-ID reused for new content, say. It is not a retry — answering it as one would acknowledge
 * (in a signed MDN) content that was never kept — and it cannot be a new delivery under the same
 * identity. Nothing is stored; the channel refuses it.
 */
public class DeliveryIdentityConflict extends RuntimeException {
    private final long firstDeliveryId;

    public DeliveryIdentityConflict(Channel channel, DeliveryKey key, long firstDeliveryId) {
        super(channel + " delivery " + key + " was already received as delivery " + firstDeliveryId
                + " with other content; a delivery's identity cannot be reused for new content");
        this.firstDeliveryId = firstDeliveryId;
    }

    public long firstDeliveryId() {
        return firstDeliveryId;
    }
}
