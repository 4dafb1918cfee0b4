package org.ptsingest.rules;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The slice of the registry one feed is judged against: its provider's history, the systems the
 * feed names (with their installed meters: registered meter and exchanges), and that provider's
 * designations for them. Loaded once per feed, in one query each,
 * so judging never goes back to the database per reading.
 */
public record RegistrySnapshot(
        String providerId,
        ProviderHistory provider,
        Map<String, SystemInfo> systems,
        Map<String, List<Designation>> designations) {

    public SystemInfo system(String systemId) {
        return systems.get(systemId);
    }

    public boolean designated(String systemId, LocalDate date) {
        for (Designation d : designations.getOrDefault(systemId, List.of())) {
            if (d.covers(date)) {
                return true;
            }
        }
        return false;
    }
}
