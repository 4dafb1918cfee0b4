package org.ptsingest.service.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The only place with SQL text in Java: PostgreSQL COPY and session settings, which jOOQ cannot
 * express. Everything else goes through jOOQ's generated classes.
 */
final class PgCopy {
    static final String STAGING_TABLE = "feed_staging";
    static final String SPAN_TABLE = "feed_meter_span";

    private static final String CREATE_STAGING = "CREATE TEMPORARY TABLE " + STAGING_TABLE
            + " (line_no integer NOT NULL, system_id text NOT NULL, meter_serial text NOT NULL,"
            + " read_at timestamptz NOT NULL, register_kwh numeric(18,3) NOT NULL) ON COMMIT DROP";
    private static final String CREATE_SPANS = "CREATE TEMPORARY TABLE " + SPAN_TABLE
            + " (system_id text NOT NULL, meter_serial text NOT NULL, first_at timestamptz NOT NULL,"
            + " last_at timestamptz NOT NULL) ON COMMIT DROP";
    private static final String COPY_SPANS = "COPY " + SPAN_TABLE
            + " (system_id, meter_serial, first_at, last_at) FROM STDIN";
    private static final String COPY_STAGING = "COPY " + STAGING_TABLE
            + " (line_no, system_id, meter_serial, read_at, register_kwh) FROM STDIN";
    private static final String COPY_READINGS = "COPY reading"
            + " (system_id, meter_serial, read_at, register_kwh, feed_id, line_no, flag) FROM STDIN";
    private static final String COPY_OUTCOMES = "COPY reading_outcome"
            + " (feed_id, line_no, system_id, meter_serial, read_at, register_kwh, code, message) FROM STDIN";

    private PgCopy() {}

    /** Temporary staging table for one feed's readable records; dropped when the transaction ends. */
    static void createStaging(Connection c, String workMem) throws SQLException {
        try (Statement s = c.createStatement()) {
            // The sort of a big feed happens in PostgreSQL; give this transaction room to do it in memory.
            s.execute("SET LOCAL work_mem = '" + workMem.replace("'", "") + "'");
            s.execute(CREATE_STAGING);
            s.execute(CREATE_SPANS);
        }
    }

    /**
     * A COPY into the staging table fed row by row while the feed is parsed, so parsing and
     * PostgreSQL's loading overlap. Closing it without {@link StagingCopy#finish()} cancels the COPY,
     * which fails the transaction: callers set a savepoint first.
     */
    static StagingCopy copyStaging(Connection c) throws SQLException {
        return new StagingCopy(new PGCopyOutputStream(c.unwrap(PGConnection.class), COPY_STAGING, 1 << 16));
    }

    static final class StagingCopy implements AutoCloseable {
        private final PGCopyOutputStream out;
        private final Writer writer;
        private boolean finished;

        private StagingCopy(PGCopyOutputStream out) {
            this.out = out;
            this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        }

        Writer writer() {
            return writer;
        }

        void finish(Connection c) throws IOException, SQLException {
            writer.close(); // flushes and ends the COPY
            finished = true;
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE " + STAGING_TABLE);
            }
        }

        @Override
        public void close() throws IOException {
            if (!finished && out.isActive()) {
                try {
                    out.cancelCopy();
                } catch (SQLException e) {
                    throw new IOException("cannot cancel the staging COPY", e);
                }
            }
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

    static long copyReadings(Connection c, Path rows) throws SQLException, IOException {
        return copy(c, COPY_READINGS, rows);
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
    static void row(Writer w, Object... values) throws IOException {
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
