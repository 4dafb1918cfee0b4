package org.ptsingest.feed;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The value domains every feed format shares (CSV feed v1 documents them, and PostgreSQL's columns
 * hold every value inside them):
 * <ul>
 *   <li>system_id, meter_serial: 1 to {@code maxText} characters, no control character (a NUL
 *       cannot be stored in PostgreSQL text) and no unpaired surrogate;</li>
 *   <li>read_at: ISO-8601 date-time with an offset, between {@link #EARLIEST} and {@link #LATEST} once
 *       in UTC (the four-digit years; PostgreSQL would take more, ISO text and our sort would not),
 *       on a whole microsecond (PostgreSQL keeps microseconds: two instants 100 ns apart would
 *       silently become one key), so more than 6 fractional digits are allowed only as zeros;</li>
 *   <li>register_kwh: a plain decimal ≥ 0 (no sign, no exponent), at most {@code maxDecimals}
 *       decimals and {@code maxIntegerDigits} digits before the point (numeric(18,3)).</li>
 * </ul>
 * A record passing them is a {@link ParsedReading}; otherwise an {@link InvalidRecord} with the
 * first problem found, values quoted by {@link Echo}. One instance per feed (it caches timestamps).
 */
public final class ReadingValues {
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final int maxText;
    private final int maxDecimals;
    private final int maxIntegerDigits;
    // DAS exports read every system at the same instants, so a feed repeats few distinct read_at texts:
    // parsing each distinct text once is a large share of the parse time saved.
    private final Map<String, Instant> instants = new HashMap<>();
    // The same few system and meter ids repeat on every reading: one String each, not one per reading, so a large
    // feed's readings held for sorting (and copied by every young collection meanwhile) hold half the memory.
    private final Map<String, String> ids = new HashMap<>();
    private String lastSystemId = "";
    private String lastMeterSerial = "";

    public ReadingValues(int maxText, int maxDecimals, int maxIntegerDigits) {
        this.maxText = maxText;
        this.maxDecimals = maxDecimals;
        this.maxIntegerDigits = maxIntegerDigits;
    }

    /** Checks one record's values and hands it to the sink as a reading or as an invalid record. */
    public void emit(int record, int line, String systemId, String meterSerial, String readAt, String registerKwh,
            FeedReader.Sink sink) throws IOException {
        emit(record, line, systemId, meterSerial, readAt, null, registerKwh, sink);
    }

    /**
     * The same for a read_at a format already resolved to an instant of the domain ({@link #inDomain}: PTS local
     * times), so it is not formatted and parsed again.
     */
    public void emit(int record, int line, String systemId, String meterSerial, Instant readAt, String registerKwh,
            FeedReader.Sink sink) throws IOException {
        emit(record, line, systemId, meterSerial, null, readAt, registerKwh, sink);
    }

    private void emit(int record, int line, String systemId, String meterSerial, String readAtText, Instant readAt,
            String registerKwh, FeedReader.Sink sink) throws IOException {
        String systemProblem = textProblem("system_id", systemId);
        String meterProblem = textProblem("meter_serial", meterSerial);
        String problem = systemProblem != null ? systemProblem : meterProblem;
        Instant at = null;
        BigDecimal kwh = null;
        if (problem == null) {
            try {
                at = readAt != null ? readAt : cachedInstant(readAtText);
                kwh = register(registerKwh);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            sink.invalid(new InvalidRecord(record, line, systemProblem == null ? systemId : null,
                    meterProblem == null ? meterSerial : null, problem));
        } else {
            lastSystemId = systemId.equals(lastSystemId) ? lastSystemId : shared(systemId);
            lastMeterSerial = meterSerial.equals(lastMeterSerial) ? lastMeterSerial : shared(meterSerial);
            sink.reading(new ParsedReading(record, line, lastSystemId, lastMeterSerial, at, kwh));
        }
    }

    /** The one String kept for this id text (at most 8,192 at a time, as for instants). */
    private String shared(String id) {
        String known = ids.get(id);
        if (known == null) {
            if (ids.size() >= 8192) {
                ids.clear();
            }
            ids.put(id, id);
            known = id;
        }
        return known;
    }

    /** Null when {@code value} is a valid id (system_id, meter_serial), else why not ({@link TextValues}). */
    public String textProblem(String column, String value) {
        return TextValues.problem(column, value, maxText);
    }

    /** {@code value} when it is a valid id, else null: what an invalid record may carry as its id. */
    public String idOrNull(String value) {
        return textProblem("id", value) == null ? value : null;
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

    /** read_at as an instant within the domain, or IllegalArgumentException saying why not. */
    public static Instant instant(String text) {
        return instant("read_at", text);
    }

    /**
     * A date-time column with offset (read_at; the registry's exchanged_at) as an instant within the
     * domain, or IllegalArgumentException naming the column and saying why not.
     */
    public static Instant instant(String column, String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(column + " is empty");
        }
        if (text.length() > 64) {
            throw new IllegalArgumentException(column + " " + Echo.quote(text) + " is not an ISO-8601 date-time with offset");
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
                throw new IllegalArgumentException(column + " " + Echo.quote(text) + " has no UTC offset; add Z or e.g. -05:00");
            } catch (DateTimeParseException notLocal) {
                throw new IllegalArgumentException(column + " " + Echo.quote(text) + " is not an ISO-8601 date-time with offset");
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(column + " " + Echo.quote(text) + " is out of range");
        }
        return inDomain(column, at, text);
    }

    /** An instant from any format (PTS local times too) checked against the read_at domain. */
    public static Instant inDomain(Instant at, String text) {
        return inDomain("read_at", at, text);
    }

    private static Instant inDomain(String column, Instant at, String text) {
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw new IllegalArgumentException(column + " " + Echo.quote(text) + " is outside 0001-01-01T00:00:00Z .. "
                    + "9999-12-31T23:59:59.999999Z");
        }
        if (at.getNano() % 1000 != 0) {
            throw new IllegalArgumentException(column + " " + Echo.quote(text)
                    + " is finer than a microsecond (at most 6 fractional digits that are not 0)");
        }
        return at;
    }

    private BigDecimal register(String text) {
        return PlainDecimal.parse("register_kwh", text, maxIntegerDigits, maxDecimals);
    }
}
