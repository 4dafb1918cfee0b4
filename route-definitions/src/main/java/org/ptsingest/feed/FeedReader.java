package org.ptsingest.feed;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads one feed format as a stream of readings: memory stays flat whatever the feed size.
 * Structural problems throw {@link FeedFormatException} (the feed is rejected whole); a record with
 * an unreadable value goes to {@link Sink#invalid} and the rest of the feed is read.
 */
public interface FeedReader {

    interface Sink {
        void reading(ParsedReading reading) throws IOException;

        void invalid(InvalidRecord record) throws IOException;
    }

    /** Reads the whole feed from a local file; returns the number of reading records (readable or not). */
    int read(Path feed, Sink sink) throws FeedFormatException, IOException;
}
