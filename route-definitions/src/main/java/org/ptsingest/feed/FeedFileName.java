package org.ptsingest.feed;

import java.util.regex.Pattern;

/**
 * The names a feed may have, on every channel (SFTP file, HTTPS {@code Content-Disposition}, AS2
 * file name): 1 to {@value #MAX_LENGTH} characters of ASCII letters, digits, {@code . _ - +} and
 * space, not starting with a dot or a space. Anything else (a slash or backslash, quotes, control
 * characters such as NUL or a newline, non-ASCII) is answered {@link OutcomeCode#FILE_NAME_NOT_ALLOWED}
 * under a {@link #safe} name, so the provider sees a receipt and the logs cannot be forged.
 */
public final class FeedFileName {
    public static final int MAX_LENGTH = 128;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_+\\-][A-Za-z0-9._+\\- ]{0," + (MAX_LENGTH - 1) + "}");
    private static final Pattern NOT_SAFE = Pattern.compile("[^A-Za-z0-9._+\\-]");

    private FeedFileName() {}

    /** Null when the name is allowed, else why not (the name quoted with {@link Echo}). */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the file name is empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "the file name " + Echo.quote(name) + " is longer than " + MAX_LENGTH + " characters";
        }
        if (!ALLOWED.matcher(name).matches()) {
            return "the file name " + Echo.quote(name) + " has characters that are not allowed (allowed: ASCII "
                    + "letters, digits, . _ - + and space, not first: . or space)";
        }
        return null;
    }

    public static boolean allowed(String name) {
        return problem(name) == null;
    }

    /**
     * A name that is allowed and says which name it stands for: every character outside
     * {@code [A-Za-z0-9._+-]} becomes {@code _}, a leading dot too, cut to the maximum length.
     * Used for the receipt of a file whose own name is not allowed.
     */
    public static String safe(String name) {
        if (name == null || name.isEmpty()) {
            return "unnamed";
        }
        String s = NOT_SAFE.matcher(name).replaceAll("_");
        if (s.startsWith(".")) {
            s = "_" + s.substring(1);
        }
        return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH) : s;
    }
}
