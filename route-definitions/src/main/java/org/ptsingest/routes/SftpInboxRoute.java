package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * SFTP channel: provider drops {providerId}/inbox/{file} → feed pipeline →
 * {providerId}/receipts/{file}.receipt.json. Any failure (database down, SFTP write failed) leaves
 * the file in the inbox and releases its claim, so a later poll retries it (when the database is too
 * far gone to release the claim, the claim repository's next poll takes its own unfinished claim back);
 * the pipeline recognises a delivery it already committed and only re-sends the receipt.
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
                .bean(SftpDeliveries.class, "delivery").id("to-delivery")
                .log(LoggingLevel.INFO, "picked up ${header." + SftpDeliveries.LOGGED_PATH
                        + "} (${header.CamelFileLength} bytes)")
                .to(IngestFeedRoute.ENDPOINT).id("ingest")
                // The receipt path goes in the producer's fileName option, not in the CamelFileName header:
                // the consumer re-evaluates the claim key from the final headers when it confirms the claim.
                .doTry()
                    .to(SftpEndpoints.receipts(properties)).id("write-receipt")
                .doCatch(GenericFileOperationFailedException.class)
                    // Something that is not a file holds the receipt's name (providers cannot make one; a
                    // host user or an external server can): answer beside it rather than retry forever.
                    .setHeader(SftpDeliveries.RECEIPT_FILE_NAME, method(SftpDeliveries.class,
                            "fallbackReceiptFileName(${header." + SftpDeliveries.RECEIPT_FILE_NAME + "}, ${header."
                                    + IngestFeedRoute.FEED_ID + "})"))
                    .log(LoggingLevel.WARN, "receipt for ${header." + SftpDeliveries.LOGGED_PATH + "} could not be "
                            + "written (${exception.message}); writing it as ${header." + SftpDeliveries.RECEIPT_FILE_NAME + "}")
                    .to(SftpEndpoints.receipts(properties)).id("write-fallback-receipt")
                .end()
                .bean(ReceiptFiles.class, "discard(${header." + IngestFeedRoute.FEED_ID + "})").id("discard-receipt-file")
                .log(LoggingLevel.INFO, "receipt for ${header." + SftpDeliveries.LOGGED_PATH
                        + "} written (feed ${header.ptsFeedId})");
    }
}
