package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.feed.FeedFileName;
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
        whileTheRouteIsStopped(() -> {
            for (int i = 0; i < 12; i++) {
                dropAt("sunwatch", "csv-v1/sunwatch/01-baseline.csv", "flood-%02d.csv".formatted(i),
                        now - 120_000 + i * 1_000L);
            }
            // newer than every file of the flood: in modification-time order it would be judged last
            dropAt("gridsense", "csv-v1/gridsense/01-baseline.csv", "june.csv", now - 10_000);
        });

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
        whileTheRouteIsStopped(() -> {
            for (int i = 0; i < 30; i++) {
                dropAt("sunwatch", "csv-v1/sunwatch/01-baseline.csv", "flood-%02d.csv".formatted(i),
                        now - 120_000 + i * 1_000L);
            }
        });
        Path receipts = providerDir("sunwatch").resolve("receipts");
        await("the flood is being judged").atMost(Duration.ofSeconds(60)).until(() -> anyFileIn(receipts));

        drop("gridsense", SAMPLES.resolve("csv-v1/gridsense/01-baseline.csv"), "june.csv");

        assertThat(awaitReceipt("gridsense", "june.csv").get("status").asText()).isEqualTo("ACCEPTED");
        for (int i = 0; i < 30; i++) {
            awaitReceipt("sunwatch", "flood-%02d.csv".formatted(i));
        }
        List<String> judged = dsl.select(FEED.PROVIDER_ID).from(FEED).orderBy(FEED.FEED_ID).fetch(FEED.PROVIDER_ID);
        // the flood's files of the poll under way when it came (at most five), then one turn of the next poll (the
        // flood's oldest, if older); in modification-time order it would come after all thirty. The bound leaves room
        // for a poll that listed the quiet file a little late.
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
        // the route removes the feed from the inbox once its receipt is written, a moment after it
        await("the feed left the inbox").atMost(Duration.ofSeconds(30))
                .until(() -> !Files.exists(inbox.resolve("01-baseline.csv")));
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "a.csv.part", "b.csv.part", "c.csv.tmp", "d.csv.filepart", ".e.csv", "f.csv.part");
        }
    }

    @Test
    void aFileAboveAsyncAboveIsJudgedByTheWorkerWhileTheRouteTakesTheNextFile(@TempDir Path tmp) throws Exception {
        loadSampleRegistry();
        Path big = aboveAsyncAbove(tmp);
        long now = System.currentTimeMillis();
        whileTheRouteIsStopped(() -> {
            dropAt("sunwatch", big, "big.csv", now - 60_000);
            dropAt("gridsense", "csv-v1/gridsense/01-baseline.csv", "june.csv", now - 10_000);
        });

        JsonNode small = awaitReceipt("gridsense", "june.csv");
        JsonNode large = awaitReceipt("sunwatch", "big.csv");

        assertThat(large.get("reading_count").asInt()).isEqualTo(3 + 7_000);
        assertThat(large.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(dsl.select(DELIVERY.HANDED_OVER_AT).from(DELIVERY).where(DELIVERY.FILE_NAME.eq("big.csv"))
                .fetchOne(DELIVERY.HANDED_OVER_AT)).isNotNull();
        assertThat(providerDir("sunwatch").resolve("inbox/big.csv")).doesNotExist();
        // the older, large file was taken first, recorded and handed over; the small one was judged meanwhile
        assertThat(processedAt(small.get("feed_id").asLong())).isBefore(processedAt(large.get("feed_id").asLong()));
    }

    @Test
    void aLargeFileWhoseNameIsNotAllowedIsAnsweredAtOnceNotByTheWorker(@TempDir Path tmp) throws Exception {
        loadSampleRegistry();
        String name = "single'quote.csv";
        drop("sunwatch", aboveAsyncAbove(tmp), name);

        JsonNode receipt = awaitReceipt("sunwatch", FeedFileName.safe(name));

        assertThat(receipt.at("/rejection/code").asText()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        assertThat(dsl.select(DELIVERY.HANDED_OVER_AT).from(DELIVERY).fetchOne(DELIVERY.HANDED_OVER_AT)).isNull();
    }

    /**
     * The hostile corpus's 5,000-digit register (two good readings, then the bad one), its bad line 7,000 times
     * more: 35 MB, above the 32 MB the tests set.
     */
    private Path aboveAsyncAbove(Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(SAMPLES.resolve("hostile/csv/kwh-5000-digits.csv")));
        String fiveThousandDigits = lines.get(lines.size() - 1);
        for (int i = 0; i < 7_000; i++) {
            lines.add(fiveThousandDigits);
        }
        Path big = Files.write(dir.resolve("big.csv"), lines);
        assertThat(Files.size(big)).isGreaterThan(properties.sftp().asyncAbove().toBytes());
        return big;
    }

    private OffsetDateTime processedAt(long feedId) {
        return dsl.select(FEED.PROCESSED_AT).from(FEED).where(FEED.FEED_ID.eq(feedId)).fetchOne(FEED.PROCESSED_AT);
    }

    interface Dropping {
        void run() throws Exception;
    }

    /** Drops files while the inbox route is stopped, so that its first poll after lists all of them at once. */
    private void whileTheRouteIsStopped(Dropping drops) throws Exception {
        camel.getRouteController().stopRoute(SftpInboxRoute.ROUTE_ID);
        try {
            drops.run();
        } finally {
            camel.getRouteController().startRoute(SftpInboxRoute.ROUTE_ID);
        }
    }

    private static boolean anyFileIn(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return false;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.findAny().isPresent();
        }
    }

    private void dropAt(String providerId, String sample, String asName, long modifiedMillis) throws Exception {
        dropAt(providerId, SAMPLES.resolve(sample), asName, modifiedMillis);
    }

    private void dropAt(String providerId, Path file, String asName, long modifiedMillis) throws Exception {
        drop(providerId, file, asName);
        Path dropped = providerDir(providerId).resolve("inbox").resolve(asName);
        Files.setLastModifiedTime(dropped, FileTime.fromMillis(modifiedMillis));
    }
}
