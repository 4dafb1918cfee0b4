package org.ptsingest.feed;

/**
 * How a value from a delivery is quoted back in a message, a receipt, a log line or the console:
 * control characters escaped (a NUL cannot be stored in PostgreSQL text, a newline would forge a log
 * line) and long values cut to {@link #MAX} characters with a note of the full length (a 20 MB line
 * must not come back in a 422 body or be stored in the feed row).
 */
public final class Echo {
    /** Characters of a provider's value echoed at most. */
    public static final int MAX = 80;

    private Echo() {}

    /** The value in single quotes, escaped and capped: {@code 'abc\u0000…' (5000 characters)}. */
    public static String quote(CharSequence value) {
        return value == null ? "(none)" : "'" + escape(value) + "'";
    }

    /** The value escaped and capped, without quotes. */
    public static String escape(CharSequence value) {
        if (value == null) {
            return "";
        }
        int length = value.length();
        int end = Math.min(length, MAX);
        if (end < length && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end + 24);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                    || (Character.isSurrogate(c) && !pairedAt(value, i))) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (end < length) {
            out.append("… (").append(length).append(" characters)");
        }
        return out.toString();
    }

    /** A message made safe to store and show: control characters escaped (except none), capped at {@code max}. */
    public static String message(String message, int max) {
        if (message == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), max) + 16);
        for (int i = 0; i < message.length() && out.length() < max; i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || (Character.isSurrogate(c) && !pairedAt(message, i))) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= max && message.length() > max) {
            out.setLength(max);
            out.append("…");
        }
        return out.toString();
    }

    private static boolean pairedAt(CharSequence s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
