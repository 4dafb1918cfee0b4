package org.ptsingest.feed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every feed format is UTF-8 (a UTF-8 byte-order mark is allowed). Checked on the first bytes, before
 * a parser sees the feed: UTF-16 or UTF-32 (with or without byte-order mark) would otherwise reach the
 * CSV reader as text full of NULs, Jackson's auto-detection as a different document, and an XML
 * parser's encoding declaration (e.g. {@code encoding="UTF-7"}) as a charset the JDK may not have.
 */
public final class FeedEncoding {
    private static final Pattern XML_DECLARATION = Pattern.compile(
            "^(?:\\xEF\\xBB\\xBF)?<\\?xml\\s[^?]*?encoding\\s*=\\s*[\"']([^\"']*)[\"']");

    private FeedEncoding() {}

    /** Throws SCHEMA_VIOLATION when the feed is visibly not UTF-8 from its first bytes. */
    public static void requireUtf8(Path feed) throws FeedFormatException, IOException {
        byte[] head = head(feed, 4);
        String problem = problem(head);
        if (problem != null) {
            throw new FeedFormatException(1, "column 1: the feed is not UTF-8 (" + problem + ")");
        }
    }

    /** As {@link #requireUtf8}, and an XML declaration may only declare UTF-8. */
    public static void requireUtf8Xml(Path feed) throws FeedFormatException, IOException {
        requireUtf8(feed);
        String declared = declaredXmlEncoding(head(feed, 256));
        if (declared != null && !declared.equalsIgnoreCase("UTF-8") && !declared.equalsIgnoreCase("UTF8")) {
            throw new FeedFormatException(1, "the XML declaration names encoding " + Echo.quote(declared)
                    + "; feeds must be UTF-8");
        }
    }

    static String problem(byte[] head) {
        int b0 = head.length > 0 ? head[0] & 0xFF : -1;
        int b1 = head.length > 1 ? head[1] & 0xFF : -1;
        if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
            return "it starts with a UTF-16 or UTF-32 byte-order mark";
        }
        for (int i = 0; i < Math.min(head.length, 4); i++) {
            if (head[i] == 0) {
                return "NUL bytes at its start: UTF-16 or UTF-32 without a byte-order mark?";
            }
        }
        return null;
    }

    static String declaredXmlEncoding(byte[] head) {
        Matcher m = XML_DECLARATION.matcher(new String(head, StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1).strip().toUpperCase(Locale.ROOT) : null;
    }

    private static byte[] head(Path feed, int n) throws IOException {
        try (InputStream in = Files.newInputStream(feed)) {
            return in.readNBytes(n);
        }
    }
}
