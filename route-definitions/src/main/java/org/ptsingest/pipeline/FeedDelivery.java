package org.ptsingest.pipeline;

import java.nio.file.Path;
import java.time.Instant;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;

/**
 * One delivery of a feed by a provider, whatever the channel.
 *
 * @param key identifies this delivery (see {@link DeliveryKey}; an SFTP key is completed with the bytes'
 *     SHA-256 by {@link #identity}), so a retry after a crash finds what it became instead of processing it twice
 * @param content the bytes as received, in a local file (feeds can be larger than memory)
 * @param dryRun judge and answer the receipt a real delivery would get, but store nothing
 * @param reprocessOf the feed ops asked to run again (same bytes, judged against today's registry and
 *     readings; the new feed supersedes it), else null
 */
public record FeedDelivery(
        String providerId, Channel channel, FeedFormat format, String fileName, DeliveryKey key, Path content,
        Instant receivedAt, boolean dryRun, Long reprocessOf) {

    /** The delivery's identity, given the SHA-256 of its bytes. */
    public DeliveryKey identity(String sha256) {
        return key.withContent(sha256);
    }

    /** A delivery as a channel receives it. */
    public FeedDelivery(String providerId, Channel channel, FeedFormat format, String fileName, DeliveryKey key,
            Path content, Instant receivedAt, boolean dryRun) {
        this(providerId, channel, format, fileName, key, content, receivedAt, dryRun, null);
    }

    /** The same delivery with its bytes in another local file (the worker fetched them from the database). */
    public FeedDelivery withContent(Path local) {
        return new FeedDelivery(providerId, channel, format, fileName, key, local, receivedAt, dryRun, reprocessOf);
    }
}
