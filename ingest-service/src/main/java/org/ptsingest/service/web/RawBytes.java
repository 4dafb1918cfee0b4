package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ptsingest.service.ingest.RawFeedArchive;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * A feed's bytes as received, as a download, for the API and the console alike: streamed from the
 * database (any instance serves any feed), chunk by chunk.
 */
@Component
public class RawBytes {
    private final RawFeedArchive archive;

    RawBytes(RawFeedArchive archive) {
        this.archive = archive;
    }

    /** The bytes as a stream (the caller closes it); the console reads lines around a record from it. */
    public InputStream open(FeedRecord feed) throws IOException {
        if (archive.has(feed.getSha256())) {
            return archive.open(feed.getSha256());
        }
        // Feeds received before the bytes moved into the database kept them in the local archive.
        Path legacy = feed.getRawLocation() == null ? null : Path.of(feed.getRawLocation());
        if (legacy != null && Files.exists(legacy)) {
            return Files.newInputStream(legacy);
        }
        throw new ResponseStatusException(HttpStatus.GONE, "the raw bytes of feed " + feed.getFeedId() + " are not stored");
    }

    public void download(FeedRecord feed, HttpServletResponse response) throws IOException {
        try (InputStream in = open(feed)) {
            // The file name comes from the provider: nothing in it may end the header value or the line.
            String name = feed.getFileName().replaceAll("[\"\\\\\\r\\n]", "_");
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
            response.setContentLengthLong(feed.getByteCount());
            in.transferTo(response.getOutputStream());
        }
    }
}
