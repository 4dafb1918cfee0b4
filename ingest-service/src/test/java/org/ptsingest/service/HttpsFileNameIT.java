package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * File names from {@code Content-Disposition} over HTTPS are judged by the one rule of every channel
 * (FeedFileName): a name that is not allowed gets a 422 with its FILE_NAME_NOT_ALLOWED receipt, the name
 * quoted escaped and stored escaped; a header that cannot be parsed is a 400 with a problem body.
 * Never a 500, never a 202.
 */
class HttpsFileNameIT extends IngestItSupport {
    static final Path FEED_FILE = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv");
    String key;

    @BeforeEach
    void registryAndKey() throws Exception {
        loadSampleRegistry();
        key = issueKey("sunwatch");
    }

    HttpResponse<String> post(String disposition, HttpRequest.BodyPublisher body) throws Exception {
        return send(HttpRequest.newBuilder(url("/api/v1/feeds")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "text/csv").header("Content-Disposition", disposition).POST(body).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "attachment; filename=\"/\"                      | '/'",
        "attachment; filename=\"..\"                     | '..'",
        "attachment; filename=\"a/b.csv\"                | 'a/b.csv'",
        "attachment; filename=\"../../etc/passwd\"       | '../../etc/passwd'",
        "attachment; filename=\"a\\\\b.csv\"             | 'a\\\\b.csv'",
        "attachment; filename*=UTF-8''a%00b.csv          | 'a\\u0000b.csv'",
        "attachment; filename*=UTF-8''a%0Ab.csv          | 'a\\nb.csv'",
        "attachment; filename*=UTF-8''a%0D%0Aforged.csv  | 'a\\r\\nforged.csv'",
        "attachment; filename=\" leading-space.csv\"     | ' leading-space.csv'",
        // Spring reads an unterminated quoted name leniently, quote included: a name, but not an allowed one
        "attachment; filename=\"unterminated.csv        | '\"unterminated.csv'"})
    void aNameThatIsNotAllowedIsAnsweredWithItsReceipt(String disposition, String quoted) throws Exception {
        HttpResponse<String> r = post(disposition, HttpRequest.BodyPublishers.ofFile(FEED_FILE));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode receipt = JSON.readTree(r.body());
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.at("/rejection/code").asText()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        assertThat(receipt.at("/rejection/message").asText()).contains(quoted);
        var feed = dsl.selectFrom(FEED).fetchSingle();
        assertThat(feed.getRejectionCode()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        assertThat(feed.getFileName()).doesNotContain("\u0000", "\n", "\r");
        assertThat(dsl.fetchCount(READING)).isZero();
    }

    @Test
    void aLargeFeedWithANameThatIsNotAllowedIsAnsweredAtOnceNotQueued() throws Exception {
        Path big = Files.createTempFile("big-", ".csv");
        try {
            Files.write(big, new byte[(int) properties.https().asyncAbove().toBytes() + 1]);
            HttpResponse<String> r = post("attachment; filename*=UTF-8''big%00.csv", HttpRequest.BodyPublishers.ofFile(big));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(JSON.readTree(r.body()).at("/rejection/code").asText()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        } finally {
            Files.delete(big);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "attachment; filename*=NO-SUCH-CHARSET''a.csv",
        "attachment; filename*=UTF-8''a%ZZ.csv"})
    void aHeaderThatCannotBeParsedIsABadRequestWithAProblemBody(String disposition) throws Exception {
        HttpResponse<String> r = post(disposition, HttpRequest.BodyPublishers.ofFile(FEED_FILE));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("Content-Disposition");
        assertThat(dsl.fetchCount(FEED)).isZero();
    }

    @Test
    void anAllowedNameIsKeptAsGiven() throws Exception {
        HttpResponse<String> r = post("attachment; filename=\"march 2026_v2+final.csv\"",
                HttpRequest.BodyPublishers.ofFile(FEED_FILE));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(JSON.readTree(r.body()).get("file_name").asText()).isEqualTo("march 2026_v2+final.csv");
    }
}
