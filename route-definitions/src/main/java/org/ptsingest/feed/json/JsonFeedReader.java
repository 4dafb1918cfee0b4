package org.ptsingest.feed.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.csv.CsvFeedContract;

/**
 * JSON feed v1 ({@code schemas/json-feed-v1.schema.json}) read with Jackson's streaming parser: the
 * envelope is walked token by token, and only one reading at a time becomes a tree, validated against
 * the schema's {@code reading} definition (networknt) — a whole-document validator would hold the feed
 * in memory. Errors name the JSON path ({@code $.readings[41].register_kwh}) and the line.
 */
public final class JsonFeedReader implements FeedReader {
    public static final String SCHEMA_RESOURCE = "/schemas/json-feed-v1.schema.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1 << 16).maxNestingDepth(16).build())
            .build();
    private static final JsonSchema READING;
    private static final JsonSchema HEADER;

    static {
        try (InputStream in = JsonFeedReader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            JsonNode schema = MAPPER.readTree(in);
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
            READING = factory.getSchema(schema.at("/$defs/reading"));
            HEADER = factory.getSchema(schema.at("/$defs/header"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + SCHEMA_RESOURCE, e);
        }
    }

    private final String expectedProvider;
    private final ReadingValues values = CsvFeedContract.v1().newValues();

    /** @param expectedProvider the provider delivering the feed; the header must name it (null: not checked) */
    public JsonFeedReader(String expectedProvider) {
        this.expectedProvider = expectedProvider;
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        try (InputStream in = Files.newInputStream(feed); JsonParser p = JSON.createParser(in)) {
            p.setCodec(MAPPER);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw structural(p, "$", "a feed is a JSON object with \"header\" and \"readings\"");
            }
            boolean header = false;
            int count = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "header" -> {
                        header(p);
                        header = true;
                    }
                    case "readings" -> count = readings(p, sink);
                    default -> throw structural(p, "$." + field, "unknown member (expected header, readings)");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw structural(p, "$", "unexpected content after the feed object");
            }
            if (!header) {
                throw structural(p, "$.header", "the header is missing");
            }
            if (count <= 0) {
                throw structural(p, "$.readings", count < 0 ? "the readings array is missing" : "the feed has no readings");
            }
            return count;
        } catch (JsonParseException e) {
            throw new FeedFormatException(e.getLocation().getLineNr(), "column " + e.getLocation().getColumnNr()
                    + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void header(JsonParser p) throws IOException, FeedFormatException {
        int line = p.currentLocation().getLineNr();
        JsonNode node = p.readValueAsTree();
        Set<ValidationMessage> errors = HEADER.validate(node);
        if (!errors.isEmpty()) {
            throw new FeedFormatException(line, "$.header: " + first(errors));
        }
        String provider = node.get("provider_id").asText();
        if (expectedProvider != null && !expectedProvider.equals(provider)) {
            throw new FeedFormatException(line, "$.header.provider_id '" + provider
                    + "' is not the sending provider " + expectedProvider);
        }
    }

    private int readings(JsonParser p, Sink sink) throws IOException, FeedFormatException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw structural(p, "$.readings", "must be an array of readings");
        }
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == null) {
                throw structural(p, "$.readings", "the array is not closed");
            }
            int line = p.currentLocation().getLineNr();
            String path = "$.readings[" + index + "]";
            JsonNode reading = p.readValueAsTree();
            Set<ValidationMessage> errors = READING.validate(reading);
            if (!errors.isEmpty()) {
                sink.invalid(new InvalidRecord(line, text(reading, "system_id"), text(reading, "meter_serial"),
                        path + first(errors).replaceFirst("^\\$", "")));
            } else {
                values.emit(line, reading.get("system_id").asText().strip(), reading.get("meter_serial").asText().strip(),
                        reading.get("read_at").asText().strip(), reading.get("register_kwh").asText().strip(),
                        new PathSink(sink, path));
            }
            index++;
        }
        return index;
    }

    /** Prefixes value problems with the reading's JSON path, e.g. {@code $.readings[3]: register_kwh -5 is negative}. */
    private record PathSink(Sink sink, String path) implements Sink {
        @Override
        public void reading(org.ptsingest.feed.ParsedReading reading) throws IOException {
            sink.reading(reading);
        }

        @Override
        public void invalid(InvalidRecord r) throws IOException {
            sink.invalid(new InvalidRecord(r.line(), r.systemId(), r.meterSerial(), path + ": " + r.message()));
        }
    }

    private static String text(JsonNode reading, String field) {
        JsonNode v = reading.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText().strip() : null;
    }

    private static String first(Set<ValidationMessage> errors) {
        return errors.stream().map(ValidationMessage::getMessage).sorted().findFirst().orElse("invalid");
    }

    private static FeedFormatException structural(JsonParser p, String path, String message) {
        return new FeedFormatException(p.currentLocation().getLineNr(), path + ": " + message);
    }
}
