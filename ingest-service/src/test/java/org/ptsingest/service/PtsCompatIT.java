package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A PTS client pointed at this service: ARData and the REST body, answered per system. */
class PtsCompatIT extends IngestItSupport {
    String key;

    @BeforeEach
    void registryAndKey() throws Exception {
        loadSampleRegistry();
        key = issueKey("sunwatch");
    }

    @Test
    void arDataIsAnsweredWithArSystemResults() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/pts/v1/ardata"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("pts/ardata-sunwatch.xml"))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String body = r.body();
        assertThat(body).contains("<ARSystemResults SystemID=\"MA-1003\"><Success>false</Success>"
                + "<RecordsInserted>2</RecordsInserted>");
        assertThat(body).contains("regDateTime: date-time '2025-03-09T02:30:00' does not exist in America/New_York");
        assertThat(body).contains("<ARSystemResults SystemID=\"MA-1004\"><Success>false</Success>"
                + "<RecordsInserted>0</RecordsInserted><Messages>record 4 (line 14) NOT_DESIGNATED_REPORTER");
        // the meter is the one registered for the system; the local time was read in New York time
        assertThat(dsl.fetchValue(dsl.select(READING.READ_AT).from(READING)
                .where(READING.SYSTEM_ID.eq("MA-1003"), READING.METER_SERIAL.eq("SN-1003-A"))
                .orderBy(READING.READ_AT).limit(1))).isEqualTo(OffsetDateTime.parse("2025-03-01T14:15:02Z"));
    }

    /**
     * The PTS endpoints copied their bodies to disk without the cap the feed endpoint has: a body streamed
     * without end filled the data directory. Now a body over {@code ingest.https.max-feed-size} (1 MB in the
     * tests) is a 413 — declared too long before a byte is read, or found too long while read — and nothing is
     * recorded; a SOAP parameter is read into memory only up to 1,000 characters.
     */
    @Test
    void aBodyOverTheFeedSizeCapIsRefusedAndNothingIsRecorded() throws Exception {
        String rest = java.nio.file.Files.readString(SAMPLES.resolve("pts/rest-sunwatch.json"));
        String padded = rest.substring(0, rest.lastIndexOf('}')) + " ".repeat(1_100_000) + "}";
        HttpResponse<String> declared = send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(padded)).build());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(declared.body()).get("detail").asText())
                .isEqualTo("body over 1048576 bytes (ingest.https.max-feed-size)");
        // chunked, no length declared: found while read
        HttpResponse<String> streamed = send(HttpRequest.newBuilder(url("/pts/v1/ardata"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
                        new java.io.ByteArrayInputStream("<ARData>".getBytes()),
                        new java.io.ByteArrayInputStream(new byte[1_100_000])))).build());
        assertThat(streamed.statusCode()).isEqualTo(413);
        String envelope = java.nio.file.Files.readString(SAMPLES.resolve("pts/soap-postdata.xml")).replace("API-KEY", key)
                .replaceFirst("<xmldata>", "<xmldata>" + "&lt;!-- " + "x".repeat(1_100_000) + " --&gt;");
        HttpResponse<String> soap = send(HttpRequest.newBuilder(url("/pts/v1/soap"))
                .header("Content-Type", "text/xml; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        envelope.getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build());
        assertThat(soap.statusCode()).isEqualTo(413);
        assertThat(soap.body()).contains("<soap:Fault>", "body over 1048576 bytes");
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.DELIVERY)).isZero();
        assertThat(dsl.fetchCount(org.ptsingest.service.persistence.jooq.Tables.FEED)).isZero();

        String year = java.nio.file.Files.readString(SAMPLES.resolve("pts/soap-getmetervalue.xml")).replace("API-KEY", key)
                .replaceFirst("<MeterYear>[^<]*</MeterYear>", "<MeterYear>" + "9".repeat(2000) + "</MeterYear>");
        HttpResponse<String> long2000 = send(HttpRequest.newBuilder(url("/pts/v1/soap"))
                .header("Content-Type", "text/xml; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(year)).build());
        assertThat(long2000.statusCode()).isEqualTo(400);
        assertThat(long2000.body()).contains("MeterYear is longer than 1000 characters");
    }

    HttpResponse<String> soap(String sample, String password) throws Exception {
        return soap(sample, password, "MA-1003", "MA-1003");
    }

    HttpResponse<String> soap(String sample, String password, String system, String asSystem) throws Exception {
        String envelope = java.nio.file.Files.readString(SAMPLES.resolve(sample)).replace("API-KEY", password)
                .replace("<PTSSystemID>" + system + "<", "<PTSSystemID>" + asSystem + "<");
        return send(HttpRequest.newBuilder(url("/pts/v1/soap")).header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"https://ar.masscec-pts.com/postdata\"")
                .POST(HttpRequest.BodyPublishers.ofString(envelope)).build());
    }

    @Test
    void soapClientsCallPostdataAndTestpostdataUnchanged() throws Exception {
        HttpResponse<String> test = soap("pts/soap-testpostdata.xml", key);
        assertThat(test.statusCode()).as(test.body()).isEqualTo(200);
        assertThat(test.body()).contains("<testpostdataResult>")
                .contains("&lt;ARSystemResults SystemID=\"MA-1003\"&gt;&lt;Success&gt;false&lt;/Success&gt;"
                        + "&lt;RecordsInserted&gt;2&lt;/RecordsInserted&gt;");
        assertThat(dsl.fetchCount(READING)).as("testpostdata stores nothing").isZero();

        HttpResponse<String> real = soap("pts/soap-postdata.xml", key);
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(real.body()).contains("<postdataResult>").contains("RecordsInserted&gt;2&lt;");
        assertThat(dsl.fetchCount(READING)).isEqualTo(2);

        HttpResponse<String> refused = soap("pts/soap-postdata.xml", "pts_wrong_key");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("<soap:Fault>").contains("cAuthentication");
    }

    @Test
    void restBodyWithSubscriptionKeyHeaderIsAnsweredPerSystem() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("pts/rest-sunwatch.json"))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body()).get("results").get(0);
        assertThat(result.get("fk_System").asText()).isEqualTo("MA-1005");
        assertThat(result.get("success").asBoolean()).isTrue();
        assertThat(result.get("records_inserted").asInt()).isEqualTo(2);
        // 01:30 on the fall-back night happens twice; the first one is taken
        assertThat(dsl.fetchExists(READING, READING.SYSTEM_ID.eq("MA-1005"),
                READING.READ_AT.eq(OffsetDateTime.parse("2025-11-02T05:30:00Z")))).isTrue();
        // sent again: the same bytes, nothing stored twice
        HttpResponse<String> again = send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("pts/rest-sunwatch.json"))).build());
        assertThat(JSON.readTree(again.body()).get("status").asText()).isEqualTo("DUPLICATE_FEED");
        // and answered with what the feed it repeats stored
        JsonNode replayed = JSON.readTree(again.body()).get("results").get(0);
        assertThat(replayed.get("fk_System").asText()).isEqualTo("MA-1005");
        assertThat(replayed.get("records_inserted").asInt()).isEqualTo(2);
        assertThat(dsl.fetchCount(READING)).isEqualTo(2);
        assertThat(send(HttpRequest.newBuilder(url("/pts/v1/readings")).header("Ocp-Apim-Subscription-Key", "pts_x_y")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build())
                .statusCode()).isEqualTo(401);
    }

    @Test
    void aBodyOfManySystemsIsAnsweredWithWhatTheFeedStoredOfEach() throws Exception {
        importRegistry("systems", SAMPLES.resolve("registry/many-systems/systems.csv"));
        importRegistry("designations", SAMPLES.resolve("registry/many-systems/designations.csv"));
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("pts/rest-70-systems.json"))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, JsonNode> results = new TreeMap<>();
        JSON.readTree(r.body()).get("results").forEach(s -> results.put(s.get("fk_System").asText(), s));
        assertThat(results).hasSize(70);
        results.forEach((system, s) -> {
            boolean decreased = system.equals("PM-070");
            assertThat(s.get("records_inserted").asInt()).as(system).isEqualTo(decreased ? 1 : 2);
            assertThat(s.get("success").asBoolean()).as(system).isEqualTo(!decreased);
        });
        assertThat(results.get("PM-070").get("messages").get(0).asText()).contains("REGISTER_DECREASED");
        assertThat(dsl.fetchCount(FEED_SYSTEM)).isEqualTo(70);
    }

    /**
     * A feed judged by an instance older than V15 (during a rolling upgrade) has no per-system counts: its answer
     * counts them from the readings once, and keeps them.
     */
    @Test
    void aFeedWithoutPerSystemCountsIsAnsweredFromItsReadings() throws Exception {
        HttpResponse<String> first = postRest("pts/rest-sunwatch.json");
        long feedId = JSON.readTree(first.body()).get("feed_id").asLong();
        assertThat(dsl.deleteFrom(FEED_SYSTEM).where(FEED_SYSTEM.FEED_ID.eq(feedId)).execute()).isEqualTo(1);

        JsonNode replayed = JSON.readTree(postRest("pts/rest-sunwatch.json").body());
        assertThat(replayed.get("status").asText()).isEqualTo("DUPLICATE_FEED");
        assertThat(replayed.get("results").get(0).get("fk_System").asText()).isEqualTo("MA-1005");
        assertThat(replayed.get("results").get(0).get("records_inserted").asInt()).isEqualTo(2);
        assertThat(dsl.fetchOne(FEED_SYSTEM, FEED_SYSTEM.FEED_ID.eq(feedId)).getStoredReadings()).isEqualTo(2);
    }

    HttpResponse<String> postRest(String sample) throws Exception {
        return send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve(sample))).build());
    }

    @Test
    void soapReadCallsAnswerTheLastStoredReadingOfTheProvidersOwnSystemsOnly() throws Exception {
        // nothing stored yet: the answer has no Result
        HttpResponse<String> none = soap("pts/soap-getlastmeterdate.xml", key);
        assertThat(none.statusCode()).as(none.body()).isEqualTo(200);
        assertThat(none.body()).contains("GetLastMeterDateResponse").doesNotContain("GetLastMeterDateResult");

        assertThat(soap("pts/soap-postdata.xml", key).statusCode()).isEqualTo(200); // MA-1003: 1 March 5000, 1 April 5400
        HttpResponse<String> last = soap("pts/soap-getlastmeterdate.xml", key);
        assertThat(last.statusCode()).isEqualTo(200);
        // local time in New York, as the client sent it
        assertThat(last.body()).contains("<GetLastMeterDateResult>2025-04-01 09:10:44</GetLastMeterDateResult>");

        HttpResponse<String> endOfMarch = soap("pts/soap-getmetervalue.xml", key);
        assertThat(endOfMarch.body()).contains("<GetMeterValueResult>5000.000</GetMeterValueResult>");
        HttpResponse<String> april = send(soapCall(getMeterValue(2025, 4, 1)));
        assertThat(april.body()).contains("<GetMeterValueResult>5400.000</GetMeterValueResult>");
        HttpResponse<String> february = send(soapCall(getMeterValue(2025, 2, 28)));
        assertThat(february.statusCode()).isEqualTo(200);
        assertThat(february.body()).doesNotContain("GetMeterValueResult");
        HttpResponse<String> noDay = send(soapCall(getMeterValue(2025, 2, 30)));
        assertThat(noDay.statusCode()).isEqualTo(400);
        assertThat(noDay.body()).contains("<soap:Fault>").contains("calendar day");
        // years outside 1 to 9999 are refused: -999,999,999 and 999,999,999 (in Java's calendar, beyond
        // PostgreSQL's timestamps) were 500s, and no meter was read in year 0 or 10,000
        for (int year : new int[] {-999_999_999, 0, 10_000, 999_999_999}) {
            HttpResponse<String> outOfRange = send(soapCall(getMeterValue(year, 1, 1)));
            assertThat(outOfRange.statusCode()).as("year " + year).isEqualTo(400);
            assertThat(outOfRange.body()).contains("<soap:Fault>").contains("calendar day of the years 1 to 9999");
        }
        assertThat(send(soapCall(getMeterValue(1, 1, 1))).statusCode()).isEqualTo(200);

        // MA-1004 is gridsense's; MA-9999 does not exist: the same answer, so neither is revealed
        HttpResponse<String> other = soap("pts/soap-getlastmeterdate.xml", key, "MA-1003", "MA-1004");
        HttpResponse<String> unknown = soap("pts/soap-getlastmeterdate.xml", key, "MA-1003", "MA-9999");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("<soap:Fault>").doesNotContain("GetLastMeterDateResult");
        assertThat(other.body().replace("MA-1004", "ID")).isEqualTo(unknown.body().replace("MA-9999", "ID"));
        assertThat(soap("pts/soap-getmetervalue.xml", key, "MA-1003", "MA-1004").statusCode()).isEqualTo(404);
        // and the call is authenticated like postdata
        assertThat(soap("pts/soap-getlastmeterdate.xml", "pts_wrong_key").statusCode()).isEqualTo(401);
    }

    String getMeterValue(int year, int month, int day) throws Exception {
        return java.nio.file.Files.readString(SAMPLES.resolve("pts/soap-getmetervalue.xml")).replace("API-KEY", key)
                .replace("<MeterYear>2025<", "<MeterYear>" + year + "<")
                .replace("<MeterMonth>3<", "<MeterMonth>" + month + "<")
                .replace("<MeterDay>31<", "<MeterDay>" + day + "<");
    }

    HttpRequest soapCall(String envelope) {
        return HttpRequest.newBuilder(url("/pts/v1/soap")).header("Content-Type", "text/xml; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(envelope)).build();
    }
}
