package org.ptsingest.routes;

import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedDelivery;

/**
 * Turns a file picked from {providerId}/inbox/ into a {@link FeedDelivery}: the provider is the
 * folder the file was dropped in (the SFTP account that could write there); a {@code .xml} file is an
 * XML feed v1, a {@code .json} file a JSON feed v1, anything else a CSV feed v1. Also names the
 * receipt and gives the logs an escaped form of the path (a provider chooses its file names).
 */
public final class SftpDeliveries {
    public static final String PROVIDER_ID = "ptsProviderId";
    public static final String FEED_FILE_NAME = "ptsFeedFileName";
    /** The receipt's name in {providerId}/receipts/. */
    public static final String RECEIPT_FILE_NAME = "ptsReceiptFileName";
    /** {providerId}/inbox/{file} escaped with {@link Echo}, the only form of it that is logged. */
    public static final String LOGGED_PATH = "ptsLoggedPath";

    private SftpDeliveries() {}

    public static FeedDelivery delivery(Exchange exchange, @Header(Exchange.FILE_NAME) String relativePath,
            @Header(Exchange.FILE_LENGTH) Long size, @Header(Exchange.FILE_LAST_MODIFIED) Long modified) {
        String[] parts = relativePath.split("/");
        if (parts.length != 3) {
            throw new IllegalArgumentException("unexpected inbox path " + Echo.quote(relativePath));
        }
        String providerId = parts[0];
        String fileName = SftpFileNames.decode(parts[2]);
        exchange.getMessage().setHeader(PROVIDER_ID, providerId);
        exchange.getMessage().setHeader(FEED_FILE_NAME, fileName);
        exchange.getMessage().setHeader(RECEIPT_FILE_NAME, receiptFileName(fileName));
        exchange.getMessage().setHeader(LOGGED_PATH, Echo.escape(providerId + "/" + parts[1] + "/" + fileName));
        Path local = exchange.getMessage().getBody(File.class).toPath();
        DeliveryKey key = DeliveryKey.sftp(relativePath, size, modified);
        Instant receivedAt = Instant.ofEpochMilli(exchange.getClock().getCreated());
        String lower = fileName.toLowerCase(Locale.ROOT);
        FeedFormat format = lower.endsWith(".xml") ? FeedFormat.XML_V1
                : lower.endsWith(".json") ? FeedFormat.JSON_V1 : FeedFormat.CSV_V1;
        return new FeedDelivery(providerId, Channel.SFTP, format, fileName, key, local, receivedAt, false);
    }

    /**
     * {file}.receipt.json; a name {@link FeedFileName} does not allow is answered under its safe form
     * (its receipt says FILE_NAME_NOT_ALLOWED), so every receipt name is one the provider can type.
     */
    public static String receiptFileName(String feedFileName) {
        return (FeedFileName.allowed(feedFileName) ? feedFileName : FeedFileName.safe(feedFileName)) + ".receipt.json";
    }

    /** The name a file takes in {providerId}/quarantine/ (its safe form when its own is not allowed). */
    public static String quarantineFileName(String feedFileName) {
        return FeedFileName.allowed(feedFileName) ? feedFileName : FeedFileName.safe(feedFileName);
    }

    /**
     * Where the receipt goes when something that is not a file (a directory, say, made on the host)
     * sits at its usual name: beside it, with the feed id, instead of failing the feed on every poll.
     */
    public static String fallbackReceiptFileName(String receiptFileName, long feedId) {
        return receiptFileName.substring(0, receiptFileName.length() - ".receipt.json".length())
                + ".feed-" + feedId + ".receipt.json";
    }
}
