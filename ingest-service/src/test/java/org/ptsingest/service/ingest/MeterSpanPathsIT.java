package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.service.IngestItSupport;

/**
 * A feed's meter spans reach the registry and stored-neighbour queries two ways: inline as VALUES for a feed of
 * at most {@link MeterSpans#INLINE_MAX} meters, through a temporary table above that. Both must find the same
 * stored neighbours.
 */
class MeterSpanPathsIT extends IngestItSupport {
    @TempDir
    Path dir;

    @Test
    void storedNeighboursAreFoundWhetherTheSpansAreInlineOrInATemporaryTable() throws Exception {
        loadSampleRegistry();
        registerMa1001WithoutMeter(); // every meter counts as installed on MA-1001
        int meters = MeterSpans.INLINE_MAX + 1;

        // hours 0 and 2 of every meter: stored first (the temporary table: one meter over the inline limit)
        JsonNode first = drop("first.csv", meters, 0, 1_000, 2, 1_002);
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("ACCEPTED");

        // hour 1 of one meter, below hour 0: its stored neighbour is found through the inline spans
        JsonNode inline = drop("inline.csv", 1, 1, 999, -1, 0);
        assertThat(codes(inline)).containsExactly(Map.entry("REGISTER_DECREASED", 1));

        // hour 1 of every meter, below hour 0 again: through the temporary table
        JsonNode table = drop("table.csv", meters, 1, 999, -1, 0);
        assertThat(codes(table)).containsExactly(Map.entry("REGISTER_DECREASED", meters));

        // hour 1 between the stored hours, plausible: accepted both ways
        assertThat(drop("inline-ok.csv", 1, 1, 1_001, -1, 0).get("status").asText()).isEqualTo("ACCEPTED");
    }

    /** {@code meters} meters of MA-1001 with a reading at {@code hourA} (kWh {@code a}) and, unless -1, at {@code hourB}. */
    private JsonNode drop(String name, int meters, int hourA, int a, int hourB, int b) throws Exception {
        StringBuilder csv = new StringBuilder("system_id,meter_serial,read_at,register_kwh\n");
        for (int m = 1; m <= meters; m++) {
            csv.append(String.format("MA-1001,SPAN-%03d,2025-01-01T%02d:00:00Z,%d.000%n", m, hourA, a));
            if (hourB >= 0) {
                csv.append(String.format("MA-1001,SPAN-%03d,2025-01-01T%02d:00:00Z,%d.000%n", m, hourB, b));
            }
        }
        Path file = dir.resolve(name);
        Files.writeString(file, csv);
        drop("sunwatch", file, name);
        return awaitReceipt("sunwatch", name);
    }

    private static Map<String, Integer> codes(JsonNode receipt) {
        Map<String, Integer> codes = new TreeMap<>();
        receipt.get("readings").forEach(r -> codes.merge(r.get("code").asText(), 1, Integer::sum));
        return codes;
    }
}
