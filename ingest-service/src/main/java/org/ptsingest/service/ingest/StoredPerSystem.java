package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.FEED_SYSTEM;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Counts the readings a feed stores per system while they are judged, for {@code feed_system} (feed_id,
 * system_id, stored_readings). Readings are judged in judging order, system first, so a system's readings come
 * one after the other (also across the runs of a feed judged behind its parser): one count at a time, kept when
 * the next system begins. The first {@value #INLINE} counts stay in memory and go in one INSERT (a small feed's
 * round trip less than a COPY's two); beyond them every count goes to a file of COPY rows.
 */
final class StoredPerSystem implements Closeable {
    static final int INLINE = 64;

    private record Count(String systemId, int stored) {}

    private final Path spill;
    private final long feedId;
    private final List<Count> inline = new ArrayList<>();
    /** Null until more than {@link #INLINE} systems were counted. */
    private Writer rows;
    private String system;
    private int stored;

    StoredPerSystem(Path spill, long feedId) {
        this.spill = spill;
        this.feedId = feedId;
    }

    /** One more reading of {@code systemId} stored. */
    void stored(String systemId) throws IOException {
        if (!systemId.equals(system)) {
            flush();
            system = systemId;
        }
        stored++;
    }

    private void flush() throws IOException {
        if (stored > 0) {
            if (rows == null && inline.size() < INLINE) {
                inline.add(new Count(system, stored));
            } else {
                if (rows == null) {
                    rows = new BufferedWriter(Files.newBufferedWriter(spill, StandardCharsets.UTF_8), 1 << 16);
                    for (Count c : inline) {
                        PgCopy.row(rows, feedId, c.systemId(), c.stored());
                    }
                    inline.clear();
                }
                PgCopy.row(rows, feedId, system, stored);
            }
        }
        stored = 0;
    }

    /** Keeps the last system's count and closes the file, if any; {@link #store} then writes them all. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            if (rows != null) {
                rows.close();
            }
        }
    }

    /** Writes the counts into {@code feed_system}, in the feed's transaction (after {@link #close}). */
    void store(Connection c, DSLContext dsl) throws IOException, SQLException {
        if (rows != null) {
            PgCopy.copyFeedSystems(c, spill);
        } else if (!inline.isEmpty()) {
            var insert = dsl.insertInto(FEED_SYSTEM, FEED_SYSTEM.FEED_ID, FEED_SYSTEM.SYSTEM_ID, FEED_SYSTEM.STORED_READINGS);
            for (Count count : inline) {
                insert = insert.values(feedId, count.systemId(), count.stored());
            }
            insert.execute();
        }
    }
}
