package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * A client that announces a body and stops sending it must not hold a request worker for long: after
 * {@code server.tomcat.connection-timeout} of silence (3 s in tests, 20 s by default) the upload is
 * answered 408, and the connection is closed once Tomcat's attempt to drain the rest of the announced
 * body has timed out as well, so within twice that time.
 */
class RequestTimeoutIT extends IngestItSupport {

    @Test
    void aBodyThatNeverEndsIsCutOffWellBeforeTwoMinutes() throws Exception {
        loadSampleRegistry();
        String key = issueKey("sunwatch");
        try (SSLSocket socket = (SSLSocket) tls().getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/feeds HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nsystem_id,").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // ... and then nothing: read what the server says until it closes the connection
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readUntilClosed(socket));

            await().atMost(Duration.ofSeconds(45)).until(answer::isDone);
            String head = answer.get();
            // the feed upload says why before it closes
            assertThat(head).startsWith("HTTP/1.1 408");
        }
    }

    private static String readUntilClosed(SSLSocket socket) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                seen.write(buffer, 0, n);
            }
        } catch (IOException closed) {
            // a reset is a close too
        }
        return seen.toString(StandardCharsets.US_ASCII);
    }
}
