package org.ptsingest.rules;

import java.time.LocalDate;

/** A provider designated as a system's reporter from a date to an inclusive end date (null = open). */
public record Designation(LocalDate effectiveFrom, LocalDate effectiveTo) {
    public boolean covers(LocalDate date) {
        return !date.isBefore(effectiveFrom) && (effectiveTo == null || !date.isAfter(effectiveTo));
    }
}
