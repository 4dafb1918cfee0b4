package org.ptsingest.service.as2;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Arrays;
import org.apache.camel.component.as2.api.AS2ServerConnection;
import org.apache.camel.component.as2.api.entity.EntityParser;
import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.Http1StreamListener;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.HttpServerConnection;
import org.apache.hc.core5.http.io.HttpServerRequestHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpProcessor;
import org.apache.hc.core5.util.Timeout;

/**
 * Two things Camel 4.17's AS2 server (its own HttpCore listener, not Tomcat) does not let us configure,
 * done by replacing the listener's {@link HttpService} with an identical one:
 * <ul>
 *   <li>a read timeout: Camel sets none on the connections it accepts, so a client that sends half a
 *       request and falls silent holds a thread for ever; the socket timeout is set before each
 *       request is read, and a silent connection is closed after it;</li>
 *   <li>a request body whose MIME structure Camel cannot parse (a {@code multipart/signed} without a
 *       {@code boundary}, for one) is the sender's fault, but Camel parses the body before any handler
 *       runs and wraps the failure in a plain {@link HttpException}, which HttpCore answers 500 ("try
 *       again later", so partners resend it for ever): exactly those failures are answered 400.</li>
 * </ul>
 * The fields are read by reflection: {@code As2EdgesIT} fails if a Camel upgrade moves them.
 */
final class As2HttpService {
    private As2HttpService() {}

    static void install(AS2ServerConnection server, Duration readTimeout) {
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
                    super.handleRequest(conn, context);
                }

                @Override
                protected int toStatusCode(Exception e) {
                    return isParseFailure(e) ? HttpStatus.SC_BAD_REQUEST : super.toStatusCode(e);
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

    /** Thrown by Camel's body parser itself, not by a handler of ours (which may mean "send it again"). */
    static boolean isParseFailure(Exception e) {
        return e instanceof HttpException && Arrays.stream(e.getStackTrace()).anyMatch(f ->
                f.getClassName().equals(EntityParser.class.getName()) && f.getMethodName().equals("parseAS2MessageEntity"))
                && Arrays.stream(e.getStackTrace()).noneMatch(f -> f.getClassName().equals(As2Door.class.getName()));
    }

    private static Object read(Class<?> type, Object target, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }
}
