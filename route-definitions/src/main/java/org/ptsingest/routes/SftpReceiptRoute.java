package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * The receipt of an SFTP delivery judged in the background — a reprocess, or a quarantined file ops
 * retried — written to the provider's receipts folder as the inbox route would have written it. In:
 * the feed id ({@value IngestFeedRoute#FEED_ID}), provider ({@value SftpDeliveries#PROVIDER_ID}) and
 * file name ({@value SftpDeliveries#FEED_FILE_NAME}) headers. The feed is committed whatever happens
 * here: a failed upload is logged, and the receipt stays on the API.
 */
@Component
public class SftpReceiptRoute extends RouteBuilder {
    public static final String ENDPOINT = "direct:sftpReceipt";
    public static final String ROUTE_ID = "sftp-receipt";

    private final IngestProperties properties;

    public SftpReceiptRoute(IngestProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        from(ENDPOINT).routeId(ROUTE_ID)
                .setHeader(SftpDeliveries.RECEIPT_FILE_NAME,
                        method(SftpDeliveries.class, "receiptFileName(${header." + SftpDeliveries.FEED_FILE_NAME + "})"))
                .bean(ReceiptFiles.class, "render(${header." + IngestFeedRoute.FEED_ID + "})").id("render-background-receipt")
                .doTry()
                    .to(SftpEndpoints.receipts(properties)).id("write-background-receipt")
                    .log(LoggingLevel.INFO, "receipt of feed ${header." + IngestFeedRoute.FEED_ID + "} written to "
                            + "${header." + SftpDeliveries.PROVIDER_ID + "}/receipts")
                .doCatch(Exception.class)
                    .log(LoggingLevel.WARN, "receipt of feed ${header." + IngestFeedRoute.FEED_ID + "} not written "
                            + "to SFTP (${exception.message}); it is on the API")
                .end()
                .bean(ReceiptFiles.class, "discard(${header." + IngestFeedRoute.FEED_ID + "})");
    }
}
