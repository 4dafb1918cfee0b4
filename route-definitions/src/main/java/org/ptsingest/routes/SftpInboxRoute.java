package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * SFTP channel: provider drops {providerId}/inbox/{file} → feed pipeline →
 * {providerId}/receipts/{file}.receipt.json. Any failure (database down, SFTP write failed) leaves
 * the file in the inbox and releases its claim, so a later poll retries it; the pipeline recognises
 * a delivery it already committed and only re-sends the receipt.
 */
@Component
public class SftpInboxRoute extends RouteBuilder {
    public static final String ROUTE_ID = "sftp-inbox";

    private final IngestProperties properties;

    public SftpInboxRoute(IngestProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        from(SftpEndpoints.inbox(properties)).routeId(ROUTE_ID)
                .log(LoggingLevel.INFO, "picked up ${header.CamelFileName} (${header.CamelFileLength} bytes)")
                .bean(SftpDeliveries.class, "delivery").id("to-delivery")
                .to(IngestFeedRoute.ENDPOINT).id("ingest")
                // The receipt path goes in the producer's fileName option, not in the CamelFileName header:
                // the consumer re-evaluates the claim key from the final headers when it confirms the claim.
                .to(SftpEndpoints.receipts(properties)).id("write-receipt")
                .bean(ReceiptFiles.class, "discard(${header." + IngestFeedRoute.FEED_ID + "})").id("discard-receipt-file")
                .log(LoggingLevel.INFO, "receipt for ${header.CamelFileName} written (feed ${header.ptsFeedId})");
    }
}
