package org.ptsingest.pipeline;

import org.ptsingest.feed.FeedStatus;

/**
 * What became of a delivery.
 *
 * @param retried true when this delivery had already been committed (a retry after a crash or lost receipt)
 */
public record FeedResult(long feedId, String providerId, String fileName, FeedStatus status, boolean retried) {}
