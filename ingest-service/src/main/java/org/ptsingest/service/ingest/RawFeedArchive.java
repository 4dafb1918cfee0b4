package org.ptsingest.service.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * Keeps the raw bytes of every feed, content-addressed by SHA-256 under {@code ingest.data-dir/archive},
 * so any feed can be inspected and reprocessed. Written and synced before the feed's transaction
 * commits, so a committed feed always has its bytes; identical bytes are stored once.
 */
@Component
public class RawFeedArchive {

    public record Archived(String sha256, long byteCount, Path location) {}

    private final Path root;

    public RawFeedArchive(IngestProperties properties) {
        this.root = properties.archiveDir();
    }

    public Archived store(Path content) throws IOException {
        if (content.toAbsolutePath().normalize().startsWith(root.toAbsolutePath().normalize())) {
            return digest(content); // already archived (a 202 delivery): hash it, do not copy it again
        }
        Files.createDirectories(root);
        Path tmp = root.resolve(".incoming-" + UUID.randomUUID());
        MessageDigest sha = sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(content), sha);
                OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
            size = in.transferTo(out);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Path target = locate(hex);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            Files.delete(tmp);
        } else {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Archived(hex, size, target);
    }

    /** Hash and size only, nothing kept (dry runs store nothing). */
    public Archived digest(Path content) throws IOException {
        MessageDigest sha = sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(content), sha)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return new Archived(HexFormat.of().formatHex(sha.digest()), size, content);
    }

    public Path locate(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
