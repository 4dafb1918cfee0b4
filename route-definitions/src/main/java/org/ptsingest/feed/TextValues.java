package org.ptsingest.feed;

/**
 * The domain of every text value a provider or ops send (feed ids, registry ids and names): 1 to
 * {@code max} characters, none of them a control character (a NUL cannot be stored in PostgreSQL text,
 * a newline or escape would forge a log line or a CSV receipt line) and no unpaired UTF-16 surrogate
 * (it cannot be encoded as UTF-8). The offending value is quoted with {@link Echo}.
 */
public final class TextValues {
    /** Longest id: system_id, meter_serial, provider_id, in feeds and in the registry alike. */
    public static final int MAX_ID = 64;

    private TextValues() {}

    /** Null when the value is in the domain, else why not, starting with the column's name. */
    public static String problem(String column, String value, int max) {
        if (value == null || value.isEmpty()) {
            return column + " is empty";
        }
        if (value.length() > max) {
            return column + " " + Echo.quote(value) + " is longer than " + max + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return column + " " + Echo.quote(value) + " has a control character (U+"
                        + String.format("%04X", (int) c) + ") at position " + (i + 1);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return column + " " + Echo.quote(value) + " has an unpaired surrogate (U+"
                        + String.format("%04X", (int) c) + ") at position " + (i + 1);
            }
        }
        return null;
    }

    /**
     * Surrounding space, tab, CR and LF removed, nothing else: {@code String.trim()} would also drop a
     * trailing NUL or other control character and store a value the provider did not send.
     */
    public static String trimSpace(String value) {
        if (value == null) {
            return null;
        }
        int start = 0;
        int end = value.length();
        while (start < end && isSpace(value.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(value.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == value.length() ? value : value.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
