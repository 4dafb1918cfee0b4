package org.ptsingest.feed.pts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.ptsingest.feed.FeedEncoding;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.json.JsonDocuments;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.TextValues;

/**
 * The PTS REST body DAS clients already send: {@code {"APIKey": "...", "systems": [{"fk_System": "...",
 * "metervalue": "...", "meterDate": "..."}]}}, values as strings. Translated at the edge like
 * {@link ArDataReader}: local date-times in the programme's zone, the meter installed at that time.
 * The APIKey member is not used (clients send the same key in a header, which authenticates them).
 */
public final class PtsJsonReader implements FeedReader {

    private final PtsReadings readings;

    public PtsJsonReader(ZoneId zone, MeterAttribution meters) {
        this.readings = new PtsReadings(zone, meters, "fk_System", "meterDate");
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        FeedEncoding.requireUtf8(feed);
        JsonParser parser = null;
        try (InputStream in = Files.newInputStream(feed); JsonParser p = JsonDocuments.FACTORY.createParser(in)) {
            parser = p;
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
        } catch (JsonProcessingException e) {
            throw JsonDocuments.rejection(e, parser);
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
                String text = t.isScalarValue() && t != JsonToken.VALUE_NULL ? TextValues.trimSpace(p.getText()) : null;
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
            readings.emit(index + 1, line, "$.systems[" + index + "]: ", system, value, date, sink);
            index++;
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new FeedFormatException(p.currentLocation().getLineNr(), "$.systems[" + index + "]: must be an object");
        }
        return index;
    }
}
