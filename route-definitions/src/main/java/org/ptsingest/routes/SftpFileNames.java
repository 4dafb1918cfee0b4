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

    private SftpFileNames() {}

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
