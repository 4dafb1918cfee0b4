package org.ptsingest.feed;

import java.io.IOException;
import java.io.InputStream;

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

    /** Reads the whole feed; returns the number of reading records (readable or not). */
    int read(InputStream in, Sink sink) throws FeedFormatException, IOException;
}
