package org.ptsingest.rules;

import java.time.LocalDate;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A reporter's kind and, for a DAS provider, its dated status changes; the status on a date is the latest
 * change on or before it. A self-reporter has none: it is never an approved DAS provider.
 */
public final class ProviderHistory {
    private final ReporterKind kind;
    private final NavigableMap<LocalDate, ProviderStatus> changes;

    public ProviderHistory(Map<LocalDate, ProviderStatus> changes) {
        this(ReporterKind.DAS_PROVIDER, changes);
    }

    public ProviderHistory(ReporterKind kind, Map<LocalDate, ProviderStatus> changes) {
        this.kind = kind;
        this.changes = new TreeMap<>(changes);
    }

    public ReporterKind kind() {
        return kind;
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
