package org.ptsingest.service.registry;

import java.util.List;
import org.ptsingest.feed.FeedStatus;

/** Answer to a registry CSV import, in the style of a feed receipt: status, counts, per-row errors. */
public record RegistryImportResult(String table, FeedStatus status, int rowCount, int upserted, List<RowError> errors) {

    public record RowError(long line, String code, String message) {}

    static RegistryImportResult of(String table, int rows, List<RowError> errors) {
        int upserted = rows - errors.size();
        FeedStatus status = errors.isEmpty() ? FeedStatus.ACCEPTED
                : upserted == 0 ? FeedStatus.REJECTED : FeedStatus.PARTIALLY_ACCEPTED;
        return new RegistryImportResult(table, status, rows, upserted, List.copyOf(errors));
    }
}
