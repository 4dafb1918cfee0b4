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
}
