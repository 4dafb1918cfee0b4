package org.ptsingest.feed.csv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.ptsingest.feed.ReadingValues;

/**
 * CSV feed v1 as published in {@code schemas/csv-feed-v1.tableschema.json}: the parser takes its
 * column names and limits from the same document providers read, so the two cannot drift apart.
 */
public record CsvFeedContract(List<String> columns, int maxTextLength, int maxDecimals, int maxIntegerDigits) {

    public static final String RESOURCE = "/schemas/csv-feed-v1.tableschema.json";
    public static final String SYSTEM_ID = "system_id";
    public static final String METER_SERIAL = "meter_serial";
    public static final String READ_AT = "read_at";
    public static final String REGISTER_KWH = "register_kwh";

    private static final CsvFeedContract V1 = load();

    public static CsvFeedContract v1() {
        return V1;
    }

    /**
     * Fresh value rules with this contract's limits; every format (XML, JSON, PTS payloads) uses
     * them, so the limits live in one published document.
     */
    public ReadingValues newValues() {
        return new ReadingValues(maxTextLength, maxDecimals, maxIntegerDigits);
    }

    private static CsvFeedContract load() {
        try (InputStream in = CsvFeedContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath (schemas module missing?)");
            }
            JsonNode schema = new ObjectMapper().readTree(in);
            List<String> columns = new ArrayList<>();
            int maxText = Integer.MAX_VALUE;
            int maxDecimals = 0;
            int maxIntegerDigits = 0;
            for (JsonNode field : schema.path("fields")) {
                String name = field.path("name").asText();
                columns.add(name);
                JsonNode c = field.path("constraints");
                if (c.has("maxLength")) {
                    maxText = Math.min(maxText, c.get("maxLength").asInt());
                }
                if (c.has("maxDecimals")) {
                    maxDecimals = c.get("maxDecimals").asInt();
                    maxIntegerDigits = c.path("maxIntegerDigits").asInt(Integer.MAX_VALUE);
                }
            }
            List<String> expected = List.of(SYSTEM_ID, METER_SERIAL, READ_AT, REGISTER_KWH);
            if (!columns.containsAll(expected) || columns.size() != expected.size()) {
                throw new IllegalStateException(RESOURCE + " declares " + columns + ", parser knows " + expected);
            }
            return new CsvFeedContract(List.copyOf(columns), maxText, maxDecimals, maxIntegerDigits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
