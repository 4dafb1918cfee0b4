package org.ptsingest.feed.pts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PtsLocalTimeTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void localTimesAreReadInTheProgrammeZone() {
        assertThat(PtsLocalTime.resolve("2016-03-01T09:15:02", NEW_YORK)).isEqualTo(Instant.parse("2016-03-01T14:15:02Z"));
        assertThat(PtsLocalTime.resolve("2016-07-01T09:15:02", NEW_YORK)).isEqualTo(Instant.parse("2016-07-01T13:15:02Z"));
        assertThat(PtsLocalTime.resolve("2016-07-01T09:15:02Z", NEW_YORK)).isEqualTo(Instant.parse("2016-07-01T09:15:02Z"));
    }

    @Test
    void springForwardGapIsRejectedAndFallBackOverlapTakesTheEarlierInstant() {
        assertThatThrownBy(() -> PtsLocalTime.resolve("2025-03-09T02:30:00", NEW_YORK))
                .hasMessageContaining("does not exist in America/New_York");
        assertThat(PtsLocalTime.resolve("2025-11-02T01:30:00", NEW_YORK)).isEqualTo(Instant.parse("2025-11-02T05:30:00Z"));
    }

    @Test
    void offsetsFractionsAndMalformedValuesAreTellApart() {
        assertThat(PtsLocalTime.resolve("2016-07-01T09:15:02+02:00", NEW_YORK)).isEqualTo(Instant.parse("2016-07-01T07:15:02Z"));
        assertThat(PtsLocalTime.resolve("2016-07-01T09:15:02.5", NEW_YORK)).isEqualTo(Instant.parse("2016-07-01T13:15:02.5Z"));
        assertThat(PtsLocalTime.resolve("2016-07-01T09:15", NEW_YORK)).isEqualTo(Instant.parse("2016-07-01T13:15:00Z"));
        for (String bad : new String[] {"2016-03-01 09:15:02", "2025-02-30T00:00:00", "2016-07-01T09:15:02+25:00",
                "2016-07-01T09:15:02 +02:00", "2016-07-01"}) {
            assertThatThrownBy(() -> PtsLocalTime.resolve(bad, NEW_YORK)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not yyyy-MM-ddTHH:mm:ss");
        }
        assertThatThrownBy(() -> PtsLocalTime.resolve("0000-06-01T00:00:00", NEW_YORK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is outside 0001-01-01");
    }
}
