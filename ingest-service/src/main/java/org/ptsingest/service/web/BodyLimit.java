package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.ptsingest.feed.Echo;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request body read through a cap ({@code ingest.https.max-feed-size}): past it, {@link TooLarge}, a 413. The
 * PTS endpoints copied their bodies to disk without one, so a client streaming without end (or a mistake of a
 * few hundred gigabytes) filled the data directory every provider's feeds live in.
 *
 * <p>{@link #open} also undoes a {@code Content-Encoding: gzip} (providers compress large feeds; before, the
 * compressed bytes were judged as the feed and rejected as unreadable), the cap then counting what the feed
 * is once decompressed, so a small body that inflates without end is refused like a large one. Any other
 * coding is a 415, a body that is not gzip after all a 400: neither is the feed's fault, so neither is judged.
 */
final class BodyLimit extends FilterInputStream {
    private final long max;
    private long count;

    BodyLimit(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    /**
     * The request's feed: its body as sent, or decompressed for {@code Content-Encoding: gzip}, read through
     * the cap. A declared length over the cap is refused before a byte is read.
     */
    static InputStream open(HttpServletRequest request, long max) throws IOException {
        if (request.getContentLengthLong() > max) {
            throw new TooLarge(max);
        }
        String coding = request.getHeader("Content-Encoding");
        coding = coding == null ? "" : coding.strip().toLowerCase(Locale.ROOT);
        if (coding.isEmpty() || coding.equals("identity")) {
            return new BodyLimit(request.getInputStream(), max);
        }
        if (coding.equals("gzip") || coding.equals("x-gzip")) {
            return new BodyLimit(new Gunzip(request.getInputStream()), max);
        }
        throw new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding "
                + Echo.quote(request.getHeader("Content-Encoding")) + " is not supported: send the feed as it is, or gzip");
    }

    /** gzip, its format errors said as the client's (400), not as the service's (500). */
    private static final class Gunzip extends FilterInputStream {
        private boolean started;

        Gunzip(InputStream raw) {
            super(raw);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        /** Skips decompressed bytes (FilterInputStream's would skip compressed ones). */
        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
            long skipped = 0;
            for (int r; skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0; ) {
                skipped += r;
            }
            return skipped;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                if (!started) {
                    in = new GZIPInputStream(in, 1 << 16); // reads the header: the first failure is here
                    started = true;
                }
                return in.read(buffer, offset, length);
            } catch (ZipException | EOFException e) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the body is not gzip as its Content-Encoding"
                        + " says (" + Echo.escape(String.valueOf(e.getMessage())) + ")");
            }
        }
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
