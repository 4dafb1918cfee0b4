package org.ptsingest.pipeline;

import java.nio.file.Path;
import java.time.Instant;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;

/**
 * One delivery of a feed by a provider, whatever the channel.
 *
 * @param sourceKey identifies this delivery on its channel (SFTP: path, size, mtime and the bytes' SHA-256), so a retry after a crash
 *     finds the feed it already committed instead of processing it twice
 * @param content the bytes as received, in a local file (feeds can be larger than memory)
 * @param dryRun judge and answer the receipt a real delivery would get, but store nothing
 * @param reprocessOf the feed ops asked to run again (same bytes, judged against today's registry and
 *     readings; the new feed supersedes it), else null
 */
public record FeedDelivery(
        String providerId, Channel channel, FeedFormat format, String fileName, String sourceKey, Path content,
        Instant receivedAt, boolean dryRun, Long reprocessOf) {

    /** A delivery as a channel receives it. */
    public FeedDelivery(String providerId, Channel channel, FeedFormat format, String fileName, String sourceKey,
            Path content, Instant receivedAt, boolean dryRun) {
        this(providerId, channel, format, fileName, sourceKey, content, receivedAt, dryRun, null);
    }
}
