package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * Moves an SFTP delivery that could not be processed into {providerId}/quarantine/: the bytes as
 * received under the file's name, and {@code <file>.error.json} beside them ({@link QuarantineNotice}:
 * why, how often it was tried, what happens next). In: the delivery's bytes as body (a file or a
 * stream), its {@code FeedResult} in {@value IngestFeedRoute#RESULT}, the provider in
 * {@value SftpDeliveries#PROVIDER_ID} and the file name in {@value SftpDeliveries#FEED_FILE_NAME}.
 */
@Component
public class SftpQuarantineRoute extends RouteBuilder {
    public static final String ENDPOINT = "direct:sftpQuarantine";
    public static final String ROUTE_ID = "sftp-quarantine";
    /** Exchange property: the local file with the delivery's bytes. */
    public static final String CONTENT = "ptsContent";
    /** Bean with {@code handOver(long deliveryId)}: the channel stops waiting, the worker answers. */
    public static final String HAND_OVER = "deliveryHandOver";
    static final String QUARANTINE_FILE_NAME = "ptsQuarantineFileName";

    private final IngestProperties properties;

    public SftpQuarantineRoute(IngestProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        from(ENDPOINT).routeId(ROUTE_ID)
                .setHeader(QUARANTINE_FILE_NAME, method(SftpDeliveries.class,
                        "quarantineFileName(${header." + SftpDeliveries.FEED_FILE_NAME + "})"))
                .to(SftpEndpoints.quarantine(properties)).id("quarantine-bytes")
                .setBody(method(QuarantineNotice.class, "json(${header." + IngestFeedRoute.RESULT + "})"))
                .setHeader(QUARANTINE_FILE_NAME, simple("${header." + QUARANTINE_FILE_NAME + "}.error.json"))
                .to(SftpEndpoints.quarantine(properties)).id("quarantine-notice")
                .bean(HAND_OVER, "handOver(${header." + IngestFeedRoute.DELIVERY_ID + "})")
                .log(LoggingLevel.WARN, "delivery ${header." + IngestFeedRoute.DELIVERY_ID + "} moved to ${header."
                        + SftpDeliveries.PROVIDER_ID + "}/quarantine/${header." + QUARANTINE_FILE_NAME + "}");
    }
}
