package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.feed.ParsedReading;

class ExternalSortTest {
    @TempDir
    Path dir;

    @Test
    void mergedRunsGiveTheSameOrderAsOneInMemorySort() throws Exception {
        Random random = new Random(42);
        List<ParsedReading> readings = new ArrayList<>();
        for (int line = 2; line < 1_002; line++) {
            readings.add(new ParsedReading(line - 1, line, "MA-" + random.nextInt(7), "tab\there\\" + random.nextInt(3),
                    Instant.parse("2025-01-01T00:00:00Z").plusNanos(random.nextInt(50) * 1_000_000_001L),
                    new BigDecimal(random.nextInt(100_000)).movePointLeft(3)));
        }
        List<ParsedReading> expected = new ArrayList<>(readings);
        expected.sort(ExternalSort.JUDGING_ORDER);

        List<ParsedReading> actual = new ArrayList<>();
        try (ExternalSort sort = new ExternalSort(dir, "t", 64)) {
            for (ParsedReading r : readings) {
                sort.add(r);
            }
            Iterator<ParsedReading> it = sort.sorted();
            assertThat(Files.list(dir).count()).as("run files").isEqualTo(16);
            it.forEachRemaining(actual::add);
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(Files.list(dir)).as("run files removed").isEmpty();
    }

    /**
     * A feed already in judging order (system-major) is detected while it streams in and its runs are read
     * one after the other; values at the edges of their domains come back from the binary runs unchanged.
     */
    @Test
    void aFeedInJudgingOrderComesBackUnchangedThroughItsRuns() throws Exception {
        List<ParsedReading> readings = new ArrayList<>();
        int record = 0;
        for (String system : new String[] {"MA-1", "MA-2", "Zähler-\uD83D\uDD0C", "\uFFFF"}) {
            for (int i = 0; i < 50; i++) {
                record++;
                readings.add(new ParsedReading(record, record + 1, system, "SN-" + system,
                        Instant.parse("0001-01-01T00:00:00Z").plusSeconds(86_400L * 365 * i).plusNanos(i * 1_000L),
                        i % 2 == 0 ? new BigDecimal("999999999999999.999") : new BigDecimal("0." + i)));
            }
        }
        readings.sort(ExternalSort.JUDGING_ORDER);

        List<ParsedReading> actual = throughSort("t", readings, true);
        assertThat(actual).containsExactlyElementsOf(readings);
        assertThat(actual.get(0).registerKwh().scale()).isEqualTo(3);

        List<ParsedReading> backwards = new ArrayList<>(readings);
        java.util.Collections.reverse(backwards);
        assertThat(throughSort("u", backwards, false)).containsExactlyElementsOf(readings);
    }

    /** Runs written while the feed was still in order are left unsorted; the merge must still order them. */
    @Test
    void orderLostAfterSeveralRunsStillComesBackSorted() throws Exception {
        List<ParsedReading> readings = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            readings.add(reading(i, "MA-" + (1000 + i / 10), i));
        }
        // then the same systems again, earlier instants, backwards: out of order from record 301 on
        for (int i = 299; i >= 0; i--) {
            readings.add(reading(600 - i, "MA-" + (1000 + i / 10), i - 1_000));
        }
        List<ParsedReading> expected = new ArrayList<>(readings);
        expected.sort(ExternalSort.JUDGING_ORDER);
        assertThat(throughSort("t", readings, false)).containsExactlyElementsOf(expected);
    }

