package org.ptsingest.routes;

import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.pipeline.FeedPipeline;
import org.springframework.stereotype.Component;

/**
 * The channel-independent part, shared by every channel: a {@code FeedDelivery} in; the delivery is
 * recorded and judged ({@link FeedPipeline#ingest}), and its {@code FeedResult} goes in the
 * {@value #RESULT} header. A judged delivery leaves with its receipt (as a file) for body, with the feed
 * id, status and rejection code in headers; one that could not be judged (FAILED, to be retried;
 * QUARANTINED; DISCARDED) leaves with its result for body, and each channel answers that in its own way.
 */
@Component
public class IngestFeedRoute extends RouteBuilder {
    public static final String ENDPOINT = "direct:ingestFeed";
    public static final String ROUTE_ID = "ingest-feed";
    /** The delivery's {@code FeedResult}. */
    public static final String RESULT = "ptsFeedResult";
    public static final String DELIVERY_ID = "ptsDeliveryId";
    /** The delivery's {@code DeliveryState}: JUDGED, or why it has no feed. */
    public static final String DELIVERY_STATE = "ptsDeliveryState";
    public static final String FEED_ID = "ptsFeedId";
    public static final String REJECTION_CODE = "ptsRejectionCode";
    public static final String FEED_STATUS = "ptsFeedStatus";
    /** true when the delivery had already been committed: a retry, answered with the original result */
    public static final String RETRIED = "ptsRetried";

    @Override
    public void configure() {
        from(ENDPOINT).routeId(ROUTE_ID)
                .bean(FeedPipeline.class, "ingest").id("judge-and-store")
                .setHeader(RESULT, body())
                .setHeader(DELIVERY_ID, simple("${body.deliveryId}"))
                .setHeader(DELIVERY_STATE, simple("${body.state}"))
                .setHeader(FEED_ID, simple("${body.feedId}"))
                .setHeader(REJECTION_CODE, simple("${body.rejectionCode}"))
                .setHeader(FEED_STATUS, simple("${body.status}"))
                .setHeader(RETRIED, simple("${body.retried}"))
                .choice()
                    // a dry run stored nothing: its receipt was rendered before the rollback
                    .when(simple("${body.dryRunReceipt} != null")).setBody(simple("${body.dryRunReceipt}"))
                    .when(simple("${body.state} == 'JUDGED'"))
                        .bean(ReceiptFiles.class, "render(${header." + FEED_ID + "})").id("render-receipt")
                .end();
    }
}
