package org.ptsingest.service.registry;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.TextValues;

/**
 * Registry imports are small CSV files with a header row: exactly the expected columns, any order,
 * case-insensitive (the same header rules as feeds).
 */
final class RegistryCsv {
    interface RowHandler {
        /** Returns null when the row was upserted, otherwise the error. */
        RegistryImportResult.RowError row(long line, Map<String, String> values);
    }

    /** The header is wrong: the import is refused whole. */
    static final class HeaderException extends RuntimeException {
        HeaderException(String message) {
            super(message);
        }
    }

    private RegistryCsv() {}

    static RegistryImportResult read(String table, Reader body, List<String> columns, RowHandler handler) {
        return read(table, body, columns, List.of(), handler);
    }

    /** With optional columns: accepted when present, passed to the handler only then. */
    static RegistryImportResult read(String table, Reader body, List<String> columns, List<String> optional,
            RowHandler handler) {
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
        try (CSVParser parser = CSVParser.builder().setReader(body).setFormat(format).get()) {
            var it = parser.iterator();
            if (!it.hasNext()) {
                throw new HeaderException("line 1: empty body; header " + String.join(",", columns) + " required");
            }
            Map<String, Integer> index = header(it.next(), columns, optional);
            List<RegistryImportResult.RowError> errors = new java.util.ArrayList<>();
            int rows = 0;
            long line = parser.getCurrentLineNumber() + 1;
            while (it.hasNext()) {
                CSVRecord r = it.next();
                rows++;
                RegistryImportResult.RowError error;
                if (r.size() != index.size()) {
                    error = new RegistryImportResult.RowError(line, "INVALID_VALUE",
                            "expected " + index.size() + " fields, found " + r.size());
                } else {
                    Map<String, String> values = new HashMap<>();
                    index.forEach((name, i) -> values.put(name, TextValues.trimSpace(r.get(i))));
                    error = handler.row(line, values);
                }
                if (error != null) {
                    errors.add(error);
                }
                line = parser.getCurrentLineNumber() + 1;
            }
            return RegistryImportResult.of(table, rows, errors);
        } catch (IOException | UncheckedIOException e) {
            throw new HeaderException("unreadable CSV: " + Echo.message(e.getMessage(), 300));
        }
    }

    private static Map<String, Integer> header(CSVRecord header, List<String> columns, List<String> optional) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String name = TextValues.trimSpace(header.get(i)).toLowerCase(Locale.ROOT).replace("\uFEFF", "");
            if (!columns.contains(name) && !optional.contains(name)) {
                throw new HeaderException("line 1, column " + (i + 1) + " " + Echo.quote(header.get(i))
                        + " is not a known column; expected " + String.join(",", columns));
            }
            if (index.putIfAbsent(name, i) != null) {
                throw new HeaderException("line 1, column " + (i + 1) + " " + Echo.quote(header.get(i)) + " is repeated");
            }
        }
        for (String c : columns) {
            if (!index.containsKey(c)) {
                throw new HeaderException("line 1: column '" + c + "' is missing");
            }
        }
        return index;
    }
}
