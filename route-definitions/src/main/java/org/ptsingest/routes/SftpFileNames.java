package org.ptsingest.routes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.ptsingest.feed.FeedFileName;

/**
 * How the embedded drop box shows file names to the service's own account, so the inbox route can
 * take every file. Camel's SFTP consumer turns a backslash in a name into a path separator and JSch
 * reads {@code \ * ?} as glob syntax, so such a file could never be fetched, answered or removed. The
 * server therefore lists a name that {@link FeedFileName} does not allow percent-encoded (every byte
 * of its UTF-8 form outside {@code [A-Za-z0-9._+-]}, e.g. {@code back%5Cslash.csv}) and maps the
 * encoded name back when the service opens or removes it; allowed names, which hold no {@code %},
 * are shown as they are. Providers always see their own names.
 */
public final class SftpFileNames {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /**
     * The longest name, as the service account sees it ({@link #encode}: a byte outside {@code [A-Za-z0-9._+-]}
     * counts three), that the service can take and answer. Its download goes to a local work file of that name
     * plus Camel's {@code .inprogress}, and a Linux file name holds 255 bytes: a longer name could never be
     * fetched, and Camel tried it again at every poll, with no receipt (a 254-character name, or 30 CJK characters,
     * did). 200 leaves room for the suffixes; receipts of names not allowed go under {@link FeedFileName#safe}.
     */
    public static final int MAX_SEEN_LENGTH = 200;

    private SftpFileNames() {}

    /** Whether the service can take a file of this name (the provider's own) and write its receipt. */
    public static boolean answerable(String name) {
        return encode(name).length() <= MAX_SEEN_LENGTH;
    }

    /** The name (one path segment) as the service account sees it. */
    public static String encode(String name) {
        if (FeedFileName.allowed(name)) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length() + 16);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (plain(c)) {
                out.append(c);
            } else {
                out.append('%').append(HEX.toHexDigits(b));
            }
        }
        return out.toString();
    }

    /**
     * The provider's own name behind a name the service account sees. A name that is not exactly
     * what {@link #encode} makes of its decoded form (a file on an external server that happens to
     * hold {@code %}) is taken as it is.
     */
    public static String decode(String seen) {
        if (seen.indexOf('%') < 0) {
            return seen;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(seen.length());
        for (int i = 0; i < seen.length(); i++) {
            char c = seen.charAt(i);
            if (c == '%' && i + 2 < seen.length() && HexFormat.isHexDigit(seen.charAt(i + 1))
                    && HexFormat.isHexDigit(seen.charAt(i + 2))) {
                bytes.write(HexFormat.fromHexDigits(seen, i + 1, i + 3));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                return seen;
            }
        }
        String name = bytes.toString(StandardCharsets.UTF_8);
        return encode(name).equals(seen) ? name : seen;
    }

    /** Each segment of a slash-separated path encoded. */
    public static String encodePath(String path) {
        return mapSegments(path, true);
    }

    /** Each segment of a slash-separated path decoded. */
    public static String decodePath(String path) {
        return mapSegments(path, false);
    }

    private static String mapSegments(String path, boolean encode) {
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            segments[i] = encode ? encode(segments[i]) : decode(segments[i]);
        }
        return String.join("/", segments);
    }

    private static boolean plain(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '+' || c == '-';
    }
}
