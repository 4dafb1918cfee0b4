package org.ptsingest.service.web;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Months and days as a request names them, in the years PostgreSQL's timestamps and the programme can hold.
 * {@code YearMonth.parse} alone takes {@code +999999999-12} and {@code -999999999-01}, and an ISO date
 * parameter {@code -999999999-01-01}: Java's calendar has them, PostgreSQL's timestamps (4713 BC to 294276 AD) do
 * not, so such a month or day failed in the query as a 500. A month is {@code YYYY-MM}, four digits of year.
 */
public final class Months {
    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");

    private Months() {}

    /** The month {@code YYYY-MM}; anything else, however Java would read it, is a {@link DateTimeParseException}. */
    public static YearMonth parse(String text) {
        if (text == null || !MONTH.matcher(text).matches()) {
            throw new DateTimeParseException("a month is YYYY-MM", String.valueOf(text), 0);
        }
        return YearMonth.parse(text);
    }

    /** Whether a day given as a parameter is in the years 1 to 9999 (null: no day given, fine). */
    public static boolean inRange(LocalDate day) {
        return day == null || (day.getYear() >= 1 && day.getYear() <= 9999);
    }
}
