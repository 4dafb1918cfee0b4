package org.ptsingest.service.as2;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Benchmark driver (run by {@code scripts/benchmark-as2}, not a test): sends every XML message of a
 * directory to a running service with several concurrent senders, either as signed + encrypted AS2
 * messages (phax as2-lib, synchronous signed MDN) or as HTTPS POSTs of the same documents, and
 * prints one line: {@code RESULT channel messages seconds failures} (as2-lib logs on stdout too).
 *
 * <pre>As2ThroughputBench as2|https DIR SENDERS HTTPS_BASE OPS_PASSWORD PROVIDER AS2_URL</pre>
 */
public final class As2ThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String channel = args[0];
        Path dir = Path.of(args[1]);
        int senders = Integer.parseInt(args[2]);
        String base = args[3];
        String opsAuth = "Basic " + Base64.getEncoder().encodeToString(("ops:" + args[4]).getBytes(StandardCharsets.UTF_8));
        String provider = args[5];
        String as2Url = args[6];
        HttpClient https = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(10)).build();
        List<Path> messages;
        try (Stream<Path> files = Files.list(dir)) {
            messages = files.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        }

        List<Sender> workers = new ArrayList<>();
        if (channel.equals("as2")) {
            PartnerAs2Client.Identity id = newPartner(https, base, opsAuth, provider);
            Map<?, ?> service = JSON.readValue(https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/as2")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), Map.class);
            String pem = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/as2/certificate")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            PartnerAs2Client client = new PartnerAs2Client(id, (String) service.get("as2_id"), cert, as2Url);
            for (int i = 0; i < senders; i++) {
                workers.add(file -> {
                    PartnerAs2Client.Mdn mdn = client.send(Files.readAllBytes(file), file.getFileName().toString(),
                            PartnerAs2Client.Options.defaults());
                    boolean ok = mdn.disposition() != null && mdn.disposition().endsWith("processed")
                            && mdn.signatureVerified() && mdn.micMatches();
                    return ok ? null : "MDN disposition " + mdn.disposition() + ", signature verified "
                            + mdn.signatureVerified() + ", MIC matches " + mdn.micMatches();
                });
            }
        } else {
            HttpResponse<String> key = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/providers/" + provider
                    + "/api-keys")).header("Authorization", opsAuth).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            String apiKey = (String) JSON.readValue(key.body(), Map.class).get("api_key");
            for (int i = 0; i < senders; i++) {
                workers.add(file -> {
                    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/feeds"))
                            .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/xml")
                            .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 201 && r.body().contains("\"ACCEPTED\"") ? null
                            : "HTTP " + r.statusCode() + ": " + r.body().substring(0, Math.min(300, r.body().length()));
                });
            }
        }

        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<String>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < messages.size(); i++) {
            Sender worker = workers.get(i % senders);
            Path file = messages.get(i);
            results.add(pool.submit(() -> worker.send(file)));
        }
        int failures = 0;
        for (int i = 0; i < results.size(); i++) {
            String why;
            try {
                why = results.get(i).get();
            } catch (Exception e) {
                why = String.valueOf(e.getCause() != null ? e.getCause() : e);
            }
            if (why != null) {
                failures++;
                // said, not only counted: a lost message has to be traceable in the service's log
                System.out.printf("FAILED %s %s: %s%n", channel, messages.get(i).getFileName(), why);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("RESULT %s %d %.3f %d%n", channel, messages.size(), seconds, failures);
    }

    interface Sender {
        /** Null when the message went through, else why not. */
        String send(Path file) throws Exception;
    }

    private static PartnerAs2Client.Identity newPartner(HttpClient https, String base, String opsAuth, String provider) throws Exception {
        PartnerAs2Client.Identity id = PartnerAs2Client.newIdentity("BENCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        String body = JSON.writeValueAsString(Map.of("as2_id", id.as2Id(), "certificate", org.ptsingest.service.IngestItSupport.pem(id.certificate())));
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/providers/" + provider
                + "/as2-partner")).header("Authorization", opsAuth).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("partner registration answered " + r.statusCode() + ": " + r.body());
        }
        return id;
    }

    /** The benchmark's service runs with its self-signed certificate on loopback. */
    private static SSLContext trustAll() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return ssl;
    }
}
