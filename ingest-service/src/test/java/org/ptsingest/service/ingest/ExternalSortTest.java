package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
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
