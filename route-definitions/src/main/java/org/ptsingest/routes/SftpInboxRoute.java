package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * SFTP channel: provider drops {providerId}/inbox/{file} → the delivery is recorded with its bytes
 * and judged → {providerId}/receipts/{file}.receipt.json, and the file leaves the inbox. A file larger than
 * {@code ingest.sftp.async-above} is only recorded here and leaves the inbox: the delivery worker judges it and
 * writes the receipt, and the route goes on to the next file. When judging
 * failed for a reason that is not the file's, the file still leaves the inbox (its bytes are recorded):
 * the delivery worker retries it, and writes the receipt when it succeeds, or moves it to
 * {providerId}/quarantine/ with an {@code .error.json} after the last attempt. When the delivery cannot
 * even be recorded (the database is down), the file stays in the inbox and its claim is released, so a
 * later poll offers it again (when the database is too far gone to release the claim, the claim
 * repository's next poll takes its own unfinished claim back); a delivery recorded before is recognised
 * and not judged twice.
 */
@Component
public class SftpInboxRoute extends RouteBuilder {
    public static final String ROUTE_ID = "sftp-inbox";
    private static final String RECEIPT = "direct:sftpInboxReceipt";

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
                .setProperty(SftpQuarantineRoute.CONTENT, simple("${body.content}"))
                .to(IngestFeedRoute.ENDPOINT).id("ingest")
                .choice()
                    .when(header(IngestFeedRoute.DELIVERY_STATE).isEqualTo("JUDGED"))
                        .to(RECEIPT).id("answer-receipt")
                    .when(header(IngestFeedRoute.DELIVERY_STATE).isEqualTo("RECEIVED"))
                        // A large file (ingest.sftp.async-above), recorded and handed to the delivery worker, which
                        // judges it and writes the receipt; the file leaves the inbox and the route takes the next.
                        .log(LoggingLevel.INFO, "${header." + SftpDeliveries.LOGGED_PATH + "}: delivery ${header."
                                + IngestFeedRoute.DELIVERY_ID + "} recorded; the delivery worker judges it and writes "
                                + "the receipt")
                    .when(header(IngestFeedRoute.DELIVERY_STATE).isEqualTo("FAILED"))
                        // Recorded with its bytes: the worker retries it and answers; the file leaves the inbox.
                        .bean(SftpQuarantineRoute.HAND_OVER, "handOver(${header." + IngestFeedRoute.DELIVERY_ID
                                + "})").id("hand-over")
                        .log(LoggingLevel.WARN, "${header." + SftpDeliveries.LOGGED_PATH + "}: delivery ${header."
                                + IngestFeedRoute.DELIVERY_ID + "} failed (${body.error}); retried from its "
                                + "recorded bytes at ${body.nextAttemptAt}")
                    .otherwise()
                        // QUARANTINED at once (ingest.delivery.max-attempts = 1) or DISCARDED by ops already.
                        .setBody(exchangeProperty(SftpQuarantineRoute.CONTENT))
                        .to(SftpQuarantineRoute.ENDPOINT).id("quarantine")
                .end();

        from(RECEIPT).routeId(ROUTE_ID + "-receipt")
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
                        + "} written (feed ${header." + IngestFeedRoute.FEED_ID + "})");
    }
}
