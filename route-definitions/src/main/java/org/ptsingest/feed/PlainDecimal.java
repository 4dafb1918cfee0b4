package org.ptsingest.feed;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * The one number syntax the service takes from providers and ops (feeds' register_kwh, the registry's
 * dc_capacity_kw): ASCII digits with at most one point, no sign, no exponent, no separator, within a
 * numeric(p,s) column's digits. Limits are counted on the text before BigDecimal parses it: parsing
 * 5,000 (or 10 million) digits is quadratic, and leading zeros do not count.
 */
public final class PlainDecimal {
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");

    private PlainDecimal() {}

    /** The value, or IllegalArgumentException whose message names the column and quotes the text with {@link Echo}. */
    public static BigDecimal parse(String column, String text, int maxIntegerDigits, int maxDecimals) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(column + " is empty");
        }
        if (text.startsWith("-") && DECIMAL.matcher(text.substring(1)).matches()) {
            throw new IllegalArgumentException(column + " " + Echo.escape(text) + " is negative");
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException(column + " " + Echo.quote(text)
                    + " is not a plain decimal number (digits, one point; no sign, exponent or separator)");
        }
        int point = text.indexOf('.');
        int integerEnd = point < 0 ? text.length() : point;
        int firstSignificant = 0;
        while (firstSignificant < integerEnd && text.charAt(firstSignificant) == '0') {
            firstSignificant++;
        }
        if (point >= 0 && text.length() - point - 1 > maxDecimals) {
            throw new IllegalArgumentException(column + " " + Echo.escape(text) + " has more than " + maxDecimals
                    + " decimals");
        }
        if (integerEnd - firstSignificant > maxIntegerDigits) {
            throw new IllegalArgumentException(column + " " + Echo.escape(text) + " has more than " + maxIntegerDigits
                    + " digits before the decimal point");
        }
        return new BigDecimal(text.substring(Math.max(0, Math.min(firstSignificant, integerEnd - 1))));
    }
}
