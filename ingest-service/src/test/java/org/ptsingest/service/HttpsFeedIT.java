package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTPS channel with a real TLS client: provider API keys, CSV posts, answers, dry runs, isolation. */
class HttpsFeedIT extends IngestItSupport {
    String sunwatch;

    @BeforeEach
    void registryAndKeys() throws Exception {
        loadSampleRegistry();
        sunwatch = issueKey("sunwatch");
    }

    HttpResponse<String> post(String key, String sample, String query) throws Exception {
        return send(postOf(key, sample, query).build());
    }

    HttpRequest.Builder postOf(String key, String sample, String query) throws Exception {
        Path file = SAMPLES.resolve(sample);
        String type = sample.endsWith(".xml") ? "application/xml"
                : sample.endsWith(".json") ? "application/json" : "text/csv";
        return HttpRequest.newBuilder(url("/api/v1/feeds" + query))
                .header("Authorization", "Bearer " + key).header("Content-Type", type)
                .header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"")
                .POST(HttpRequest.BodyPublishers.ofFile(file));
    }

    @org.springframework.beans.factory.annotation.Autowired
    javax.sql.DataSource dataSource;

    /**
     * A provider's feeds are judged one after another; a client that opened hundreds of posts at once held as many
     * request threads while they waited, and another provider's post waited for a thread. With four of sunwatch's
     * posts in process (held here by a lock on {@code feed}), its fifth is answered 429 with Retry-After before its
     * body is read, while gridsense's post is taken; all the held ones are stored once let go.
     */
    @Test
    void aProviderPastItsShareOfPostsIs429WhileAnotherProviderIsServed() throws Exception {
        String gridsense = issueKey("gridsense");
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> held = new java.util.ArrayList<>();
        HttpResponse<String> fifth;
        try (java.sql.Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE feed IN SHARE MODE");
            for (String sample : java.util.List.of("01-baseline.csv", "02-every-code.csv", "03-backfill.csv",
                    "04-bom-crlf-quoted.csv")) {
                held.add(postAsync(sunwatch, "csv-v1/sunwatch/" + sample));
            }
            await("four posts in process").atMost(java.time.Duration.ofSeconds(30)).until(() -> waiting(lock) == 4);

            // bounded: without the share, the post would wait behind the test's lock for ever
            fifth = send(postOf(sunwatch, "csv-v1/sunwatch/05-invalid-values.csv", "")
                    .timeout(java.time.Duration.ofSeconds(20)).build());
            held.add(postAsync(gridsense, "csv-v1/gridsense/01-baseline.csv"));
            await("gridsense's post is taken").atMost(java.time.Duration.ofSeconds(30)).until(() -> waiting(lock) == 5);
            lock.rollback();
        }
        assertThat(fifth.statusCode()).as(fifth.body()).isEqualTo(429);
        assertThat(fifth.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(JSON.readTree(fifth.body()).get("detail").asText())
                .isEqualTo("sunwatch has 4 feed posts in process, as many as one provider may "
                        + "(ingest.https.max-concurrent-per-provider); send this one again after 10 s");
        for (var post : held) {
            assertThat(post.get().statusCode()).as(post.get().body()).isEqualTo(201);
        }
        assertThat(dsl.fetchCount(FEED)).isEqualTo(5);
        assertThat(post(sunwatch, "csv-v1/sunwatch/05-invalid-values.csv", "").statusCode())
                .as("the share is given back").isEqualTo(201);
    }

    java.util.concurrent.CompletableFuture<HttpResponse<String>> postAsync(String key, String sample) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return post(key, sample, "");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Transactions waiting for a lock: the held posts (on the feed table, or on their provider's turn). */
    static int waiting(java.sql.Connection lock) throws Exception {
        try (var rs = lock.createStatement().executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * A provider that compresses its feed (Content-Encoding: gzip) had the compressed bytes judged as the feed,
     * rejected as unreadable. Now gzip is undone (the size cap counting the feed as decompressed); a coding not
     * taken is a 415, a body that is not the gzip it claims a 400, neither recorded.
     */
    @Test
    void aGzipFeedIsJudgedAsTheFeedAndOtherCodingsAreRefused() throws Exception {
        byte[] plain = java.nio.file.Files.readAllBytes(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"));
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write(plain);
        }
        HttpResponse<String> r = postCoded("gzip", zipped.toByteArray());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode receipt = JSON.readTree(r.body());
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("byte_count").asInt()).isEqualTo(plain.length);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);
        // the same feed uncompressed is the same feed
        assertThat(JSON.readTree(post(sunwatch, "csv-v1/sunwatch/01-baseline.csv", "").body()).get("status").asText())
                .isEqualTo("DUPLICATE_FEED");

        int feeds = dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.FEED);
        HttpResponse<String> br = postCoded("br", plain);
        assertThat(br.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(br.body()).get("detail").asText())
                .isEqualTo("Content-Encoding 'br' is not supported: send the feed as it is, or gzip");
        HttpResponse<String> notGzip = postCoded("gzip", plain);
        assertThat(notGzip.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notGzip.body()).get("detail").asText())
                .startsWith("the body is not gzip as its Content-Encoding says (");
        byte[] cut = java.util.Arrays.copyOf(zipped.toByteArray(), zipped.size() / 2);
        HttpResponse<String> truncated = postCoded("gzip", cut);
        assertThat(truncated.statusCode()).isEqualTo(400);
        // a small body that inflates past the cap (1 MB in the tests) is refused like a large one
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bomb)) {
            gzip.write(new byte[5_000_000]);
        }
        HttpResponse<String> inflated = postCoded("gzip", bomb.toByteArray());
        assertThat(bomb.size()).isLessThan(100_000);
        assertThat(inflated.statusCode()).isEqualTo(413);
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.FEED)).isEqualTo(feeds);
    }

    HttpResponse<String> postCoded(String contentEncoding, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(url("/api/v1/feeds")).header("Authorization", "Bearer " + sunwatch)
                .header("Content-Type", "text/csv").header("Content-Encoding", contentEncoding)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<String> get(String key, String path) throws Exception {
        return send(HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + key).GET().build());
    }

    @Test
    void postedFeedIsStoredAndAnsweredWithItsReceipt() throws Exception {
        HttpResponse<String> r = post(sunwatch, "csv-v1/sunwatch/01-baseline.csv", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("channel").asText()).isEqualTo("HTTPS");
        assertThat(receipt.get("file_name").asText()).isEqualTo("01-baseline.csv");
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/api/v1/feeds/" + receipt.get("feed_id").asLong() + "/receipt");
        assertThat(JSON.readTree(get(sunwatch, location).body())).isEqualTo(receipt);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);

        // the same bytes again: the original receipt, nothing reprocessed
        HttpResponse<String> again = post(sunwatch, "csv-v1/sunwatch/01-baseline.csv", "");
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode duplicate = JSON.readTree(again.body());
        assertThat(duplicate.get("status").asText()).isEqualTo("DUPLICATE_FEED");
        assertThat(duplicate.get("original_receipt")).isEqualTo(receipt);
        assertThat(dsl.fetchCount(READING)).isEqualTo(5);

        // readings rejected one by one still make a stored, judged feed: 201
        HttpResponse<String> mixed = post(sunwatch, "csv-v1/sunwatch/02-every-code.csv", "");
        assertThat(mixed.statusCode()).isEqualTo(201);
        assertThat(SftpIngestIT.codesByLine(JSON.readTree(mixed.body()))).containsEntry(6, "DAS_MANDATE")
                .containsEntry(13, "HIGH_PRODUCTION").containsEntry(17, "METER_NOT_INSTALLED").hasSize(14);
    }

    @Test
    void xmlFeedGoesThroughTheSameRulesAndAttacksAreRefused() throws Exception {
        HttpResponse<String> r = post(sunwatch, "xml-v1/sunwatch/01-baseline.xml", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("format").asText()).isEqualTo("XML_V1");
        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(SftpIngestIT.codesByLine(receipt)).containsExactly(Map.entry(25, "INVALID_VALUE"));
        assertThat(dsl.fetchCount(READING)).isEqualTo(3);

        for (String attack : new String[] {"xml-v1/malformed/xxe.xml", "xml-v1/malformed/billion-laughs.xml"}) {
            HttpResponse<String> refused = post(sunwatch, attack, "");
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(refused.body()).contains("DTDs and entity declarations are not allowed")
                    .doesNotContain("root:").doesNotContain("lollol");
        }
        assertThat(dsl.fetchCount(READING)).isEqualTo(3);
    }

    @Test
    void jsonFeedGoesThroughTheSameRulesWithJsonPathsInErrors() throws Exception {
        HttpResponse<String> r = post(sunwatch, "json-v1/sunwatch/01-baseline.json", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("format").asText()).isEqualTo("JSON_V1");
        assertThat(SftpIngestIT.codesByLine(receipt)).containsExactly(
                Map.entry(7, "INVALID_VALUE"), Map.entry(8, "INVALID_VALUE"));
        assertThat(receipt.at("/readings/1/message").asText()).isEqualTo("$.readings[4]: register_kwh -3 is negative");
        assertThat(dsl.fetchCount(READING)).isEqualTo(3);

        HttpResponse<String> broken = post(sunwatch, "json-v1/malformed/no-header.json", "");
        assertThat(broken.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(broken.body()).at("/rejection/message").asText()).contains("$.header");
    }

    @Test
    void xmlReceiptsWhenAskedValidAgainstTheReceiptXsd() throws Exception {
        var validator = javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Path.of("..", "schemas", "receipt-v1.xsd").toFile()).newValidator();
        Path xml = SAMPLES.resolve("xml-v1/sunwatch/01-baseline.xml");
        java.util.function.Function<String, HttpRequest> postXml = query -> HttpRequest.newBuilder(url("/api/v1/feeds" + query))
                .header("Authorization", "Bearer " + sunwatch).header("Content-Type", "application/xml")
                .header("Accept", "application/xml").POST(ofFile(xml)).build();

        HttpResponse<String> dry = send(postXml.apply("?dryRun=true"));
        assertThat(dry.statusCode()).isEqualTo(200);
        assertThat(dry.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/xml");
        validator.validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(dry.body())));
        assertThat(dry.body()).contains("<status>PARTIALLY_ACCEPTED</status>").contains("<count code=\"INVALID_VALUE\">1</count>");

        HttpResponse<String> real = send(postXml.apply(""));
        assertThat(real.statusCode()).isEqualTo(201);
        validator.validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(real.body())));
        HttpResponse<String> again = send(HttpRequest.newBuilder(url(real.headers().firstValue("Location").orElseThrow()))
                .header("Authorization", "Bearer " + sunwatch).header("Accept", "application/xml").GET().build());
        assertThat(again.body()).isEqualTo(real.body());
    }

    private static HttpRequest.BodyPublisher ofFile(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void malformedFeedIs422WithTheRejectionReceipt() throws Exception {
        HttpResponse<String> r = post(sunwatch, "csv-v1/malformed/unknown-column.csv", "");
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.at("/rejection/code").asText()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(receipt.at("/rejection/message").asText()).contains("column 5 'inverter'");
    }

    @Test
    void dryRunAnswersTheRealReceiptAndStoresNothing() throws Exception {
        post(sunwatch, "csv-v1/sunwatch/01-baseline.csv", "");
        int feeds = dsl.fetchCount(FEED);
        int readings = dsl.fetchCount(READING);
        double dryRuns = metric("ingest_dry_runs_total{channel=\"HTTPS\"}");
        double partial = metric("ingest_feeds_total{channel=\"HTTPS\",status=\"PARTIALLY_ACCEPTED\"}");
        HttpResponse<String> r = post(sunwatch, "csv-v1/sunwatch/03-backfill.csv", "?dryRun=true");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(SftpIngestIT.codesByLine(receipt)).containsExactly(Map.entry(3, "REGISTER_DECREASED"));
        assertThat(dsl.fetchCount(FEED)).isEqualTo(feeds);
        assertThat(dsl.fetchCount(READING)).isEqualTo(readings);
        assertThat(dsl.fetchCount(DELIVERY)).as("a dry run records no delivery").isEqualTo(feeds);
        // counted in its own series only
        assertThat(metric("ingest_dry_runs_total{channel=\"HTTPS\"}")).isEqualTo(dryRuns + 1);
        assertThat(metric("ingest_feeds_total{channel=\"HTTPS\",status=\"PARTIALLY_ACCEPTED\"}")).isEqualTo(partial);
        // and the real post afterwards is judged the same, not as a duplicate
        HttpResponse<String> real = post(sunwatch, "csv-v1/sunwatch/03-backfill.csv", "");
        assertThat(real.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(real.body()).get("counts")).isEqualTo(receipt.get("counts"));
    }

    @Test
    void keysAndRolesAreEnforced() throws Exception {
        assertThat(post("pts_nope_nope", "csv-v1/sunwatch/01-baseline.csv", "").statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(url("/api/v1/feeds")).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode()).isEqualTo(401);
        // ops credentials do not post feeds; provider keys do not reach the ops API
        assertThat(send(asOps("/api/v1/feeds").header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode()).isEqualTo(403);
        assertThat(get(sunwatch, "/api/v1/feeds").statusCode()).isEqualTo(403);
        assertThat(send(HttpRequest.newBuilder(url("/api/v1/registry/systems")).header("Authorization", "Bearer " + sunwatch)
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode())
                .isEqualTo(403);

        // a provider reads its own receipts only
        long feedId = JSON.readTree(post(sunwatch, "csv-v1/sunwatch/01-baseline.csv", "").body()).get("feed_id").asLong();
        String gridsense = issueKey("gridsense");
        assertThat(get(sunwatch, "/api/v1/feeds/" + feedId + "/receipt").statusCode()).isEqualTo(200);
        assertThat(get(gridsense, "/api/v1/feeds/" + feedId + "/receipt").statusCode()).isEqualTo(404);
        assertThat(get(gridsense, "/api/v1/feeds/" + feedId).statusCode()).isEqualTo(404);

        // a suspended provider is refused, with the receipt saying why
        HttpResponse<String> suspended = post(issueKey("oldmeter"), "csv-v1/oldmeter-suspended.csv", "");
        assertThat(suspended.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(suspended.body()).at("/rejection/code").asText()).isEqualTo("PROVIDER_NOT_APPROVED");

        // a revoked key stops working at once
        String keyId = sunwatch.split("_")[1];
        assertThat(send(asOps("/api/v1/providers/sunwatch/api-keys/" + keyId).DELETE().build()).statusCode())
                .isEqualTo(204);
        assertThat(post(sunwatch, "csv-v1/sunwatch/03-backfill.csv", "").statusCode()).isEqualTo(401);
    }

    @Test
    void theProviderApiContractIsServedAsInTheRepository() throws Exception {
        HttpResponse<String> openapi = send(HttpRequest.newBuilder(url("/api/v1/openapi.yaml")).GET().build());
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(openapi.body()).isEqualTo(java.nio.file.Files.readString(
                Path.of("..", "schemas", "openapi-provider-v1.yaml")));
        // the schemas it refers to resolve relative to it
        for (String ref : new String[] {"receipt-v1.schema.json", "json-feed-v1.schema.json"}) {
            assertThat(openapi.body()).contains("'" + ref + "'");
            HttpResponse<String> schema = send(HttpRequest.newBuilder(url("/api/v1/" + ref)).GET().build());
            assertThat(schema.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(schema.body()).get("$schema").asText()).contains("2020-12");
        }
    }

    @Test
    void largeFeedIsAccepted202AndItsReceiptPolled() throws Exception {
        StringBuilder csv = new StringBuilder("system_id,meter_serial,read_at,register_kwh\n");
        java.time.Instant start = java.time.Instant.parse("2021-01-01T00:00:00Z");
        for (int h = 0; h < 2_500; h++) {
            csv.append("MA-1001,SN-1001-A,").append(start.plusSeconds(3600L * h)).append(',').append(h).append(".25\n");
        }
        assertThat(csv.length()).isGreaterThan(100 * 1024);
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + sunwatch).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv.toString())).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String poll = r.headers().firstValue("Location").orElseThrow();
        assertThat(JSON.readTree(r.body()).get("state").asText()).isEqualTo("RECEIVED");

        assertThat(get(issueKey("gridsense"), poll).statusCode()).as("another provider's delivery").isEqualTo(404);
        HttpResponse<String> answer = await("judged").atMost(java.time.Duration.ofSeconds(60))
                .until(() -> get(sunwatch, poll), a -> a.statusCode() != 202);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode receipt = JSON.readTree(answer.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.at("/counts/ACCEPTED").asInt()).isEqualTo(2_500);
        assertThat(answer.headers().firstValue("Location").orElseThrow())
                .isEqualTo("/api/v1/feeds/" + receipt.get("feed_id").asLong() + "/receipt");
        assertThat(dsl.fetchCount(FEED)).isEqualTo(1);
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + sunwatch).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(dsl.fetchCount(FEED)).isZero();
    }
}
