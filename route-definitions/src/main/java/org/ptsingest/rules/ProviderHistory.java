package org.ptsingest.rules;

import java.time.LocalDate;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** A provider's dated status changes; the status on a date is the latest change on or before it. */
public final class ProviderHistory {
    private final NavigableMap<LocalDate, ProviderStatus> changes;

    public ProviderHistory(Map<LocalDate, ProviderStatus> changes) {
        this.changes = new TreeMap<>(changes);
    }

    /** Null when the provider had no status yet on that date. */
    public ProviderStatus statusOn(LocalDate date) {
        Map.Entry<LocalDate, ProviderStatus> e = changes.floorEntry(date);
        return e == null ? null : e.getValue();
    }

    public boolean approvedOn(LocalDate date) {
        return statusOn(date) == ProviderStatus.APPROVED;
    }
}
