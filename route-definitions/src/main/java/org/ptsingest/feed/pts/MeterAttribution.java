package org.ptsingest.feed.pts;

import java.time.Instant;

/**
 * PTS payloads name no meter: a reading is attributed to the meter installed on its system at its
 * time (the registered meter, or the one meter exchanges say), so a reading sent after an exchange
 * lands on the new meter without the client changing anything.
 */
@FunctionalInterface
public interface MeterAttribution {
    /** The meter installed on {@code systemId} at {@code readAt}, or null when none is known. */
    String meterAt(String systemId, Instant readAt);
}
