package org.ptsingest.service.production;

/** Why a month of the production ledger got a new revision (with a reference: see each constant). */
public enum RevisionCause {
    /** A committed feed stored readings of the system; reference: the feed id. */
    FEED,
    /** The registry changed (meter exchanges, systems import); reference: what the caller names. */
    REGISTRY,
    /** An ops action (adjustment set or removed, a flagged reading rejected); reference: the ops_action id. */
    OPS,
    /** A reporting window ended; reference: its month (YYYY-MM). */
    WINDOW_END,
    /** An ops rebuild of the whole ledger; reference: the ops_action id. */
    REBUILD
}
