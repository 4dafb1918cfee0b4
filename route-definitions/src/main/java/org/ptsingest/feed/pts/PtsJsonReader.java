package org.ptsingest.feed.pts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Function;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ReadingValues;

/**
 * The PTS REST body DAS clients already send: {@code {"APIKey": "...", "systems": [{"fk_System": "...",
 * "metervalue": "...", "meterDate": "..."}]}}, values as strings. Translated at the edge like
 * {@link ArDataReader}: local date-times in the programme's zone, the system's registered meter.
 * The APIKey member is not used (clients send the same key in a header, which authenticates them).
 */
public final class PtsJsonReader implements FeedReader {
    private static final JsonFactory JSON = new JsonFactory();

    private final ZoneId zone;
    private final Function<String, String> registeredMeter;
    private final ReadingValues values = new ReadingValues(64, 3, 18);

    public PtsJsonReader(ZoneId zone, Function<String, String> registeredMeter) {
        this.zone = zone;
        this.registeredMeter = registeredMeter;
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        try (InputStream in = Files.newInputStream(feed); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FeedFormatException(1, "$: expected an object with \"systems\"");
            }
            int count = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("systems")) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new FeedFormatException(p.currentLocation().getLineNr(), "$.systems: must be an array");
                    }
                    count = systems(p, sink);
                } else {
                    p.skipChildren();
                }
            }
            if (count <= 0) {
                throw new FeedFormatException(1, count < 0 ? "$.systems is missing" : "$.systems is empty");
            }
            return count;
        } catch (JsonParseException e) {
            throw new FeedFormatException(e.getLocation().getLineNr(), "column " + e.getLocation().getColumnNr()
                    + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private int systems(JsonParser p, Sink sink) throws IOException, FeedFormatException {
        int index = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int line = p.currentLocation().getLineNr();
            String system = null;
            String value = null;
            String date = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                String text = t.isScalarValue() && t != JsonToken.VALUE_NULL ? p.getText().strip() : null;
                if (!t.isScalarValue()) {
                    p.skipChildren();
                }
                switch (name) {
                    case "fk_System" -> system = text;
                    case "metervalue" -> value = text;
                    case "meterDate" -> date = text;
                    default -> { }
                }
            }
            emit(line, "$.systems[" + index + "]", system, value, date, sink);
            index++;
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new FeedFormatException(p.currentLocation().getLineNr(), "$.systems[" + index + "]: must be an object");
        }
        return index;
    }

    private void emit(int line, String path, String systemId, String value, String date, Sink sink) throws IOException {
        if (systemId == null || systemId.isEmpty()) {
            sink.invalid(new InvalidRecord(line, null, null, path + ": fk_System is empty"));
            return;
        }
        String meter = registeredMeter.apply(systemId);
        if (meter == null) {
            sink.invalid(new InvalidRecord(line, systemId, null, path + ": system " + systemId
                    + " has no registered meter_serial and the payload names none"));
            return;
        }
        Instant readAt;
        try {
            readAt = PtsLocalTime.resolve(date, zone);
        } catch (IllegalArgumentException e) {
            sink.invalid(new InvalidRecord(line, systemId, meter, path + ": meterDate: " + e.getMessage()));
            return;
        }
        values.emit(line, systemId, meter, readAt.toString(), value, sink);
    }
}
