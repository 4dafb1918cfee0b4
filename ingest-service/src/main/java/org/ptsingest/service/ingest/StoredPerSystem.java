package org.ptsingest.service.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;

/**
 * Counts the readings a feed stores per system while they are judged, as COPY rows of {@code feed_system}
 * (feed_id, system_id, stored_readings). Readings are judged in judging order, system first, so a system's
 * readings come one after the other (also across the runs of a feed judged behind its parser): one count at a
 * time, written when the next system begins, whatever the number of systems.
 */
final class StoredPerSystem implements Closeable {
    private final Writer rows;
    private final long feedId;
    private String system;
    private int stored;

    StoredPerSystem(Writer rows, long feedId) {
        this.rows = rows;
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
            PgCopy.row(rows, feedId, system, stored);
        }
        stored = 0;
    }

    /** Writes the last system's count and closes the rows. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            rows.close();
        }
    }
}
