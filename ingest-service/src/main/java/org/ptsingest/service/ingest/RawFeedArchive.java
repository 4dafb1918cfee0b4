package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.RAW_CHUNK;
import static org.ptsingest.service.persistence.jooq.Tables.RAW_CONTENT;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jooq.DSLContext;
import org.springframework.stereotype.Component;

/**
 * Keeps the raw bytes of every delivery in PostgreSQL ({@code raw_content}, {@code raw_chunk}),
 * content-addressed by SHA-256 and written in the transaction that records the delivery: a recorded
 * delivery always has its bytes, identical bytes are stored once, and any instance can judge, serve or
 * reprocess any delivery. Bytes move in chunks of {@value #CHUNK} bytes, so a feed of any size costs
 * one chunk of memory.
 */
@Component
public class RawFeedArchive {
    static final int CHUNK = 1 << 20;

    /** The SHA-256 (hex) and size of some bytes. */
    public record Digest(String sha256, long byteCount) {}

    private final DSLContext dsl;

    public RawFeedArchive(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Hash and size of a local file (one read). */
    public Digest digest(Path content) throws IOException {
        MessageDigest sha = sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(content), sha)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return new Digest(HexFormat.of().formatHex(sha.digest()), size);
    }

    /**
     * Stores the bytes of {@code content} under their digest, unless they are stored already; joins the
     * caller's transaction. Two deliveries of the same bytes at once: the second insert waits for the
     * first transaction and writes nothing when it committed.
     */
    public void store(Path content, Digest digest) throws IOException {
        int inserted = dsl.insertInto(RAW_CONTENT)
                .set(RAW_CONTENT.SHA256, digest.sha256())
                .set(RAW_CONTENT.BYTE_COUNT, digest.byteCount())
                .onConflictDoNothing()
                .execute();
        if (inserted == 0) {
            return;
        }
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(content)) {
            for (int seq = 0; ; seq++) {
                int n = in.readNBytes(buffer, 0, CHUNK);
                if (n == 0 && seq > 0) {
                    break;
                }
                byte[] chunk = n == CHUNK ? buffer : java.util.Arrays.copyOf(buffer, n);
                dsl.insertInto(RAW_CHUNK).set(RAW_CHUNK.SHA256, digest.sha256()).set(RAW_CHUNK.SEQ, seq)
                        .set(RAW_CHUNK.BYTES, chunk).execute();
                if (n < CHUNK) {
                    break;
                }
            }
        }
    }

    public boolean has(String sha256) {
        return dsl.fetchExists(RAW_CONTENT, RAW_CONTENT.SHA256.eq(sha256));
    }

    /** The stored bytes as a stream, one chunk read at a time. */
    public InputStream open(String sha256) {
        if (!has(sha256)) {
            throw new IllegalStateException("no raw bytes stored for SHA-256 " + sha256);
        }
        return new InputStream() {
            private int seq;
            private byte[] chunk = new byte[0];
            private int pos;
            private boolean done;

            private boolean fill() {
                while (!done && pos >= chunk.length) {
                    byte[] next = dsl.select(RAW_CHUNK.BYTES).from(RAW_CHUNK)
                            .where(RAW_CHUNK.SHA256.eq(sha256), RAW_CHUNK.SEQ.eq(seq++)).fetchOne(RAW_CHUNK.BYTES);
                    if (next == null) {
                        done = true;
                    } else {
                        chunk = next;
                        pos = 0;
                    }
                }
                return pos < chunk.length;
            }

            @Override
            public int read() {
                return fill() ? chunk[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** Copies the stored bytes to a new file in {@code dir} (the readers parse files; feeds outgrow memory). */
    public Path fetch(String sha256, Path dir, String prefix) throws IOException {
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, prefix, ".raw");
        try (InputStream in = open(sha256); OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
