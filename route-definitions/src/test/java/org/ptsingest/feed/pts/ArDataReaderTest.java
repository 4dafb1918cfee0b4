package org.ptsingest.feed.pts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.feed.CollectingSink;

class ArDataReaderTest {
    private static final Path SAMPLES = Path.of("..", "sample-feeds", "pts");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @TempDir
    Path dir;

    @Test
    void theSampleIsReadInTheProgrammeZoneOnTheInstalledMeter() throws Exception {
        CollectingSink sink = new CollectingSink();
        int n = new ArDataReader(NEW_YORK, (system, at) -> "SN-" + system).read(SAMPLES.resolve("ardata-sunwatch.xml"), sink);
        assertThat(n).isEqualTo(sink.readings.size() + sink.invalid.size());
        assertThat(sink.readings).isNotEmpty().allSatisfy(r -> assertThat(r.meterSerial()).isEqualTo("SN-" + r.systemId()));
    }

    /** Since JDK 25 the parser's default limits refused a document with more than 100,000 references whole. */
    @Test
    void aDocumentWithMoreThanAHundredThousandReferencesIsRead() throws Exception {
        StringBuilder b = new StringBuilder("<ARData xmlns=\"https://ar.masscec-pts.com/PTS-AR\">\n");
        for (int i = 0; i < 40_000; i++) {
            b.append("<ptsSystem sysType=\"PV\"><sysID>MA&#45;").append(i).append("</sysID><MonthlyData><PVmonthlyData>")
                    .append("<kwhRegistry>&#49;&#48;0</kwhRegistry><regDateTime>2025-03-01T09:15:02</regDateTime>")
                    .append("</PVmonthlyData></MonthlyData></ptsSystem>\n");
        }
        Path doc = dir.resolve("ardata.xml");
        Files.writeString(doc, b.append("</ARData>\n"));
        CollectingSink sink = new CollectingSink();
        assertThat(new ArDataReader(NEW_YORK, (system, at) -> "SN-1").read(doc, sink)).isEqualTo(40_000);
        assertThat(sink.invalid).isEmpty();
        assertThat(sink.readings.get(39_999).systemId()).isEqualTo("MA-39999");
        assertThat(sink.readings.get(0).registerKwh()).isEqualByComparingTo("100");
        assertThat(sink.readings.get(0).readAt()).isEqualTo(Instant.parse("2025-03-01T14:15:02Z"));
    }
}
