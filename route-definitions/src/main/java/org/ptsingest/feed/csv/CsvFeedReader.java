package org.ptsingest.feed.csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams a CSV feed v1 (see {@code schemas/csv-feed-v1.md}) record by record into a {@link Sink}:
 * memory stays flat whatever the feed size. Structural problems throw {@link FeedFormatException};
 * a record with an unreadable value goes to {@link Sink#invalid} and the rest of the feed is read.
 * Commons CSV does the RFC 4180 work; this class owns the header rules and value checks.
 */
public final class CsvFeedReader {

    public interface Sink {
        void reading(ParsedReading reading) throws IOException;

        void invalid(InvalidRecord record) throws IOException;
    }

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            // Blank lines come through as one-field records so line numbers stay exact.
            .setIgnoreEmptyLines(false)
            .get();
    private static final char NOT_UTF8 = '\uFFFF';
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");

    private final CsvFeedContract contract;
    // DAS exports read every system at the same instants, so a feed repeats few distinct read_at texts:
    // parsing each distinct text once is a large share of the parse time saved.
    private final Map<String, Instant> instants = new HashMap<>();

    public CsvFeedReader(CsvFeedContract contract) {
        this.contract = contract;
    }

    public CsvFeedReader() {
        this(CsvFeedContract.v1());
    }

    /** Reads the whole feed; returns the number of data records (readable or not). */
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
            judgeValues(record, line, columnOf, sink);
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
            String name = record.get(i).trim().toLowerCase(Locale.ROOT);
            int known = contract.columns().indexOf(name);
            if (known < 0) {
                throw new FeedFormatException(line, "column " + (i + 1) + " '" + record.get(i)
                        + "' is not a known column; expected " + String.join(", ", contract.columns()));
            }
            if (seen.putIfAbsent(name, i) != null) {
                throw new FeedFormatException(line, "column " + (i + 1) + " '" + record.get(i)
                        + "' repeats column " + (seen.get(name) + 1));
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

    private void judgeValues(CSVRecord record, int line, int[] columnOf, Sink sink) throws IOException {
        int expected = columnOf.length;
        String systemId = record.size() > columnOf[0] ? record.get(columnOf[0]).trim() : null;
        String meterSerial = record.size() > columnOf[1] ? record.get(columnOf[1]).trim() : null;
        if (record.size() != expected) {
            sink.invalid(new InvalidRecord(line, emptyToNull(systemId), emptyToNull(meterSerial),
                    "expected " + expected + " fields, found " + record.size()));
            return;
        }
        String problem = text(CsvFeedContract.SYSTEM_ID, systemId);
        if (problem == null) {
            problem = text(CsvFeedContract.METER_SERIAL, meterSerial);
        }
        String readAtText = record.get(columnOf[2]).trim();
        String kwhText = record.get(columnOf[3]).trim();
        Instant readAt = null;
        if (problem == null) {
            try {
                readAt = cachedInstant(readAtText);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        BigDecimal kwh = null;
        if (problem == null) {
            try {
                kwh = register(kwhText);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            sink.invalid(new InvalidRecord(line, emptyToNull(systemId), emptyToNull(meterSerial), problem));
        } else {
            sink.reading(new ParsedReading(line, systemId, meterSerial, readAt, kwh));
        }
    }

    private String text(String column, String value) {
        if (value == null || value.isEmpty()) {
            return column + " is empty";
        }
        if (value.length() > contract.maxTextLength()) {
            return column + " is longer than " + contract.maxTextLength() + " characters";
        }
        return null;
    }

    private Instant cachedInstant(String text) {
        Instant known = instants.get(text);
        if (known == null) {
            known = instant(text);
            if (instants.size() >= 8192) {
                instants.clear();
            }
            instants.put(text, known);
        }
        return known;
    }

    static Instant instant(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("read_at is empty");
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
                throw new IllegalArgumentException("read_at '" + text + "' has no UTC offset; add Z or e.g. -05:00");
            } catch (DateTimeParseException notLocal) {
                throw new IllegalArgumentException("read_at '" + text + "' is not an ISO-8601 date-time with offset");
            }
        }
    }

    BigDecimal register(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("register_kwh is empty");
        }
        if (text.startsWith("-") && DECIMAL.matcher(text.substring(1)).matches()) {
            throw new IllegalArgumentException("register_kwh " + text + " is negative");
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException("register_kwh '" + text + "' is not a decimal number");
        }
        BigDecimal value = new BigDecimal(text);
        if (value.scale() > contract.maxDecimals()) {
            throw new IllegalArgumentException("register_kwh " + text + " has more than "
                    + contract.maxDecimals() + " decimals");
        }
        if (value.precision() > contract.maxDigits()) {
            throw new IllegalArgumentException("register_kwh " + text + " has more than "
                    + contract.maxDigits() + " digits");
        }
        return value;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
