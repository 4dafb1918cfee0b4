package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.persistence.jooq.tables.records.MeterExchangeRecord;

/**
 * Meter exchanges from the registry import to the readings: row errors, a re-import that changes nothing,
 * a replacement that is reported, METER_NOT_INSTALLED through a real SFTP feed around the exchange, PTS
 * readings attributed to the meter installed at their time; and the systems import's gis_unit_id.
 */
class MeterExchangeIT extends IngestItSupport {
    static final OffsetDateTime EXCHANGED_AT = OffsetDateTime.parse("2025-03-15T16:00:00Z");

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    @Test
    void rowsOutsideTheirDomainsAndUnknownSystemsAreRowErrors() throws Exception {
        JsonNode result = importRegistry("meter-exchanges", SAMPLES.resolve("registry/hostile/meter-exchanges.csv"));

        assertThat(result.get("table").asText()).isEqualTo("meter_exchanges");
        assertThat(result.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(result.get("row_count").asInt()).isEqualTo(10);
        assertThat(result.get("upserted").asInt()).isEqualTo(1);
        assertThat(RegistryImportIT.errors(result)).containsExactly(
                Map.entry(3L, "UNKNOWN_SYSTEM: system MA-9999 is not registered"),
                Map.entry(4L, "INVALID_VALUE: exchanged_at '2025-03-15T12:00:00' has no UTC offset; add Z or e.g. -05:00"),
                Map.entry(5L, "INVALID_VALUE: old_final_kwh -5 is negative"),
                Map.entry(6L, "INVALID_VALUE: old_final_kwh 12.3456 has more than 3 decimals"),
                Map.entry(7L, "INVALID_VALUE: old_meter_serial and new_meter_serial are both 'SN-1001-B'"),
                Map.entry(8L, "INVALID_VALUE: exchanged_at '2025-05-01T00:00:00.0000001Z' is finer than a microsecond "
                        + "(at most 6 fractional digits that are not 0)"),
                Map.entry(9L, "INVALID_VALUE: old_final_kwh 1234567890123456 has more than 15 digits before the decimal point"),
                Map.entry(10L, "INVALID_VALUE: expected 6 fields, found 4"),
                Map.entry(11L, "INVALID_VALUE: new_initial_kwh '1e3' is not a plain decimal number "
                        + "(digits, one point; no sign, exponent or separator)"));
        assertThat(dsl.fetch(METER_EXCHANGE)).singleElement().satisfies(x -> {
            assertThat(x.getSystemId()).isEqualTo("MA-1001");
            assertThat(x.getExchangedAt().toInstant()).isEqualTo(EXCHANGED_AT.toInstant());
            assertThat(x.getOldFinalKwh()).isEqualByComparingTo("11400");
        });
    }

    @Test
    void theSameRowAgainChangesNothingAndOtherValuesForItsInstantReplaceItAndAreListed() throws Exception {
        JsonNode first = importRegistry("meter-exchanges", SAMPLES.resolve("registry/meter-exchanges.csv"));
        assertThat(first.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(first.has("replaced")).isFalse();
        MeterExchangeRecord stored = dsl.fetchSingle(METER_EXCHANGE);

        JsonNode again = importRegistry("meter-exchanges", SAMPLES.resolve("registry/meter-exchanges.csv"));
        assertThat(again.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(again.has("replaced")).as("nothing replaced").isFalse();
        assertThat(dsl.fetchSingle(METER_EXCHANGE)).as("not even imported_at moves").isEqualTo(stored);

        // the same instant written in UTC, another final register: a replacement, and the answer says of what
        JsonNode fix = importRegistry("meter-exchanges", SAMPLES.resolve("registry/fix/meter-exchanges.csv"));
        assertThat(fix.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(fix.get("replaced")).singleElement().satisfies(r -> {
            assertThat(r.get("line").asLong()).isEqualTo(2);
            assertThat(r.get("message").asText()).isEqualTo("replaced the exchange of MA-1001 at 2025-03-15T16:00:00Z: "
                    + "SN-1001-A 11400.000 kWh -> SN-1001-B 0.000 kWh");
        });
        assertThat(dsl.fetchSingle(METER_EXCHANGE).getOldFinalKwh()).isEqualByComparingTo("11420.5");
    }

    @Test
    void aReadingOfAMeterNotInstalledAtItsTimeIsRefusedOnBothSidesOfTheExchange() throws Exception {
        ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        importRegistry("meter-exchanges", SAMPLES.resolve("registry/meter-exchanges.csv"));

        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/07-meter-exchange.csv");

        assertThat(receipt.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        // lines 2-7: A before, B before, A at the exchange instant, B at it, A after, B after
        assertThat(SftpIngestIT.codesByLine(receipt)).containsExactly(
                Map.entry(3, "METER_NOT_INSTALLED"), Map.entry(4, "METER_NOT_INSTALLED"), Map.entry(6, "METER_NOT_INSTALLED"));
        JsonNode refused = outcome(receipt, 3);
        assertThat(refused.get("message").asText()).isEqualTo("meter SN-1001-B is not installed on MA-1001 at "
                + "2025-03-10T04:00:00Z; the installed meter is SN-1001-A (until the exchange at 2025-03-15T16:00:00Z)");
        assertThat(dsl.select(READING.METER_SERIAL, READING.READ_AT).from(READING)
                .where(READING.FEED_ID.eq(receipt.get("feed_id").asLong())).orderBy(READING.LINE_NO)
                .fetch(r -> r.value1() + " " + r.value2().toInstant())).containsExactly(
                "SN-1001-A 2025-03-10T04:00:00Z", "SN-1001-B 2025-03-15T16:00:00Z", "SN-1001-B 2025-04-01T04:00:00Z");
    }

    @Test
    void ptsReadingsAreAttributedToTheMeterInstalledAtTheirTime() throws Exception {
        importRegistry("meter-exchanges", SAMPLES.resolve("registry/meter-exchanges.csv"));
        String key = issueKey("sunwatch");

        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/pts/v1/readings"))
                .header("Ocp-Apim-Subscription-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("pts/rest-meter-exchange.json"))).build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body()).get("results").get(0);
        assertThat(result.get("success").asBoolean()).as(r.body()).isTrue();
        assertThat(result.get("records_inserted").asInt()).isEqualTo(3);
        // local 12:00 on 15 March is the exchange instant itself: the new meter's
        assertThat(dsl.select(READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH).from(READING)
                .orderBy(READING.READ_AT)
                .fetch(x -> x.value1() + " " + x.value2().toInstant() + " " + x.value3().toPlainString())).containsExactly(
                "SN-1001-A 2025-03-10T04:00:00Z 11250.000",
                "SN-1001-B 2025-03-15T16:00:00Z 0.000",
                "SN-1001-B 2025-04-01T04:00:00Z 480.000");
    }

    @Test
    void gisUnitIdIsAnOptionalSystemsColumnAndOlderHeadersLeaveItAlone() throws Exception {
        Path csv = Files.createTempFile("systems", ".csv");
        Files.writeString(csv, "system_id,owner_name,dc_capacity_kw,interconnected_on,program,meter_serial,gis_unit_id\n"
                + "MA-1001,Ada Lovelace,8.5,2016-02-15,SREC II,SN-1001-A,NON12345\n"
                + "MA-1003,Grace Hopper,6.2,2017-05-20,SREC I,SN-1003-A,\n"
                + "MA-1004,Town of Amherst,48,2020-09-01,Class I REC,SN-1004-A,NON\u00007\n");
        JsonNode result = importRegistry("systems", csv);
        assertThat(result.get("upserted").asInt()).isEqualTo(2);
        assertThat(RegistryImportIT.errors(result)).containsExactly(
                Map.entry(4L, "INVALID_VALUE: gis_unit_id 'NON\\u00007' has a control character (U+0000) at position 4"));
        assertThat(gisUnit("MA-1001")).isEqualTo("NON12345");
        assertThat(gisUnit("MA-1003")).isNull();

        // the six- and five-column headers are still accepted, and keep the unit id as registered
        importRegistry("systems", SAMPLES.resolve("registry/systems.csv"));
        assertThat(gisUnit("MA-1001")).isEqualTo("NON12345");
        Files.writeString(csv, "system_id,owner_name,dc_capacity_kw,interconnected_on,program\n"
                + "MA-1001,Ada Lovelace,9.5,2016-02-15,SREC II\n");
        assertThat(importRegistry("systems", csv).get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(gisUnit("MA-1001")).isEqualTo("NON12345");
        assertThat(dsl.fetchValue(PTS_SYSTEM.DC_CAPACITY_KW, PTS_SYSTEM.SYSTEM_ID.eq("MA-1001")))
                .isEqualByComparingTo(new BigDecimal("9.5"));
        Files.delete(csv);
    }

    private String gisUnit(String system) {
        return dsl.fetchValue(PTS_SYSTEM.GIS_UNIT_ID, PTS_SYSTEM.SYSTEM_ID.eq(system));
    }

    private static JsonNode outcome(JsonNode receipt, int line) {
        for (JsonNode r : receipt.get("readings")) {
            if (r.get("line").asInt() == line) {
                return r;
            }
        }
        throw new AssertionError("no outcome on line " + line + ": " + receipt);
    }
}
