package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who has not reported in a month's window. October 2025's window (27 October 00:00 EDT to 6 November
 * 00:00 EST) spans the fall-back night, so it is 241 hours long: a reading at 23:30 on 5 November (EST)
 * is in it, one at 00:00 on 6 November is not.
 */
class MissingReportsIT extends IngestItSupport {
    static final Path FIXTURES = SAMPLES.resolve("registry/missing-reports");

    @BeforeEach
    void registryAndReadings() throws Exception {
        loadSampleRegistry();
        importRegistry("systems", FIXTURES.resolve("systems.csv"));
        importRegistry("designations", FIXTURES.resolve("designations.csv"));
        JsonNode receipt = ingest("sunwatch", "csv-v1/sunwatch/08-around-the-october-window.csv");
        assertThat(receipt.get("status").asText()).as(receipt.toString()).isEqualTo("ACCEPTED");
        // registered after its readings were stored: MA-1002's reading of 30 October is of a meter no longer installed then
        importRegistry("meter-exchanges", FIXTURES.resolve("meter-exchanges.csv"));
    }

    @Test
    void octobersWindowListsEachDesignatedReporterOfASystemWithoutACloseWithItsLastClose() throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/reporting-windows/2025-10/missing").GET().build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        // MA-1001 closed October at 23:30 EST on 5 November; MA-1020 was interconnected on the window's first day;
        // MA-1021's designation ended the day before the window's last day; MA-1022's on it (inclusive)
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("""
                [{"system_id": "MA-1004", "provider_id": "gridsense", "last_close_month": null},
                 {"system_id": "MA-1005", "provider_id": "oldmeter", "last_close_month": null},
                 {"system_id": "MA-1002", "provider_id": "sunwatch", "last_close_month": "2025-09"},
                 {"system_id": "MA-1003", "provider_id": "sunwatch", "last_close_month": "2025-09"},
                 {"system_id": "MA-1005", "provider_id": "sunwatch", "last_close_month": null},
                 {"system_id": "MA-1022", "provider_id": "sunwatch", "last_close_month": null}]"""));
    }

    @Test
    void novembersListAsCsvTakesOctobersLastMinuteAsOctobersClose() throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/reporting-windows/2025-11/missing").header("Accept", "text/csv").GET().build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        // MA-1003's reading at 00:00 on 6 November lies between windows: its last close stays September's
        assertThat(r.body()).isEqualTo("""
                system_id,provider_id,last_close_month\r
                MA-1004,gridsense,\r
                MA-1005,oldmeter,\r
                MA-1001,sunwatch,2025-10\r
                MA-1002,sunwatch,2025-09\r
                MA-1003,sunwatch,2025-09\r
                MA-1005,sunwatch,\r
                MA-1020,sunwatch,\r
                """);
    }

    @Test
    void onlyOpsAskAndTheMonthMustBeOne() throws Exception {
        assertThat(send(asOps("/api/v1/reporting-windows/2025-13/missing").GET().build()).statusCode()).isEqualTo(400);
        String key = issueKey("sunwatch");
        assertThat(send(java.net.http.HttpRequest.newBuilder(url("/api/v1/reporting-windows/2025-10/missing"))
                .header("Authorization", "Bearer " + key).GET().build()).statusCode()).isEqualTo(403);
    }
}
