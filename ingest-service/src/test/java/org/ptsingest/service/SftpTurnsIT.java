package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.ptsingest.routes.SftpInboxRoute;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * One provider's flood of files does not hold another provider's feed until it is through: the inbox route
 * takes a few files of each provider per poll (ingest.sftp.files-per-provider-per-poll, 5) and judges them in
 * turns between providers.
 */
class SftpTurnsIT extends IngestItSupport {
    @Autowired
    CamelContext camel;

    @Test
    void aQuietProvidersFileIsJudgedInTheFirstTurnNotAfterAnotherProvidersFlood() throws Exception {
        loadSampleRegistry();
        long now = System.currentTimeMillis();
        // Dropped while the route is stopped, so that its first poll lists all of them at once.
        camel.getRouteController().stopRoute(SftpInboxRoute.ROUTE_ID);
        try {
            for (int i = 0; i < 12; i++) {
                dropAt("sunwatch", "csv-v1/sunwatch/01-baseline.csv", "flood-%02d.csv".formatted(i),
                        now - 120_000 + i * 1_000L);
            }
            // newer than every file of the flood: in modification-time order it would be judged last
            dropAt("gridsense", "csv-v1/gridsense/01-baseline.csv", "june.csv", now - 10_000);
        } finally {
            camel.getRouteController().startRoute(SftpInboxRoute.ROUTE_ID);
        }

        assertThat(awaitReceipt("gridsense", "june.csv").get("status").asText()).isEqualTo("ACCEPTED");
        for (int i = 0; i < 12; i++) {
            awaitReceipt("sunwatch", "flood-%02d.csv".formatted(i));
        }
        List<String> judged = dsl.select(FEED.PROVIDER_ID).from(FEED).orderBy(FEED.FEED_ID).fetch(FEED.PROVIDER_ID);
        assertThat(judged).hasSize(13);
        // the first turn: the flood's oldest of the files the poll took, then the quiet provider's only file
        assertThat(judged.indexOf("gridsense")).isEqualTo(1);
    }

    @Test
    void aFileDroppedWhileAFloodIsJudgedWaitsForOnlyAFewOfItsFiles() throws Exception {
        loadSampleRegistry();
        long now = System.currentTimeMillis();
        camel.getRouteController().stopRoute(SftpInboxRoute.ROUTE_ID);
        try {
            for (int i = 0; i < 30; i++) {
                dropAt("sunwatch", "csv-v1/sunwatch/01-baseline.csv", "flood-%02d.csv".formatted(i),
                        now - 120_000 + i * 1_000L);
            }
        } finally {
            camel.getRouteController().startRoute(SftpInboxRoute.ROUTE_ID);
        }
        Path receipts = providerDir("sunwatch").resolve("receipts");
        org.awaitility.Awaitility.await("the flood is being judged").atMost(java.time.Duration.ofSeconds(60))
                .until(() -> Files.exists(receipts) && Files.list(receipts).findAny().isPresent());

        drop("gridsense", SAMPLES.resolve("csv-v1/gridsense/01-baseline.csv"), "june.csv");

        assertThat(awaitReceipt("gridsense", "june.csv").get("status").asText()).isEqualTo("ACCEPTED");
        for (int i = 0; i < 30; i++) {
            awaitReceipt("sunwatch", "flood-%02d.csv".formatted(i));
        }
        List<String> judged = dsl.select(FEED.PROVIDER_ID).from(FEED).orderBy(FEED.FEED_ID).fetch(FEED.PROVIDER_ID);
        // the flood's files of the poll under way when it came (at most five), then the next poll's turn: at most
        // five more; in modification-time order it would come after all thirty
        assertThat(judged.indexOf("gridsense")).isLessThanOrEqualTo(10);
    }

    @Test
    void abandonedUploadsDoNotTakeTheProvidersTurns() throws Exception {
        loadSampleRegistry();
        Path inbox = Files.createDirectories(providerDir("sunwatch").resolve("inbox"));
        // uploads that were never renamed (a client that died, an external server's temporary names): more of
        // them than a poll takes of one provider
        for (String name : List.of("a.csv.part", "b.csv.part", "c.csv.tmp", "d.csv.filepart", ".e.csv", "f.csv.part")) {
            Files.copy(SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv"), inbox.resolve(name));
        }

        assertThat(ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv").get("status").asText()).isEqualTo("ACCEPTED");
        try (var left = Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "a.csv.part", "b.csv.part", "c.csv.tmp", "d.csv.filepart", ".e.csv", "f.csv.part");
        }
    }

    private void dropAt(String providerId, String sample, String asName, long modifiedMillis) throws Exception {
        drop(providerId, SAMPLES.resolve(sample), asName);
        Path dropped = providerDir(providerId).resolve("inbox").resolve(asName);
        Files.setLastModifiedTime(dropped, FileTime.fromMillis(modifiedMillis));
    }
}
