package org.ptsingest.pipeline;

import java.nio.file.Path;
import org.ptsingest.feed.FeedStatus;

/**
 * What became of a delivery.
 *
 * @param retried true when this delivery had already been committed (a retry after a crash or lost receipt)
 * @param rejectionCode the feed-level code when the feed was rejected whole or is a duplicate, else null
 * @param dryRunReceipt for a dry run, the receipt rendered before everything was rolled back; else null
 */
public record FeedResult(long feedId, String providerId, String fileName, FeedStatus status, boolean retried,
        String rejectionCode, Path dryRunReceipt) {}
