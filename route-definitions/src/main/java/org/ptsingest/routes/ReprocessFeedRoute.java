package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * Ops run a feed again (after fixing the registry): the archived bytes go through the same ingest
 * route as a new feed that supersedes the old one, and the provider gets the new receipt the way it
 * got the first — an SFTP feed's receipt replaces the old one in its receipts folder; HTTPS and AS2
 * providers read it from the API, where the old feed's receipt now answers with the new one.
 */
@Component
public class ReprocessFeedRoute extends RouteBuilder {
    public static final String ENDPOINT = "direct:reprocessFeed";
    public static final String ROUTE_ID = "reprocess-feed";
    /** How the provider gets the new receipt, for ops. */
    public static final String RECEIPT_DELIVERY = "ptsReceiptDelivery";

    private final IngestProperties properties;

    public ReprocessFeedRoute(IngestProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        from(ENDPOINT).routeId(ROUTE_ID)
                .setHeader(SftpDeliveries.PROVIDER_ID, simple("${body.providerId}"))
                .setHeader(SftpDeliveries.FEED_FILE_NAME, simple("${body.fileName}"))
                .setHeader(SftpDeliveries.RECEIPT_FILE_NAME,
                        method(SftpDeliveries.class, "receiptFileName(${body.fileName})"))
                .setProperty("ptsChannel", simple("${body.channel}"))
                .to(IngestFeedRoute.ENDPOINT).id("reprocess-ingest")
                .choice()
                    .when(exchangeProperty("ptsChannel").isEqualTo("SFTP"))
                        // The new feed is committed whatever happens here: a failed upload is reported to
                        // ops (and the receipt stays on the API), not turned into a failed reprocess.
                        .doTry()
                            .to(SftpEndpoints.receipts(properties)).id("reprocess-write-receipt")
                            .setHeader(RECEIPT_DELIVERY, constant("written to the provider's SFTP receipts folder"))
                        .doCatch(Exception.class)
                            .setHeader(RECEIPT_DELIVERY, simple("SFTP upload failed (${exception.message}); "
                                    + "the receipt is on the API"))
                            .log(LoggingLevel.WARN, "receipt of reprocessed feed ${header.ptsFeedId}: ${header."
                                    + RECEIPT_DELIVERY + "}")
                        .end().endChoice()
                    .otherwise()
                        .setHeader(RECEIPT_DELIVERY, constant("on the API; the old feed's receipt URL answers with it"))
                .end()
                .bean(ReceiptFiles.class, "discard(${header." + IngestFeedRoute.FEED_ID + "})");
    }
}
