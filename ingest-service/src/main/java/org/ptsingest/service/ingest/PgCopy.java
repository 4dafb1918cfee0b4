package org.ptsingest.service.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * PostgreSQL COPY: text rows ({@link #row}, also used by the production ledger), the binary COPY of accepted
 * readings ({@link BinaryCopy}) and the per-feed temporary table, which jOOQ cannot express. Everything else goes through jOOQ's generated classes.
 */
public final class PgCopy {
    static final String SPAN_TABLE = "feed_meter_span";

    private static final String CREATE_SPANS = "CREATE TEMPORARY TABLE " + SPAN_TABLE
            + " (system_id text NOT NULL, meter_serial text NOT NULL, first_at timestamptz NOT NULL,"
            + " last_at timestamptz NOT NULL) ON COMMIT DROP";
    private static final String COPY_SPANS = "COPY " + SPAN_TABLE
            + " (system_id, meter_serial, first_at, last_at) FROM STDIN";
    private static final String COPY_READINGS = "COPY reading"
            + " (system_id, meter_serial, read_at, register_kwh, feed_id, record_no, line_no, flag) FROM STDIN (FORMAT binary)";
    /** Fields of a row of {@link #copyReadings}. */
    static final int READING_FIELDS = 8;
    private static final String COPY_FEED_SYSTEMS = "COPY feed_system (feed_id, system_id, stored_readings) FROM STDIN";
    private static final String COPY_OUTCOMES = "COPY reading_outcome"
            + " (feed_id, record_no, line_no, system_id, meter_serial, read_at, register_kwh, code, message) FROM STDIN";

    private PgCopy() {}

    /** Temporary table for one feed's meter spans; dropped when the transaction ends. */
    static void createSpans(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(CREATE_SPANS);
        }
    }

    /**
     * COPY into the readings table, fed row by row while readings are judged: binary rows of
     * {@value #READING_FIELDS} fields (system_id, meter_serial, read_at, register_kwh, feed_id, record_no,
     * line_no, flag).
     */
    static BinaryCopy copyReadings(Connection c) throws SQLException, IOException {
        return new BinaryCopy(c, COPY_READINGS);
    }

    /** Empties the spans table for the next batch of a feed judged behind its parser. */
    static void clearSpans(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + SPAN_TABLE);
        }
    }

    /** One row per meter of the feed: its first and last read_at (small: meters, not readings). */
    static long copySpans(Connection c, Path rows) throws SQLException, IOException {
        long n = copy(c, COPY_SPANS, rows);
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + SPAN_TABLE);
        }
        return n;
    }

    /** What a feed stored per system, as {@link StoredPerSystem} wrote it. */
    static long copyFeedSystems(Connection c, Path rows) throws SQLException, IOException {
        return copy(c, COPY_FEED_SYSTEMS, rows);
    }

    static long copyOutcomes(Connection c, Path rows) throws SQLException, IOException {
        return copy(c, COPY_OUTCOMES, rows);
    }

    private static long copy(Connection c, String sql, Path rows) throws SQLException, IOException {
        if (Files.size(rows) == 0) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(rows)) {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, in, 1 << 16);
        }
    }

    /** Appends one row in COPY text format (one write per row: this runs once per reading). */
    public static void row(Writer w, Object... values) throws IOException {
        StringBuilder line = new StringBuilder(96);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append('\t');
            }
            Object v = values[i];
            if (v == null) {
                line.append("\\N");
            } else {
                escapeInto(line, v.toString());
            }
        }
        line.append('\n');
        w.append(line);
    }

    /** Splits one line of COPY text format into its fields, undoing the escapes {@link #row} makes. */
    static String[] fields(String line, int count) {
        String[] out = new String[count];
        int start = 0;
        for (int i = 0; i < count; i++) {
            int tab = i == count - 1 ? line.length() : line.indexOf('\t', start);
            String raw = line.substring(start, tab);
            out[i] = raw.equals("\\N") ? null : raw.indexOf('\\') < 0 ? raw : unescape(raw);
            start = tab + 1;
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\' || i + 1 == s.length()) {
                b.append(ch);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'v' -> b.append('\u000B');
                default -> b.append(next);
            }
        }
        return b.toString();
    }

    private static void escapeInto(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(ch);
            }
        }
    }
}
