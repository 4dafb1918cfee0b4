package org.ptsingest.feed.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFormatException;

/**
 * How every JSON payload (JSON feed v1, the PTS REST body) is parsed: the limits a document must keep
 * and how a parser's refusal becomes SCHEMA_VIOLATION. Limits: strings up to {@value #MAX_STRING}
 * characters, numbers up to {@value #MAX_STRING} characters (a long number is then a value problem of
 * its reading, as in CSV), nesting up to {@value #MAX_DEPTH} levels; a member name twice in one object
 * rejects the document (it would otherwise count one set of readings and store another).
 */
public final class JsonDocuments {
    public static final int MAX_STRING = 1 << 16;
    public static final int MAX_DEPTH = 16;
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(MAX_STRING).maxNumberLength(MAX_STRING).maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonDocuments() {}

    /** A parser's refusal (syntax, duplicate member, a limit) as the document's rejection, with line and column. */
    public static FeedFormatException rejection(JsonProcessingException e, JsonParser p) {
        JsonLocation at = e.getLocation() != null ? e.getLocation() : p == null ? null : p.currentLocation();
        long line = at == null ? 1 : Math.max(1, at.getLineNr());
        long column = at == null ? 1 : Math.max(1, at.getColumnNr());
        String what = e instanceof StreamConstraintsException ? "exceeds a limit of the format (strings and numbers "
                + "up to " + MAX_STRING + " characters, nesting up to " + MAX_DEPTH + " levels): "
                : "not valid JSON: ";
        return new FeedFormatException(line, "column " + column + ": " + what
                + Echo.message(e.getOriginalMessage(), 300), e);
    }
}
