package org.ptsingest.pipeline;

/**
 * Where a delivery is in its life-cycle (README, "Delivery life-cycle"):
 * {@code RECEIVED → JUDGED}, or {@code RECEIVED → FAILED → … → JUDGED | QUARANTINED}, and ops may
 * retry a FAILED or QUARANTINED one or discard it.
 */
public enum DeliveryState {
    /** Recorded with its bytes; being judged, or waiting for the worker (a 202, a reprocess). */
    RECEIVED,
    /** Judged and committed: it has its feed (which may itself be REJECTED or a DUPLICATE_FEED). */
    JUDGED,
    /** An attempt failed for a reason that is not the input's (database, disk, a bug); retried with back-off. */
    FAILED,
    /** Every attempt failed; waits for ops to retry or discard it. */
    QUARANTINED,
    /** Ops gave up on it, with a reason. */
    DISCARDED
}
