package org.ptsingest.rules;

/** Where a month's production figure comes from (issue 12, "Monthly production"). */
public enum ProductionBasis {
    /** C(M) − C(M−1): closes at both ends of the month. */
    ACTUAL,
    /** A share, by expected yield, of the register difference across a closed gap. */
    PRORATED,
    /** After the last close, window ended: DC kW × expected yield × the system's performance ratio. */
    PROJECTED,
    /** The month's reporting window has not ended yet: no value. */
    OPEN,
    /** Readings from more than one meter with no exchange registered between them: no value until ops register it. */
    UNRESOLVED,
    /** Set by ops with a reason (an audit result); stands until ops remove it. */
    ADJUSTED,
    /** No value any more: the month had one, and now lies before the system's first close (e.g. its readings were rejected). */
    NONE;

    /** Whether months of this basis carry a kWh value. */
    public boolean hasValue() {
        return this != OPEN && this != UNRESOLVED && this != NONE;
    }
}
