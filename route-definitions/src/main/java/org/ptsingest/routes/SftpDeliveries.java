package org.ptsingest.routes;

import java.io.File;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.FeedDelivery;

/**
 * Turns a file picked from {providerId}/inbox/ into a {@link FeedDelivery}: the provider is the
 * folder the file was dropped in (the SFTP account that could write there); a {@code .xml} file is an
 * XML feed v1, a {@code .json} file a JSON feed v1, anything else a CSV feed v1.
 */
public final class SftpDeliveries {
    public static final String PROVIDER_ID = "ptsProviderId";
    public static final String FEED_FILE_NAME = "ptsFeedFileName";

    private SftpDeliveries() {}

    public static FeedDelivery delivery(Exchange exchange, @Header(Exchange.FILE_NAME) String relativePath,
            @Header(Exchange.FILE_LENGTH) Long size, @Header(Exchange.FILE_LAST_MODIFIED) Long modified) {
        String[] parts = relativePath.split("/");
        if (parts.length != 3) {
            throw new IllegalArgumentException("unexpected inbox path " + relativePath);
        }
        String providerId = parts[0];
        String fileName = parts[2];
        exchange.getMessage().setHeader(PROVIDER_ID, providerId);
        exchange.getMessage().setHeader(FEED_FILE_NAME, fileName);
        File local = exchange.getMessage().getBody(File.class);
        String sourceKey = relativePath + "@" + size + "@" + modified;
        Instant receivedAt = Instant.ofEpochMilli(exchange.getClock().getCreated());
        String lower = fileName.toLowerCase(java.util.Locale.ROOT);
        FeedFormat format = lower.endsWith(".xml") ? FeedFormat.XML_V1
                : lower.endsWith(".json") ? FeedFormat.JSON_V1 : FeedFormat.CSV_V1;
        return new FeedDelivery(providerId, Channel.SFTP, format, fileName, sourceKey, local.toPath(), receivedAt,
                false);
    }
}
