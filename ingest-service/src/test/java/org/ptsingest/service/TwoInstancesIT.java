package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.FILE_CLAIM;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.registry.RegistryImport;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two service instances poll one inbox (the second polls the first one's SFTP server, as it would
 * an external one). Every file must be processed exactly once: one feed, one receipt, its readings once.
 */
class TwoInstancesIT {
    static final Path DATA = Path.of("target", "it-data", "pair");
    static final int FILES = 40;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() throws Exception {
        if (Files.exists(DATA)) {
            try (Stream<Path> s = Files.walk(DATA)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        first = instance(true);
        DSLContext dsl = first.getBean(DSLContext.class);
        dsl.truncate(READING, READING_OUTCOME, FEED_OUTCOME_COUNT, FEED, FILE_CLAIM, PROVIDER_SSH_KEY, DESIGNATION,
                PROVIDER_STATUS, PTS_SYSTEM, PROVIDER).cascade().execute();
        RegistryImport registry = first.getBean(RegistryImport.class);
        Path samples = IngestItSupport.SAMPLES.resolve("registry");
        try (Reader p = Files.newBufferedReader(samples.resolve("providers.csv"));
                Reader s = Files.newBufferedReader(samples.resolve("systems.csv"));
                Reader d = Files.newBufferedReader(samples.resolve("designations.csv"))) {
            registry.providers(p);
            registry.systems(s);
            registry.designations(d);
        }
        second = instance(false);
    }

    static ConfigurableApplicationContext instance(boolean embeddedServer) {
        // Command-line arguments: they outrank application-it.yml, which default properties would not.
        return new SpringApplicationBuilder(IngestServiceApplication.class).profiles("it")
                .run("--ingest.data-dir=" + DATA, "--ingest.sftp.port=2323",
                        "--ingest.sftp.embedded=" + embeddedServer, "--server.port=0",
                        // Camel's AS2 component closes every AS2 server of the JVM when it shuts down,
                        // the shared test context's too: these instances have none.
                        "--ingest.as2.enabled=false", "--camel.component.as2.enabled=false");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void everyFileIsProcessedExactlyOnce() throws Exception {
        Path inbox = Files.createDirectories(DATA.resolve("sftp/providers/sunwatch/inbox"));
        Path receipts = DATA.resolve("sftp/providers/sunwatch/receipts");
        for (int i = 0; i < FILES; i++) {
            Path part = inbox.resolve("feed-" + i + ".csv.part");
            Files.writeString(part, "system_id,meter_serial,read_at,register_kwh\n"
                    + "MA-1001,PAIR-" + i + "," + Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * i) + ",1"
                    + i + "\n");
            Files.move(part, inbox.resolve("feed-" + i + ".csv"));
            if (i % 10 == 9) {
                // drop in batches, so both instances' polls see files (waits on the first of the batch being taken)
                int taken = i - 9;
                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !Files.exists(inbox.resolve("feed-" + taken + ".csv")));
            }
        }
        await("all receipts").atMost(java.time.Duration.ofSeconds(90))
                .until(() -> countFiles(receipts) >= FILES && countFiles(inbox) == 0);
        // Proof that polls ran after the last file was answered (so anything taken twice would show up):
        // a sentinel dropped now is answered, by whichever instance, after both had the chance to retake.
        Files.writeString(inbox.resolve("sentinel.csv.part"), "system_id,meter_serial,read_at,register_kwh\n"
                + "MA-1001,PAIR-SENTINEL,2026-01-01T00:00:00Z,1\n");
        Files.move(inbox.resolve("sentinel.csv.part"), inbox.resolve("sentinel.csv"));
        await("sentinel receipt").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Files.exists(receipts.resolve("sentinel.csv.receipt.json")));

        DSLContext dsl = first.getBean(DSLContext.class);
        int all = FILES + 1;
        assertThat(countFiles(receipts)).isEqualTo(all);
        assertThat(dsl.fetchCount(FEED)).isEqualTo(all);
        assertThat(dsl.fetchCount(FEED, FEED.STATUS.eq("ACCEPTED"))).isEqualTo(all);
        assertThat(dsl.fetchCount(dsl.selectDistinct(FEED.SOURCE_KEY).from(FEED))).isEqualTo(all);
        assertThat(dsl.fetchCount(READING)).isEqualTo(all);
        await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> dsl.fetchCount(FILE_CLAIM, FILE_CLAIM.COMPLETED_AT.isNotNull()) == all);
        // both instances took part: the exactly-once above was between two pollers, not one
        var byInstance = dsl.select(FILE_CLAIM.INSTANCE_ID, DSL.count()).from(FILE_CLAIM)
                .groupBy(FILE_CLAIM.INSTANCE_ID).fetchMap(FILE_CLAIM.INSTANCE_ID, DSL.count());
        assertThat(byInstance).as("files claimed per instance").hasSize(2).allSatisfy((id, n) -> assertThat(n).isPositive());
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
