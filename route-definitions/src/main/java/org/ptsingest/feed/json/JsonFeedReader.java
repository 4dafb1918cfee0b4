package org.ptsingest.feed.json;

import static org.ptsingest.feed.TextValues.trimSpace;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedEncoding;
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
        FeedEncoding.requireUtf8(feed);
        JsonParser parser = null;
        try (InputStream in = Files.newInputStream(feed); JsonParser p = JsonDocuments.FACTORY.createParser(in)) {
            parser = p;
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
        } catch (JsonProcessingException e) {
            throw JsonDocuments.rejection(e, parser);
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
            throw new FeedFormatException(line, "$.header.provider_id " + Echo.quote(provider)
                    + " is not the sending provider " + expectedProvider);
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
            int record = index + 1;
            String path = "$.readings[" + index + "]";
            Map<String, String> numbers = new HashMap<>();
            JsonNode reading = readReading(p, numbers);
            Set<ValidationMessage> errors = READING.validate(reading);
            if (!errors.isEmpty()) {
                sink.invalid(new InvalidRecord(record, line, values.idOrNull(text(reading, "system_id")),
                        values.idOrNull(text(reading, "meter_serial")),
                        path + Echo.message(first(errors).replaceFirst("^\\$", ""), 300)));
            } else {
                String kwh = numbers.getOrDefault("register_kwh", reading.get("register_kwh").asText());
                values.emit(record, line, trimSpace(reading.get("system_id").asText()),
                        trimSpace(reading.get("meter_serial").asText()), trimSpace(reading.get("read_at").asText()),
                        trimSpace(kwh), new PathSink(sink, path));
            }
            index++;
        }
        return index;
    }

    /**
     * One reading as a tree for the schema, keeping each number's text as written: Jackson's numeric
     * nodes would turn {@code 1E+3} into {@code 1000.0} and hide an exponent the contract forbids, so
     * the value rules see the text (the node only serves the schema's type check).
     */
    private static JsonNode readReading(JsonParser p, Map<String, String> numbers) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return p.readValueAsTree();
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                numbers.put(name, p.getText());
                node.set(name, value == JsonToken.VALUE_NUMBER_INT ? IntNode.valueOf(0) : DoubleNode.valueOf(0));
            } else {
                node.set(name, p.readValueAsTree());
            }
        }
        return node;
    }

    /** Prefixes value problems with the reading's JSON path, e.g. {@code $.readings[3]: register_kwh -5 is negative}. */
    private record PathSink(Sink sink, String path) implements Sink {
        @Override
        public void reading(org.ptsingest.feed.ParsedReading reading) throws IOException {
            sink.reading(reading);
        }

        @Override
        public void invalid(InvalidRecord r) throws IOException {
            sink.invalid(new InvalidRecord(r.record(), r.line(), r.systemId(), r.meterSerial(), path + ": " + r.message()));
        }
    }

    private static String text(JsonNode reading, String field) {
        JsonNode v = reading.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? trimSpace(v.asText()) : null;
    }

    private static String first(Set<ValidationMessage> errors) {
        return errors.stream().map(ValidationMessage::getMessage).sorted().findFirst().orElse("invalid");
    }

    private static FeedFormatException structural(JsonParser p, String path, String message) {
        return new FeedFormatException(p.currentLocation().getLineNr(), path + ": " + message);
    }
}
