package org.ptsingest.feed;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The value rules every feed format shares (CSV feed v1 documents them): required text no longer
 * than the limit, read_at an ISO-8601 date-time with an offset, register_kwh a plain decimal ≥ 0 with
 * limited decimals and digits. A record passing them is a {@link ParsedReading}; otherwise an
 * {@link InvalidRecord} with the first problem found. One instance per feed (it caches timestamps).
 */
public final class ReadingValues {
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");

    private final int maxText;
    private final int maxDecimals;
    private final int maxDigits;
    // DAS exports read every system at the same instants, so a feed repeats few distinct read_at texts:
    // parsing each distinct text once is a large share of the parse time saved.
    private final Map<String, Instant> instants = new HashMap<>();

    public ReadingValues(int maxText, int maxDecimals, int maxDigits) {
        this.maxText = maxText;
        this.maxDecimals = maxDecimals;
        this.maxDigits = maxDigits;
    }

    /** Checks one record's values and hands it to the sink as a reading or as an invalid record. */
    public void emit(int line, String systemId, String meterSerial, String readAt, String registerKwh,
            FeedReader.Sink sink) throws IOException {
        String problem = text("system_id", systemId);
        if (problem == null) {
            problem = text("meter_serial", meterSerial);
        }
        Instant at = null;
        BigDecimal kwh = null;
        if (problem == null) {
            try {
                at = cachedInstant(readAt);
                kwh = register(registerKwh);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            sink.invalid(new InvalidRecord(line, emptyToNull(systemId), emptyToNull(meterSerial), problem));
        } else {
            sink.reading(new ParsedReading(line, systemId, meterSerial, at, kwh));
        }
    }

    private String text(String column, String value) {
        if (value == null || value.isEmpty()) {
            return column + " is empty";
        }
        if (value.length() > maxText) {
            return column + " is longer than " + maxText + " characters";
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

    public static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
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

    private BigDecimal register(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("register_kwh is empty");
        }
        if (text.startsWith("-") && DECIMAL.matcher(text.substring(1)).matches()) {
            throw new IllegalArgumentException("register_kwh " + text + " is negative");
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException("register_kwh '" + text + "' is not a decimal number");
        }
        BigDecimal value = new BigDecimal(text);
        if (value.scale() > maxDecimals) {
            throw new IllegalArgumentException("register_kwh " + text + " has more than " + maxDecimals + " decimals");
        }
        if (value.precision() > maxDigits) {
            throw new IllegalArgumentException("register_kwh " + text + " has more than " + maxDigits + " digits");
        }
        return value;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
