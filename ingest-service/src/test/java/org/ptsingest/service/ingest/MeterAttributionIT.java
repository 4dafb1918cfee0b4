package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.ptsingest.feed.pts.MeterAttribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.service.IngestItSupport;

/**
 * PTS payloads name no meter: the installed one is looked up per system, one query each while a payload has
 * named few systems, then all of the provider's designated systems in one go — with the same answers.
 */
class MeterAttributionIT extends IngestItSupport {
    private static final int SYSTEMS = 1_000;
    private static final Instant BEFORE_EXCHANGE = Instant.parse("2025-03-01T12:00:00Z");
    private static final Instant AFTER_EXCHANGE = Instant.parse("2025-04-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aLargePayloadIsAttributedWithABoundedNumberOfQueriesAndTheSameAnswers() throws Exception {
        loadSampleRegistry();
        StringBuilder systems = new StringBuilder("system_id,owner_name,dc_capacity_kw,interconnected_on,program,meter_serial\n");
        StringBuilder designations = new StringBuilder("system_id,provider_id,effective_from,effective_to\n");
        for (int i = 1; i <= SYSTEMS; i++) {
            // every tenth system has no registered meter: any meter counts as installed on it
            systems.append(String.format("ATTR-%04d,Owner %d,20,2020-01-01,SREC II,%s%n", i, i,
                    i % 10 == 0 ? "" : String.format("SN-%04d", i)));
            // the last hundred were designated to sunwatch once and are no longer: still its systems' meters
            designations.append(String.format("ATTR-%04d,sunwatch,2020-01-01,%s%n", i, i > 900 ? "2024-01-01" : ""));
        }
        systems.append("OTHER-1,Other owner,20,2020-01-01,SREC II,SN-OTHER\n");
        designations.append("OTHER-1,oldmeter,2020-01-01,\n");
        Files.writeString(dir.resolve("systems.csv"), systems);
        Files.writeString(dir.resolve("designations.csv"), designations);
        // ATTR-0955, named after the switch to the bulk load, had its meter exchanged
        Files.writeString(dir.resolve("meter-exchanges.csv"),
                "system_id,exchanged_at,old_meter_serial,old_final_kwh,new_meter_serial,new_initial_kwh\n"
                        + "ATTR-0955,2025-03-15T12:00:00-04:00,SN-0955,11400.000,SN-0955-B,0\n");
        for (String table : new String[] {"systems", "designations", "meter-exchanges"}) {
            assertThat(importRegistry(table, dir.resolve(table + ".csv")).get("status").asText()).isEqualTo("ACCEPTED");
        }

        AtomicInteger queries = new AtomicInteger();
        ExecuteListener counting = new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                queries.incrementAndGet();
            }
        };
        RegistrySnapshots snapshots = new RegistrySnapshots(dsl.configuration().deriveAppending(counting).dsl());
        MeterAttribution attribution = snapshots.meterAttribution("sunwatch");

        for (int i = 1; i <= SYSTEMS; i++) {
            String system = String.format("ATTR-%04d", i);
            String expected = i % 10 == 0 ? null : String.format("SN-%04d", i);
            // each system is named twice, as a payload with several readings per system does
            assertThat(attribution.meterAt(system, BEFORE_EXCHANGE)).as(system).isEqualTo(expected);
            assertThat(attribution.meterAt(system, AFTER_EXCHANGE)).as(system)
                    .isEqualTo(i == 955 ? "SN-0955-B" : expected);
        }
        assertThat(attribution.meterAt("OTHER-1", AFTER_EXCHANGE)).as("another provider's system").isEqualTo("SN-OTHER");
        assertThat(attribution.meterAt("NOT-REGISTERED", AFTER_EXCHANGE)).isNull();

        // one query per system up to the threshold, two for the bulk load, one per system never designated
        assertThat(queries.get()).isEqualTo(RegistrySnapshots.LOOKUPS_BEFORE_BULK + 2 + 2);
    }
}
