package org.ptsingest.service.as2;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A partner's asynchronous-MDN URL on loopback: records every POST and answers 200. */
final class MdnListener implements AutoCloseable {
    record Received(Map<String, String> headers, byte[] body) {}

    private final HttpServer server;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    private MdnListener(HttpServer server) {
        this.server = server;
    }

    static MdnListener start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        MdnListener listener = new MdnListener(server);
        server.createContext("/mdn", exchange -> {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            // only once answered: a test that stops the listener next must not cut the answer off
            listener.count.incrementAndGet();
            listener.received.add(new Received(headers, body));
        });
        server.start();
        return listener;
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/mdn";
    }

    Received await(Duration timeout) throws InterruptedException {
        Received r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no MDN arrived within " + timeout);
        }
        return r;
    }

    int count() {
        return count.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
