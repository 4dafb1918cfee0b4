package org.ptsingest.routes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.pipeline.FeedPipeline;
import org.springframework.stereotype.Component;

/**
 * Renders a receipt to a local file the channel then sends on (a receipt listing every rejected
 * reading of a large feed is too big to hold in memory). One file per feed id, overwritten.
 */
@Component
public class ReceiptFiles {
    private final FeedPipeline pipeline;
    private final Path dir;

    public ReceiptFiles(FeedPipeline pipeline, IngestProperties properties) {
        this.pipeline = pipeline;
        this.dir = properties.workDir().resolve("receipts");
    }

    public java.io.File render(long feedId) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(feedId + ".receipt.json");
        Path tmp = dir.resolve(feedId + ".receipt.json.tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            pipeline.writeReceipt(feedId, out);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target.toFile();
    }

    /** Once the channel delivered the receipt; a failed delivery keeps it until the retry renders it again. */
    public void discard(long feedId) throws IOException {
        Files.deleteIfExists(dir.resolve(feedId + ".receipt.json"));
    }
}
