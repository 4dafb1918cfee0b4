package org.ptsingest.service.registry;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.PlainDecimal;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.csv.CsvFeedContract;
import org.ptsingest.feed.TextValues;

/**
 * The value domain of every registry column, checked before anything reaches PostgreSQL (whose errors
 * would abort the whole import): ids as in feeds, names, capacities that fit {@code numeric(12,3)}
 * above 0, dates the programme can mean. A value outside its domain throws {@link Invalid} with the
 * message its row error carries, the value quoted with {@link Echo}.
 */
final class RegistryValues {
    /** A value outside its column's domain; the message names the column and quotes the value. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_NAME = 200;
    static final int MAX_PROGRAM = 64;
    /** {@code pts_system.dc_capacity_kw numeric(12,3)}: at most 9 integer digits and 3 decimals. */
    static final int CAPACITY_INTEGER_DIGITS = 9;
    static final int CAPACITY_DECIMALS = 3;
    static final LocalDate FIRST_DATE = LocalDate.of(1900, 1, 1);

    static final int MAX_EMAIL = 254;
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    /**
     * A provider_id is also its SFTP login and the name of its folders in the drop box, so it is held
     * to characters that are safe there: no slash, no dot-dot, nothing a shell or a path treats specially.
     */
    private static final Pattern PROVIDER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private RegistryValues() {}

    /** system_id, meter_serial: as in feeds, 1–64 characters, no control characters. */
    static String id(String column, String value) {
        return text(column, value, TextValues.MAX_ID);
    }

    static String providerId(String value) {
        String id = id("provider_id", value);
        if (!PROVIDER_ID.matcher(id).matches()) {
            throw new Invalid("provider_id " + Echo.quote(id) + " may hold only ASCII letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit");
        }
        return id;
    }

    /** A self-reporter's id: the same characters as a provider_id (one id space). */
    static String reporterId(String value) {
        String id = id("reporter_id", value);
        if (!PROVIDER_ID.matcher(id).matches()) {
            throw new Invalid("reporter_id " + Echo.quote(id) + " may hold only ASCII letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit");
        }
        return id;
    }

    /**
     * An address mail can be sent to: local part and domain, ASCII only (no internationalised addresses:
     * not every relay takes them), at most 254 characters, no white space, one '@'.
     */
    static String email(String column, String value) {
        String text = text(column, value, MAX_EMAIL);
        if (!EMAIL.matcher(text).matches()) {
            throw new Invalid(column + " " + Echo.quote(text) + " is not an e-mail address (name@example.org)");
        }
        return text;
    }

    static String optionalEmail(String column, String value) {
        return value == null || value.isBlank() ? null : email(column, value);
    }

    static String text(String column, String value, int max) {
        String problem = TextValues.problem(column, value, max);
        if (problem != null) {
            throw new Invalid(problem);
        }
        return value;
    }

    /** Optional text: empty is null. */
    static String optionalId(String column, String value) {
        return value == null || value.isEmpty() ? null : id(column, value);
    }

    /** dc_capacity_kw: 0 < value < 10^9 with at most 3 decimals, written as a plain decimal (as register_kwh). */
    static BigDecimal capacity(String text) {
        BigDecimal kw;
        try {
            kw = PlainDecimal.parse("dc_capacity_kw", text, CAPACITY_INTEGER_DIGITS, CAPACITY_DECIMALS);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
        if (kw.signum() == 0) {
            throw new Invalid("dc_capacity_kw " + Echo.quote(text) + " is 0; it must be above 0");
        }
        return kw;
    }

    /** A register in kWh (old_final_kwh, new_initial_kwh): the domain of a reading's register_kwh. */
    static BigDecimal register(String column, String text) {
        CsvFeedContract feeds = CsvFeedContract.v1();
        try {
            return PlainDecimal.parse(column, text, feeds.maxIntegerDigits(), feeds.maxDecimals());
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** An ISO-8601 date-time with offset (exchanged_at): the domain of a reading's read_at. */
    static Instant instant(String column, String text) {
        try {
            return ReadingValues.instant(column, text);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** A yyyy-MM-dd calendar date from 1900-01-01 to 9999-12-31. */
    static LocalDate date(String column, String text) {
        if (text == null || text.isEmpty()) {
            throw new Invalid(column + " is empty");
        }
        if (!DATE.matcher(text).matches()) {
            throw new Invalid(column + " " + Echo.quote(text) + " is not a yyyy-MM-dd date");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new Invalid(column + " " + Echo.quote(text) + " is not a calendar date");
        }
        if (date.isBefore(FIRST_DATE)) {
            throw new Invalid(column + " " + text + " is before " + FIRST_DATE);
        }
        return date;
    }

    /** Optional date: empty is null. */
    static LocalDate optionalDate(String column, String text) {
        return text == null || text.isEmpty() ? null : date(column, text);
    }
}
