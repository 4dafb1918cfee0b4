package org.ptsingest.rules;

import org.ptsingest.feed.OutcomeCode;

/** The one outcome of one reading, with a message a provider can act on. */
public record Verdict(OutcomeCode code, String message) {
    static final Verdict ACCEPTED = new Verdict(OutcomeCode.ACCEPTED, "accepted");
}
