package org.ptsingest.feed.csv;

import static org.ptsingest.feed.TextValues.trimSpace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedEncoding;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ReadingValues;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams a CSV feed v1 (see {@code schemas/csv-feed-v1.md}) record by record into a {@link Sink}:
 * memory stays flat whatever the feed size. Structural problems throw {@link FeedFormatException};
 * a record with an unreadable value goes to {@link Sink#invalid} and the rest of the feed is read.
 * Commons CSV does the RFC 4180 work; this class owns the header rules and value checks.
 */
public final class CsvFeedReader implements FeedReader {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            // Blank lines come through as one-field records so line numbers stay exact.
            .setIgnoreEmptyLines(false)
            .get();
    private static final char NOT_UTF8 = '\uFFFF';

    private final CsvFeedContract contract;
    private final ReadingValues values;

    public CsvFeedReader(CsvFeedContract contract) {
        this.contract = contract;
        this.values = contract.newValues();
    }

    public CsvFeedReader() {
        this(CsvFeedContract.v1());
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        FeedEncoding.requireUtf8(feed);
        try (InputStream in = Files.newInputStream(feed)) {
            return read(in, sink);
        }
    }

    public int read(InputStream in, Sink sink) throws FeedFormatException, IOException {
        Reader reader = utf8(in);
        CSVParser parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get();
        Iterator<CSVRecord> records = parser.iterator();
        long previousEnd = 0;
        int[] columnOf = null;
        int count = 0;
        while (true) {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    break;
                }
                record = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                throw structural(previousEnd + 1, e);
            }
            int line = Math.toIntExact(previousEnd + 1);
            previousEnd = parser.getCurrentLineNumber();
            requireUtf8(record, line);
            if (isBlank(record)) {
                continue;
            }
            if (columnOf == null) {
                columnOf = header(record, line);
                continue;
            }
            count++;
            judgeValues(record, count, line, columnOf, sink);
        }
        if (columnOf == null) {
            throw new FeedFormatException(1, "the feed is empty; a header row "
                    + String.join(",", contract.columns()) + " is required");
        }
        if (count == 0) {
            throw new FeedFormatException(Math.max(1, previousEnd), "the feed has a header but no readings");
        }
        return count;
    }

    /**
     * Bytes that are not UTF-8 decode to {@link #NOT_UTF8}, a noncharacter, so the record holding
     * them is found and the rejection names its line (a decoder that throws cannot say where).
     */
    private static Reader utf8(InputStream in) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(String.valueOf(NOT_UTF8))), 1 << 16);
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    private static void requireUtf8(CSVRecord record, int line) throws FeedFormatException {
        for (int i = 0; i < record.size(); i++) {
            if (record.get(i).indexOf(NOT_UTF8) >= 0) {
                throw new FeedFormatException(line, "column " + (i + 1) + ": the feed is not valid UTF-8");
            }
        }
    }

    private FeedFormatException structural(long line, RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new FeedFormatException(line, "unreadable CSV (" + detail + "); check quoting", cause);
    }

    private static boolean isBlank(CSVRecord record) {
        return record.size() == 1 && record.get(0).isBlank();
    }

    private int[] header(CSVRecord record, int line) throws FeedFormatException {
        Map<String, Integer> seen = new HashMap<>();
        int[] columnOf = new int[contract.columns().size()];
        for (int i = 0; i < record.size(); i++) {
            String name = trimSpace(record.get(i)).toLowerCase(Locale.ROOT);
            int known = contract.columns().indexOf(name);
            if (known < 0) {
                throw new FeedFormatException(line, "column " + (i + 1) + " " + Echo.quote(record.get(i))
                        + " is not a known column; expected " + String.join(", ", contract.columns()));
            }
            if (seen.putIfAbsent(name, i) != null) {
                throw new FeedFormatException(line, "column " + (i + 1) + " " + Echo.quote(record.get(i))
                        + " repeats column " + (seen.get(name) + 1));
            }
            columnOf[known] = i;
        }
        for (String column : contract.columns()) {
            if (!seen.containsKey(column)) {
                throw new FeedFormatException(line, "column '" + column + "' is missing from the header");
            }
        }
        return columnOf;
    }

    private void judgeValues(CSVRecord record, int number, int line, int[] columnOf, Sink sink) throws IOException {
        int expected = columnOf.length;
        String systemId = record.size() > columnOf[0] ? trimSpace(record.get(columnOf[0])) : null;
        String meterSerial = record.size() > columnOf[1] ? trimSpace(record.get(columnOf[1])) : null;
        if (record.size() != expected) {
            sink.invalid(new InvalidRecord(number, line, values.idOrNull(systemId), values.idOrNull(meterSerial),
                    "expected " + expected + " fields, found " + record.size()));
            return;
        }
        values.emit(number, line, systemId, meterSerial, trimSpace(record.get(columnOf[2])),
                trimSpace(record.get(columnOf[3])), sink);
    }
}
