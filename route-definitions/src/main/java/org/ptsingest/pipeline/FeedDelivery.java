package org.ptsingest.pipeline;

import java.nio.file.Path;
import java.time.Instant;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;

/**
 * One delivery of a feed by a provider, whatever the channel.
 *
 * @param sourceKey identifies this delivery on its channel (SFTP: path, size, mtime; the pipeline adds the
 *     bytes' SHA-256, see {@link #identity}), so a retry after a crash finds the feed it already committed
 *     instead of processing it twice
 * @param content the bytes as received, in a local file (feeds can be larger than memory)
 * @param dryRun judge and answer the receipt a real delivery would get, but store nothing
 * @param reprocessOf the feed ops asked to run again (same bytes, judged against today's registry and
 *     readings; the new feed supersedes it), else null
 */
public record FeedDelivery(
        String providerId, Channel channel, FeedFormat format, String fileName, String sourceKey, Path content,
        Instant receivedAt, boolean dryRun, Long reprocessOf) {

    /** The delivery's identity on its channel, given the SHA-256 of its bytes (see {@link Channel#identifiedByContent}). */
    public String identity(String sha256) {
        return channel.identifiedByContent() ? sourceKey + "@" + sha256 : sourceKey;
    }

    /** A delivery as a channel receives it. */
    public FeedDelivery(String providerId, Channel channel, FeedFormat format, String fileName, String sourceKey,
            Path content, Instant receivedAt, boolean dryRun) {
        this(providerId, channel, format, fileName, sourceKey, content, receivedAt, dryRun, null);
    }
}
