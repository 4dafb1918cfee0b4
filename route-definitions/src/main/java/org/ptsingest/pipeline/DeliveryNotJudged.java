package org.ptsingest.pipeline;

/**
 * Thrown by a channel that can only answer a judged delivery in its normal flow (AS2's MDN), to leave
 * that flow for the answer of a delivery that is not judged: FAILED (retried), QUARANTINED or DISCARDED.
 * Expected, not an error: routes do not log it as one.
 */
public class DeliveryNotJudged extends RuntimeException {
    private final transient FeedResult result;

    public DeliveryNotJudged(FeedResult result) {
        super("delivery " + result.deliveryId() + " is " + result.state() + ": " + result.error());
        this.result = result;
    }

    public FeedResult result() {
        return result;
    }
}