    /** A feed given up half-way (a schema violation near its end) leaves no run file and no sorting thread. */
    @Test
    void closingHalfWayRemovesEveryRunAndItsThread() throws Exception {
        try (ExternalSort sort = new ExternalSort(dir, "half", 16)) {
            for (int i = 0; i < 1_000; i++) {
                sort.add(reading(i, "MA-" + (5000 - i), i));
            }
        }
        assertThat(Files.list(dir)).as("run files removed").isEmpty();
        // the pool has terminated; its thread may take a moment more to leave the JVM's list
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("sort-half")));
    }

    /**
     * A judge behind the parser gets each run of a feed in order as soon as it is written, with every meter's span
     * in that run (a meter straddling two runs has a span in each), the last run once the parse ends, and then null.
     */
    @Test
    void runsOfAFeedInOrderAreOfferedAsTheyAreWrittenWithTheirMetersSpans() throws Exception {
        List<ParsedReading> readings = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readings.add(reading(i, i < 6 ? "MA-1" : "MA-2", i < 6 ? i : i - 6));
        }
        try (ExternalSort sort = new ExternalSort(dir, "offer", 4)) {
            for (ParsedReading r : readings.subList(0, 8)) {
                sort.add(r);
            }
            ExternalSort.InOrderRun first = sort.awaitRun(0);
            ExternalSort.InOrderRun second = sort.awaitRun(1);
            assertThat(spans(first)).containsExactly(span("MA-1", 0, 3));
            assertThat(spans(second)).containsExactly(span("MA-1", 4, 5), span("MA-2", 0, 1));
            assertThat(readings(second)).containsExactlyElementsOf(readings.subList(4, 8));

            for (ParsedReading r : readings.subList(8, 10)) {
                sort.add(r);
            }
            sort.sorted();
            assertThat(spans(sort.awaitRun(2))).containsExactly(span("MA-2", 2, 3));
            assertThat(sort.awaitRun(3)).as("no run after the last").isNull();
        }
    }

    /** A reading out of order ends the offer at once, whether a judge waits for the next run or asks for an earlier one. */
    @Test
    void aReadingOutOfOrderEndsTheOfferAndReleasesAWaitingJudge() throws Exception {
        try (ExternalSort sort = new ExternalSort(dir, "lost", 4)) {
            for (int i = 0; i < 4; i++) {
                sort.add(reading(i, "MA-1", i));
            }
            assertThat(sort.awaitRun(0)).isNotNull();
            java.util.concurrent.CompletableFuture<ExternalSort.InOrderRun> waiting = awaitingRun(sort, 1);
            sort.add(reading(4, "MA-0", 0));
            assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNull();
            assertThat(sort.awaitRun(0)).isNull();
        }
    }

    /** A parse given up (a schema violation, a failure) closes its sort: a judge waiting for a run goes on. */
    @Test
    void closingReleasesAJudgeWaitingForARun() throws Exception {
        ExternalSort sort = new ExternalSort(dir, "closed", 4);
        sort.add(reading(0, "MA-1", 0));
        java.util.concurrent.CompletableFuture<ExternalSort.InOrderRun> waiting = awaitingRun(sort, 0);
        sort.close();
        assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    }

    /** A parse that fails removes its runs: a judge asking for one written before gets none, not a removed file. */
    @Test
    void aClosedSortGivesOutNoRun() throws Exception {
        ExternalSort sort = new ExternalSort(dir, "gone", 4);
        for (int i = 0; i < 4; i++) {
            sort.add(reading(i, "MA-1", i));
        }
        assertThat(sort.awaitRun(0)).isNotNull();
        sort.close();
        assertThat(sort.awaitRun(0)).isNull();
    }

    /** A judge waiting for run {@code i} on another thread. */
    private static java.util.concurrent.CompletableFuture<ExternalSort.InOrderRun> awaitingRun(ExternalSort sort, int i) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return sort.awaitRun(i);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private List<String> spans(ExternalSort.InOrderRun run) throws Exception {
        Path file = dir.resolve("spans.txt");
        run.spans().write(file);
        List<String> lines = Files.readAllLines(file);
        Files.delete(file);
        return lines.stream().sorted().toList();
    }

    private static String span(String system, int firstHour, int lastHour) throws Exception {
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        StringWriter w = new StringWriter();
        PgCopy.row(w, system, "SN-1", start.plusSeconds(3_600L * firstHour), start.plusSeconds(3_600L * lastHour));
        return w.toString().stripTrailing();
    }

    private static List<ParsedReading> readings(ExternalSort.InOrderRun run) throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        List<ParsedReading> out = new ArrayList<>();
        try {
            run.readings(open).forEachRemaining(out::add);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
        return out;
    }

    /** The readings through a sort of 64-reading chunks, checking whether it saw them arrive in judging order. */
    private List<ParsedReading> throughSort(String prefix, List<ParsedReading> readings, boolean inOrder) throws Exception {
        List<ParsedReading> out = new ArrayList<>();
        try (ExternalSort sort = new ExternalSort(dir, prefix, 64)) {
            for (ParsedReading r : readings) {
                sort.add(r);
            }
            assertThat(sort.arrivedInOrder()).isEqualTo(inOrder);
            sort.sorted().forEachRemaining(out::add);
        }
        return out;
    }

    private static ParsedReading reading(int record, String system, int hour) {
        return new ParsedReading(record, record + 1, system, "SN-1", Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3_600L * hour),
                new BigDecimal(record).movePointLeft(1));
    }

    @Test
    void copyTextRoundTripsAwkwardText() throws Exception {
        StringWriter w = new StringWriter();
        PgCopy.row(w, "a\tb", "back\\slash", "line\nbreak\r", null, 7);
        String line = w.toString();
        assertThat(line).endsWith("\n").doesNotContain("\t\t");
        assertThat(PgCopy.fields(line.substring(0, line.length() - 1), 5))
                .containsExactly("a\tb", "back\\slash", "line\nbreak\r", null, "7");
    }
}
