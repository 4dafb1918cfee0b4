package org.ptsingest.service.as2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.time.Duration;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLSession;
import org.apache.camel.component.as2.api.AS2Header;
import org.apache.camel.component.as2.api.AS2ServerConnection;
import org.apache.camel.component.as2.api.entity.EntityParser;
import org.apache.camel.component.as2.api.protocol.ResponseMDN;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.Http1StreamListener;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.HttpServerConnection;
import org.apache.hc.core5.http.io.HttpServerRequestHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpProcessor;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Camel 4.17's AS2 server (its own HttpCore listener, not Tomcat, one thread per connection)
 * does not let us configure, done by replacing the listener's {@link HttpService} with an identical one:
 * <ul>
 *   <li>a request-size limit: Camel reads and parses the whole body as the request arrives, before any
 *       interceptor or handler runs; a {@code Content-Length} above {@code max-message-size} is answered
 *       413 before one byte of the body is read (a chunked body without a length is not limited here);</li>
 *   <li>a bound on the messages processed at once ({@code max-concurrent-messages}): one more is read,
 *       then answered 503 with {@code Retry-After}, so the partner sends it again later, rather than
 *       waiting behind the others or starving the database pool;</li>
 *   <li>a read timeout: Camel sets none on the connections it accepts, so a client that sends half a
 *       request and falls silent holds a thread for ever; the socket timeout is set before each
 *       request is read, and a silent connection is closed after it;</li>
 *   <li>a request body whose MIME structure Camel cannot parse (a {@code multipart/signed} without a
 *       {@code boundary}, for one) is the sender's fault, but Camel parses the body before any handler
 *       runs and wraps the failure in a plain {@link HttpException}, which HttpCore answers 500 ("try
 *       again later", so partners resend it for ever): exactly those failures are answered 400;</li>
 *   <li>the body's bytes as they came ({@value #BODY}): Camel's connection parses the body straight from
 *       the socket with a line reader ({@code AS2SessionInputBuffer.readLine}) that loses a CR when one
 *       read of the socket ends with it and the next begins with its LF (it looks for the CR in the new
 *       read only). A binary envelope is random bytes: it then arrives one byte short and does not
 *       decrypt, and the partner gets {@code decryption-failed} for a message it encrypted correctly.
 *       Where a read ends depends on how the bytes arrived (a random envelope has a CR LF pair across
 *       about one read's end in 65,536). The body is read whole here first, kept for
 *       {@link As2Admission}, and only then parsed by Camel, from those bytes.</li>
 * </ul>
 * The fields are read by reflection: {@code As2EdgesIT} fails if a Camel upgrade moves them.
 */
final class As2HttpService {
    private static final Logger log = LoggerFactory.getLogger(As2HttpService.class);
    private As2HttpService() {}

    /** Refused before the message is processed, with the status that says why. */
    static final class Refusal extends HttpException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Seconds a partner is asked to wait after a 503: about one message's processing time. */
    static final String RETRY_AFTER_SECONDS = "10";
    private static final String PERMIT = "pts.as2.permit";
    /** HTTP context attribute: the AS2-From whose permit (of {@link PartnerPermits}) the request holds. */
    private static final String PARTNER_PERMIT = "pts.as2.partner-permit";

    /**
     * Messages in process per {@code AS2-From} (as sent: the sender is not authenticated before its body is read
     * and decrypted), at most {@code max} each, so one partner's burst leaves permits for the others. A name
     * holds an entry only while it has messages in process.
     */
    static final class PartnerPermits {
        private final int max;
        private final ConcurrentHashMap<String, Integer> inProcess = new ConcurrentHashMap<>();

        PartnerPermits(int max) {
            this.max = max;
        }

        boolean tryAcquire(String partner) {
            boolean[] taken = {false};
            inProcess.compute(partner, (k, n) -> {
                int now = n == null ? 0 : n;
                taken[0] = now < max;
                return taken[0] ? now + 1 : (now == 0 ? null : now);
            });
            return taken[0];
        }

        void release(String partner) {
            inProcess.computeIfPresent(partner, (k, n) -> n <= 1 ? null : n - 1);
        }

        int max() {
            return max;
        }
    }
    /** HTTP context attribute: the request body ({@code byte[]}) exactly as received, transfer encoding not undone. */
    static final String BODY = "pts.as2.body";

    static void install(AS2ServerConnection server, Duration readTimeout, long maxMessageBytes, int maxConcurrent,
            int maxPerPartner) {
        Semaphore permits = new Semaphore(maxConcurrent);
        PartnerPermits partnerPermits = new PartnerPermits(maxPerPartner);
        try {
            Object listener = read(AS2ServerConnection.class, server, "listenerService");
            HttpService original = (HttpService) read(listener.getClass(), listener, "httpService");
            HttpService replacement = new HttpService(
                    (HttpProcessor) read(HttpService.class, original, "processor"),
                    (HttpServerRequestHandler) read(HttpService.class, original, "requestHandler"),
                    (Http1Config) read(HttpService.class, original, "http1Config"),
                    (ConnectionReuseStrategy) read(HttpService.class, original, "connReuseStrategy"),
                    (Http1StreamListener) read(HttpService.class, original, "streamListener")) {
                @Override
                public void handleRequest(HttpServerConnection conn, HttpContext context)
                        throws IOException, HttpException {
                    conn.setSocketTimeout(Timeout.of(readTimeout));
                    try {
                        super.handleRequest(new Guarded(conn, context, permits, partnerPermits, maxMessageBytes,
                                maxConcurrent), context);
                    } finally {
                        // Camel's server keeps one context per connection, across its requests: what one
                        // message left there (its body, admission, outcome, the component's refusal) must not
                        // answer the next message on a kept-alive connection.
                        for (String perRequest : new String[] {BODY, As2Messages.ADMITTED, As2Messages.CONTENT_FILE,
                                As2Messages.OUTCOME, ResponseMDN.DISPOSITION_MODIFIER}) {
                            context.removeAttribute(perRequest);
                        }
                        if (context.removeAttribute(PERMIT) != null) {
                            permits.release();
                        }
                        if (context.removeAttribute(PARTNER_PERMIT) instanceof String partner) {
                            partnerPermits.release(partner);
                        }
                    }
                }

                @Override
                protected int toStatusCode(Exception e) {
                    if (e instanceof Refusal refusal) {
                        return refusal.status;
                    }
                    if (isParseFailure(e)) {
                        // Camel's body parser refused the request: say why, the partner only sees "400".
                        log.warn("AS2 request answered 400: {}", rootCause(e));
                        return HttpStatus.SC_BAD_REQUEST;
                    }
                    return super.toStatusCode(e);
                }

                @Override
                protected void handleException(HttpException e, ClassicHttpResponse response) {
                    super.handleException(e, response);
                    if (e instanceof Refusal refusal && refusal.status == HttpStatus.SC_SERVICE_UNAVAILABLE) {
                        response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
                    }
                    if (e instanceof Refusal refusal && refusal.status == HttpStatus.SC_REQUEST_TOO_LONG) {
                        // what is left of a body above the limit is not read: it cannot be the next request
                        response.setHeader(HttpHeaders.CONNECTION, "close");
                    }
                }
            };
            Field field = listener.getClass().getDeclaredField("httpService");
            field.setAccessible(true);
            field.set(listener, replacement);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("Camel's AS2 server is not built as in 4.17; cannot set its read "
                    + "timeout nor answer unparseable bodies with 400", e);
        }
    }

    private static String rootCause(Throwable e) {
        StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            why.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return Echo.message(why.toString(), As2Admission.MAX_DETAIL); // it can quote a header of any length
    }

    /** Thrown by Camel's body parser itself, not by a handler of ours (which may mean "send it again"). */
    static boolean isParseFailure(Exception e) {
        return e instanceof HttpException && Arrays.stream(e.getStackTrace()).anyMatch(f ->
                f.getClassName().equals(EntityParser.class.getName()) && f.getMethodName().equals("parseAS2MessageEntity"))
                && Arrays.stream(e.getStackTrace()).noneMatch(f -> f.getClassName().equals(As2Door.class.getName()));
    }

    /**
     * The connection as HttpService sees it, checking each request between its head and its body: the
     * only point where Camel's connection has not yet read the body.
     */
    private static final class Guarded implements HttpServerConnection {
        private final HttpServerConnection conn;
        private final HttpContext context;
        private final Semaphore permits;
        private final PartnerPermits partnerPermits;
        private final long maxMessageBytes;
        private final int maxConcurrent;

        Guarded(HttpServerConnection conn, HttpContext context, Semaphore permits, PartnerPermits partnerPermits,
                long maxMessageBytes, int maxConcurrent) {
            this.conn = conn;
            this.context = context;
            this.permits = permits;
            this.partnerPermits = partnerPermits;
            this.maxMessageBytes = maxMessageBytes;
            this.maxConcurrent = maxConcurrent;
        }

        @Override
        public void receiveRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
            Header length = request.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length.getValue())) {
                log.warn("AS2 request from {} answered 413: Content-Length {}", conn.getRemoteAddress(),
                        length.getValue().trim());
                throw new Refusal(HttpStatus.SC_REQUEST_TOO_LONG, "AS2 messages are limited to " + maxMessageBytes
                        + " bytes (Content-Length " + length.getValue().trim() + ")\n");
            }
            if (expectsContinue(request)) {
                // Camel's connection reads the whole body here, before HttpCore's expectation handler would
                // answer 100 Continue, so a client that waits for it (HttpCore's, curl for bodies over 1 KiB)
                // holds its body until its own wait ends (3 s in HttpCore, 1 s in curl): every message was
                // that much slower, and one sent near the read timeout failed. Answer it now, once.
                conn.sendResponseHeader(new BasicClassicHttpResponse(HttpStatus.SC_CONTINUE));
                conn.flush();
                request.removeHeaders(HttpHeaders.EXPECT);
            }
            // The permit before the body is kept: at most max-concurrent-messages bodies are in memory. One
            // beyond that is still read, and dropped as it comes: a connection closed on an unread body is
            // reset, and the partner would see a broken connection instead of the 503.
            // The partner's share first: a partner at its share does not take a permit another partner could use.
            String partner = partnerOf(request);
            if (!partnerPermits.tryAcquire(partner)) {
                receiveBody(request, false);
                log.warn("AS2 request from {} answered 503: AS2-From {} has {} messages in process",
                        conn.getRemoteAddress(), Echo.quote(partner), partnerPermits.max());
                throw new Refusal(HttpStatus.SC_SERVICE_UNAVAILABLE, "this AS2-From has " + partnerPermits.max()
                        + " messages in process, as many as one partner may; send this one again after "
                        + RETRY_AFTER_SECONDS + " s\n");
            }
            context.setAttribute(PARTNER_PERMIT, partner);
            if (!permits.tryAcquire()) {
                receiveBody(request, false);
                log.warn("AS2 request from {} answered 503: {} messages in process", conn.getRemoteAddress(),
                        maxConcurrent);
                throw new Refusal(HttpStatus.SC_SERVICE_UNAVAILABLE, "the AS2 endpoint is processing as many "
                        + "messages as it may; send this one again after " + RETRY_AFTER_SECONDS + " s\n");
            }
            context.setAttribute(PERMIT, Boolean.TRUE);
            receiveBody(request, true);
        }

        /** The AS2-From as a partner's key: trimmed, unquoted, at most a header's worth. */
        private static String partnerOf(ClassicHttpRequest request) {
            Header from = request.getFirstHeader(AS2Header.AS2_FROM);
            String name = from == null || from.getValue() == null ? "" : from.getValue().trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1);
            }
            return name.length() > 256 ? name.substring(0, 256) : name;
        }

        /**
         * What Camel's connection does in {@code receiveRequestEntity} — HttpCore's entity, then Camel's
         * {@link EntityParser#parseAS2MessageEntity} — but with the body read whole in between, so Camel
         * parses it from memory and the bytes as received are kept ({@value #BODY}). Camel's connection
         * parses nothing while the request has no {@code Content-Type}; that header is put back before
         * the parse.
         */
        private void receiveBody(ClassicHttpRequest request, boolean keep) throws HttpException, IOException {
            Header[] contentTypes = request.getHeaders(HttpHeaders.CONTENT_TYPE);
            request.removeHeaders(HttpHeaders.CONTENT_TYPE);
            try {
                conn.receiveRequestEntity(request);
            } finally {
                request.removeHeaders(HttpHeaders.CONTENT_TYPE);
                for (Header contentType : contentTypes) {
                    request.addHeader(contentType);
                }
            }
            HttpEntity entity = request.getEntity();
            if (entity == null) {
                return;
            }
            byte[] body;
            try (InputStream in = entity.getContent()) {
                if (!keep) {
                    drop(in, maxMessageBytes);
                    return;
                }
                // A chunked body has no Content-Length to refuse it by: it is refused once it is too long
                body = in.readNBytes((int) Math.min(maxMessageBytes + 1, Integer.MAX_VALUE - 8));
                if (body.length > maxMessageBytes) {
                    body = null;
                    boolean drained = drop(in, maxMessageBytes);
                    log.warn("AS2 request from {} answered 413: a chunked body over {} bytes", conn.getRemoteAddress(),
                            maxMessageBytes);
                    throw new Refusal(HttpStatus.SC_REQUEST_TOO_LONG, "AS2 messages are limited to " + maxMessageBytes
                            + " bytes (the chunked body was longer" + (drained ? "" : "; the rest was not read") + ")\n");
                }
            }
            context.setAttribute(BODY, body);
            // Streaming, as Camel's parser requires; its content type is read from the request's header.
            request.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, null));
            EntityParser.parseAS2MessageEntity(request);
        }

        /**
         * Reads and forgets up to {@code limit} bytes, so that an answer sent before the body was wanted
         * reaches the partner instead of a reset connection; true when the body ended within them.
         */
        private static boolean drop(InputStream in, long limit) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            long left = limit;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
                left -= n;
            }
            return in.read() < 0;
        }

        private static boolean expectsContinue(ClassicHttpRequest request) {
            Header expect = request.getFirstHeader(HttpHeaders.EXPECT);
            return expect != null && "100-continue".equalsIgnoreCase(expect.getValue().trim())
                    && (request.getVersion() == null || request.getVersion().greaterEquals(HttpVersion.HTTP_1_1));
        }

        private boolean tooLong(String value) {
            try {
                return Long.parseLong(value.trim()) > maxMessageBytes;
            } catch (NumberFormatException e) {
                return false; // HttpCore refuses it itself
            }
        }

        @Override
        public ClassicHttpRequest receiveRequestHeader() throws HttpException, IOException {
            return conn.receiveRequestHeader();
        }

        @Override
        public void sendResponseHeader(ClassicHttpResponse response) throws HttpException, IOException {
            conn.sendResponseHeader(response);
        }

        @Override
        public void sendResponseEntity(ClassicHttpResponse response) throws HttpException, IOException {
            conn.sendResponseEntity(response);
        }

        @Override
        public boolean isDataAvailable(Timeout timeout) throws IOException {
            return conn.isDataAvailable(timeout);
        }

        @Override
        public boolean isStale() throws IOException {
            return conn.isStale();
        }

        @Override
        public void flush() throws IOException {
            conn.flush();
        }

        @Override
        public void close() throws IOException {
            conn.close();
        }

        @Override
        public void close(CloseMode mode) {
            conn.close(mode);
        }

        @Override
        public EndpointDetails getEndpointDetails() {
            return conn.getEndpointDetails();
        }

        @Override
        public SocketAddress getLocalAddress() {
            return conn.getLocalAddress();
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return conn.getRemoteAddress();
        }

        @Override
        public ProtocolVersion getProtocolVersion() {
            return conn.getProtocolVersion();
        }

        @Override
        public SSLSession getSSLSession() {
            return conn.getSSLSession();
        }

        @Override
        public boolean isOpen() {
            return conn.isOpen();
        }

        @Override
        public Timeout getSocketTimeout() {
            return conn.getSocketTimeout();
        }

        @Override
        public void setSocketTimeout(Timeout timeout) {
            conn.setSocketTimeout(timeout);
        }
    }

    private static Object read(Class<?> type, Object target, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }
}
