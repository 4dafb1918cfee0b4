package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredPerSystemTest {
    @TempDir
    Path dir;

    @Test
    void aFewSystemsStayInMemory() throws Exception {
        Path spill = dir.resolve("feed.systems");
        try (StoredPerSystem counts = new StoredPerSystem(spill, 7)) {
            for (int s = 1; s <= StoredPerSystem.INLINE; s++) {
                counts.stored("S-" + s);
            }
        }
        assertThat(spill).doesNotExist();
    }

    @Test
    void beyondThemEveryCountGoesToTheFileInJudgingOrderWithTheFirstOnesToo() throws Exception {
        Path spill = dir.resolve("feed.systems");
        List<String> expected = new ArrayList<>();
        try (StoredPerSystem counts = new StoredPerSystem(spill, 7)) {
            for (int s = 1; s <= StoredPerSystem.INLINE + 1; s++) {
                // system s stored s readings, one after the other
                for (int i = 0; i < s; i++) {
                    counts.stored("S-" + s);
                }
                expected.add("7\tS-" + s + "\t" + s);
            }
        }
        assertThat(Files.readAllLines(spill)).containsExactlyElementsOf(expected);
    }
}
