package org.ptsingest.service.web;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;

/** A feed's archived bytes as a download, for the API and the console alike. */
public final class RawBytes {
    private RawBytes() {}

    public static ResponseEntity<FileSystemResource> download(FeedRecord feed) {
        Path file = Path.of(feed.getRawLocation());
        if (!Files.exists(file)) {
            throw new ResponseStatusException(HttpStatus.GONE,
                    "raw bytes of feed " + feed.getFeedId() + " are missing at " + file);
        }
        // The file name comes from the provider: nothing in it may end the header value or the line.
        String name = feed.getFileName().replaceAll("[\"\\\\\\r\\n]", "_");
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .body(new FileSystemResource(file));
    }
}
