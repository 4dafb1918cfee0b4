package org.ptsingest.service.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.console.RawContext.Segment;

class RawContextTest {

    @Test
    void theOffendingFieldFollowsFromTheCodeOrTheInvalidValueMessage() {
        assertThat(RawContext.offendingField("NOT_DESIGNATED_REPORTER", "x")).isEqualTo("system_id");
        assertThat(RawContext.offendingField("FUTURE_READING", "x")).isEqualTo("read_at");
        assertThat(RawContext.offendingField("CAPACITY_EXCEEDED", "x")).isEqualTo("register_kwh");
        assertThat(RawContext.offendingField("INVALID_VALUE", "read_at '2025-04-05' is not an ISO-8601 date-time"))
                .isEqualTo("read_at");
        assertThat(RawContext.offendingField("INVALID_VALUE", "the record has 3 fields")).isNull();
    }

    @Test
    void aCsvCellIsMarkedUnderItsHeaderColumnWithQuotesRespected() {
        assertThat(RawContext.markCell("\"MA,1\",SN-1,2025-04-01,12", 2)).containsExactly(
                new Segment("\"MA,1\",SN-1,", false), new Segment("2025-04-01", true), new Segment(",12", false));
        assertThat(RawContext.markCell("MA-1,SN-1,2025,12", 0)).containsExactly(
                new Segment("MA-1", true), new Segment(",SN-1,2025,12", false));
        assertThat(RawContext.markCell("MA-1,SN-1,2025,12", 3)).containsExactly(
                new Segment("MA-1,SN-1,2025,", false), new Segment("12", true));

        Map<Long, String> lines = Map.of(1L, "register_kwh,system_id,meter_serial,read_at",
                2L, "5,MA-9,SN-9,2025-04-01T00:00:00Z");
        List<RawContext.Line> around = RawContext.around(lines, 2, "system_id", true);
        assertThat(around).hasSize(2);
        assertThat(around.get(1).errorLine()).isTrue();
        assertThat(around.get(1).segments()).contains(new Segment("MA-9", true));
    }

    @Test
    void anXmlElementNearTheReadingLineIsMarked() {
        Map<Long, String> lines = Map.of(7L, "  <reading>", 8L, "    <system_id>MA-1</system_id>",
                9L, "    <read_at>2025-04-01</read_at>");
        List<RawContext.Line> around = RawContext.around(lines, 7, "read_at", false);
        assertThat(around.get(2).segments()).contains(new Segment("<read_at>2025-04-01</read_at>", true));
        assertThat(around.get(0).errorLine()).isTrue();
    }
}
