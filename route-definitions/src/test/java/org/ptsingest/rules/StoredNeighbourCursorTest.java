package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoredNeighbourCursorTest {
    static StoredReading r(String sys, String meter, String at) {
        return new StoredReading(sys, meter, Instant.parse(at), BigDecimal.ONE);
    }

    @Test
    void findsBeforeSameAndAfterWithinTheSameMeterOnly() {
        var a1 = r("A", "m", "2025-01-01T00:00:00Z");
        var a2 = r("A", "m", "2025-02-01T00:00:00Z");
        var a3 = r("A", "m", "2025-03-01T00:00:00Z");
        var b1 = r("B", "m", "2025-01-15T00:00:00Z");
        var cursor = new StoredNeighbourCursor(List.of(a1, a2, a3, b1).iterator());
        assertThat(cursor.find("A", "m", Instant.parse("2024-12-01T00:00:00Z"))).isEqualTo(new Neighbours(null, null, a1));
        assertThat(cursor.find("A", "m", Instant.parse("2025-02-01T00:00:00Z"))).isEqualTo(new Neighbours(a1, a2, a3));
        assertThat(cursor.find("A", "m", Instant.parse("2025-02-01T00:00:00Z"))).isEqualTo(new Neighbours(a1, a2, a3));
        assertThat(cursor.find("A", "m", Instant.parse("2025-02-15T00:00:00Z"))).isEqualTo(new Neighbours(a2, null, a3));
        assertThat(cursor.find("A", "m", Instant.parse("2025-04-01T00:00:00Z"))).isEqualTo(new Neighbours(a3, null, null));
        assertThat(cursor.find("A", "x", Instant.parse("2025-01-01T00:00:00Z"))).isEqualTo(Neighbours.NONE);
        assertThat(cursor.find("B", "m", Instant.parse("2025-01-20T00:00:00Z"))).isEqualTo(new Neighbours(b1, null, null));
    }

    @Test
    void comparesLikePostgresCollateC() {
        assertThat(StoredNeighbourCursor.compareCodePoints("MA-10", "MA-9")).isNegative();
        assertThat(StoredNeighbourCursor.compareCodePoints("Z", "a")).isNegative();
        assertThat(StoredNeighbourCursor.compareCodePoints("\uFFFD", "\uD83D\uDE00")).isNegative();
    }
}
