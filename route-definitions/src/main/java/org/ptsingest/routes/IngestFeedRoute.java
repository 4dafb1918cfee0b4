package org.ptsingest.routes;

import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.pipeline.FeedPipeline;
import org.springframework.stereotype.Component;

/**
 * The channel-independent part, shared by every channel: a {@code FeedDelivery} in, the receipt (as a
 * file) out, with the feed id, status and rejection code in headers.
 */
@Component
public class IngestFeedRoute extends RouteBuilder {
    public static final String ENDPOINT = "direct:ingestFeed";
    public static final String ROUTE_ID = "ingest-feed";
    public static final String FEED_ID = "ptsFeedId";
    public static final String REJECTION_CODE = "ptsRejectionCode";
    public static final String FEED_STATUS = "ptsFeedStatus";
    /** true when the delivery had already been committed: a retry, answered with the original result */
    public static final String RETRIED = "ptsRetried";

    @Override
    public void configure() {
        from(ENDPOINT).routeId(ROUTE_ID)
                .bean(FeedPipeline.class, "ingest").id("judge-and-store")
                .setHeader(FEED_ID, simple("${body.feedId}"))
                .setHeader(REJECTION_CODE, simple("${body.rejectionCode}"))
                .setHeader(FEED_STATUS, simple("${body.status}"))
                .setHeader(RETRIED, simple("${body.retried}"))
                .choice()
                    // a dry run stored nothing: its receipt was rendered before the rollback
                    .when(simple("${body.dryRunReceipt} != null")).setBody(simple("${body.dryRunReceipt}"))
                    .otherwise().bean(ReceiptFiles.class, "render(${header." + FEED_ID + "})").id("render-receipt")
                .end();
    }
}
