package org.ptsingest.service.web;

import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * The Accept header, for the handlers that choose their representation themselves (a receipt as JSON or XML, the
 * missing reports as JSON or CSV). Spring's parser throws on a header it cannot read ({@code *}{@code /*;q=NaN},
 * {@code ,,,;;;}, a quality above 1); before, that escaped as a 500 — for a feed post, after the feed had been
 * judged and stored. Now it is {@link Unreadable}, answered 400 by {@link BadParameters}, and a feed post reads
 * the header before it reads the feed.
 */
public final class AcceptHeader {
    private AcceptHeader() {
    }

    /** The media types asked for, in the header's order; none for an absent or blank header. */
    public static List<MediaType> parse(String accept) {
        if (accept == null || accept.isBlank()) {
            return List.of();
        }
        try {
            return MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            // Spring's message quotes the media type, then says why: keep the why (the header is quoted apart)
            String message = String.valueOf(e.getMessage());
            String quoted = "\"" + e.getMediaType() + "\": ";
            int why = message.indexOf(quoted);
            throw new Unreadable(accept, why < 0 ? message : message.substring(why + quoted.length()));
        }
    }

    /** An Accept header that is not a list of media types. */
    public static final class Unreadable extends RuntimeException {
        private final String header;

        Unreadable(String header, String reason) {
            super(reason);
            this.header = header;
        }

        public String header() {
            return header;
        }
    }
}
