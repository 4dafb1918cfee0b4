package org.ptsingest.service.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request body read through a cap ({@code ingest.https.max-feed-size}): past it, {@link TooLarge}, a 413. The
 * PTS endpoints copied their bodies to disk without one, so a client streaming without end (or a mistake of a
 * few hundred gigabytes) filled the data directory every provider's feeds live in.
 */
final class BodyLimit extends FilterInputStream {
    private final long max;
    private long count;

    BodyLimit(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    /** The body is over the cap. Unchecked, so it passes through a parser that reads the stream. */
    static final class TooLarge extends ResponseStatusException {
        TooLarge(long max) {
            super(HttpStatus.PAYLOAD_TOO_LARGE, "body over " + max + " bytes (ingest.https.max-feed-size)");
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        counted(skipped);
        return skipped;
    }

    private void counted(long n) {
        count += n;
        if (count > max) {
            throw new TooLarge(max);
        }
    }
}
