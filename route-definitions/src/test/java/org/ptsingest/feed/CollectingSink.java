package org.ptsingest.feed;

import java.util.ArrayList;
import java.util.List;

/** Test sink that keeps what a {@link FeedReader} emits. */
public final class CollectingSink implements FeedReader.Sink {
    public final List<ParsedReading> readings = new ArrayList<>();
    public final List<InvalidRecord> invalid = new ArrayList<>();

    @Override
    public void reading(ParsedReading reading) {
        readings.add(reading);
    }

    @Override
    public void invalid(InvalidRecord record) {
        invalid.add(record);
    }
}
