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
 * The only place with SQL text in Java: PostgreSQL COPY and session settings, which jOOQ cannot
 * express. Everything else goes through jOOQ's generated classes.
 */
final class PgCopy {
    static final String STAGING_TABLE = "feed_staging";

    private static final String CREATE_STAGING = "CREATE TEMPORARY TABLE " + STAGING_TABLE
            + " (line_no integer NOT NULL, system_id text NOT NULL, meter_serial text NOT NULL,"
            + " read_at timestamptz NOT NULL, register_kwh numeric(18,3) NOT NULL) ON COMMIT DROP";
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
        }
    }

    static long copyStaging(Connection c, Path rows) throws SQLException, IOException {
        long n = copy(c, COPY_STAGING, rows);
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + STAGING_TABLE);
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

    /** Appends one row in COPY text format. */
    static void row(Writer w, Object... values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                w.write('\t');
            }
            Object v = values[i];
            if (v == null) {
                w.write("\\N");
            } else {
                escape(w, v.toString());
            }
        }
        w.write('\n');
    }

    private static void escape(Writer w, String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> w.write("\\\\");
                case '\t' -> w.write("\\t");
                case '\n' -> w.write("\\n");
                case '\r' -> w.write("\\r");
                default -> w.write(ch);
            }
        }
    }
}
