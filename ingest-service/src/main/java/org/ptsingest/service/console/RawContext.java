package org.ptsingest.service.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw feed lines around an error, with the offending field marked, for the feed page. Plain
 * text segments only: the page escapes them (a feed can carry markup).
 */
public final class RawContext {
    static final int AROUND = 2;
    static final int MAX_LINE_CHARS = 400;
    static final List<String> FIELDS = List.of("system_id", "meter_serial", "read_at", "register_kwh");

    /** A piece of a line; {@code mark} when it is the offending field. */
    public record Segment(String text, boolean mark) {}

    public record Line(long number, boolean errorLine, List<Segment> segments) {}

    private RawContext() {}

    /** Opens a feed's bytes (from the database), only when some line is wanted. */
    interface RawSource {
        java.io.InputStream open() throws IOException;
    }

    /** Reads only the lines needed (up to the last wanted one), decoding bytes leniently. */
    static Map<Long, String> lines(RawSource source, Iterable<Long> errorLines) throws IOException {
        TreeSet<Long> wanted = new TreeSet<>();
        for (long n : errorLines) {
            for (long k = Math.max(1, n - AROUND); k <= n + AROUND; k++) {
                wanted.add(k);
            }
        }
        Map<Long, String> found = new TreeMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(source.open(),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)))) {
            long n = 0;
            String line;
            while ((line = in.readLine()) != null && n < wanted.last()) {
                n++;
                if (wanted.contains(n)) {
                    found.put(n, line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + " …" : line);
                }
            }
        }
        return found;
    }

    /** The field an outcome points at: from the code, or named first in an INVALID_VALUE message. */
    static String offendingField(String code, String message) {
        switch (code) {
            case "UNKNOWN_SYSTEM", "NOT_DESIGNATED_REPORTER", "DAS_MANDATE":
                return "system_id";
            case "FUTURE_READING", "BEFORE_INTERCONNECTION":
                return "read_at";
            case "METER_NOT_INSTALLED":
                return "meter_serial";
            case "REGISTER_DECREASED", "CAPACITY_EXCEEDED", "HIGH_PRODUCTION", "CONFLICTING_READING", "DUPLICATE":
                return "register_kwh";
            default:
                if (message != null) {
                    String first = message.split("[ '\":]", 2)[0].toLowerCase(Locale.ROOT);
                    if (FIELDS.contains(first)) {
                        return first;
                    }
                }
                return null;
        }
    }

    /**
     * The lines around {@code errorLine}. In a CSV feed the offending field is the cell under that
     * header column on the error line; in XML and JSON the element or member of that name on the
     * nearest line. With no field known, the whole error line is marked.
     */
    static List<Line> around(Map<Long, String> lines, long errorLine, String field, boolean csv) {
        List<Line> out = new ArrayList<>();
        int column = csv && field != null ? headerColumn(lines.get(1L), field) : -1;
        Long markLine = null;
        if (field != null && !csv) {
            for (long d = 0; d <= AROUND && markLine == null; d++) {
                for (long k : new long[] {errorLine + d, errorLine - d}) {
                    String l = lines.get(k);
                    if (markLine == null && l != null && (l.contains("<" + field + ">") || l.contains("\"" + field + "\""))) {
                        markLine = k;
                    }
                }
            }
        }
        for (long k = Math.max(1, errorLine - AROUND); k <= errorLine + AROUND; k++) {
            String text = lines.get(k);
            if (text == null) {
                continue;
            }
            List<Segment> segments;
            if (k == errorLine && csv && column >= 0) {
                segments = markCell(text, column);
            } else if (markLine != null && k == markLine) {
                segments = markElement(text, field);
            } else if (k == errorLine && field == null) {
                segments = List.of(new Segment(text, true));
            } else {
                segments = List.of(new Segment(text, false));
            }
            out.add(new Line(k, k == errorLine, segments));
        }
        return out;
    }

    private static int headerColumn(String header, String field) {
        if (header == null) {
            return -1;
        }
        String[] names = header.replace("\uFEFF", "").split(",");
        for (int i = 0; i < names.length; i++) {
            if (names[i].trim().replace("\"", "").equalsIgnoreCase(field)) {
                return i;
            }
        }
        return -1;
    }

    /** Splits a CSV line at the cell boundaries of {@code column} (quotes respected). */
    static List<Segment> markCell(String line, int column) {
        int cell = 0;
        int start = -1;
        int end = line.length();
        boolean quoted = false;
        if (column == 0) {
            start = 0;
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cell++;
                if (cell == column) {
                    start = i + 1;
                } else if (cell == column + 1) {
                    end = i;
                    break;
                }
            }
        }
        if (start < 0) {
            return List.of(new Segment(line, false));
        }
        List<Segment> s = new ArrayList<>();
        if (start > 0) {
            s.add(new Segment(line.substring(0, start), false));
        }
        s.add(new Segment(line.substring(start, end), true));
        if (end < line.length()) {
            s.add(new Segment(line.substring(end), false));
        }
        return s;
    }

    private static List<Segment> markElement(String line, String field) {
        int start = line.indexOf("<" + field + ">");
        int end = start < 0 ? -1 : line.indexOf("</" + field + ">", start);
        end = end < 0 ? -1 : end + field.length() + 3;
        if (start < 0) {
            start = line.indexOf("\"" + field + "\"");
            end = start < 0 ? -1 : line.indexOf(',', start + field.length() + 2);
            end = end < 0 ? line.length() : end;
        }
        if (start < 0) {
            return List.of(new Segment(line, true));
        }
        return List.of(new Segment(line.substring(0, start), false), new Segment(line.substring(start, end), true),
                new Segment(line.substring(end), false));
    }
}
