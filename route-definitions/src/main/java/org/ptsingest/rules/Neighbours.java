package org.ptsingest.rules;

/** Stored readings of the same meter around an instant: nearest before, exactly at, nearest after. */
public record Neighbours(StoredReading before, StoredReading same, StoredReading after) {
    public static final Neighbours NONE = new Neighbours(null, null, null);
}
