package org.ptsingest.service.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.ptsingest.feed.FeedStatus;

/**
 * Answer to a registry CSV import, in the style of a feed receipt: status, counts, per-row errors, and
 * (meter exchanges) the rows that replaced a registered row with other values — listed, since a
 * replacement changes what readings were and will be attributed to.
 */
public record RegistryImportResult(String table, FeedStatus status, int rowCount, int upserted, List<RowError> errors,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Replaced> replaced) {

    public record RowError(long line, String code, String message) {}

    /** A row that replaced what was registered under its key; the message says what it replaced. */
    public record Replaced(long line, String message) {}

    static RegistryImportResult of(String table, int rows, List<RowError> errors) {
        int upserted = rows - errors.size();
        FeedStatus status = errors.isEmpty() ? FeedStatus.ACCEPTED
                : upserted == 0 ? FeedStatus.REJECTED : FeedStatus.PARTIALLY_ACCEPTED;
        return new RegistryImportResult(table, status, rows, upserted, List.copyOf(errors), List.of());
    }

    RegistryImportResult withReplaced(List<Replaced> rows) {
        return new RegistryImportResult(table, status, rowCount, upserted, errors, List.copyOf(rows));
    }
}
