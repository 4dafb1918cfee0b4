package org.ptsingest.feed.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.CollectingSink;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ParsedReading;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvFeedReaderTest {
    static final Path FEEDS = Path.of("..", "sample-feeds", "csv-v1");

    record Result(List<ParsedReading> readings, List<InvalidRecord> invalid, int records) {}

    static Result read(Path file) throws IOException, FeedFormatException {
        CollectingSink sink = new CollectingSink();
        try (InputStream in = Files.newInputStream(file)) {
            int n = new CsvFeedReader().read(in, sink);
            return new Result(sink.readings, sink.invalid, n);
        }
    }

    @Test
    void bomCrlfQuotedColumnsInAnyOrderAndCase() throws Exception {
        Result r = read(FEEDS.resolve("sunwatch/04-bom-crlf-quoted.csv"));
        assertThat(r.invalid()).isEmpty();
        assertThat(r.readings()).containsExactly(
                new ParsedReading(1, 2, "MA-1001", "SN-1001-A", Instant.parse("2025-06-01T04:00:00Z"),
                        new BigDecimal("14900.25")),
                // line 3 is blank: line numbers stay those of the file
                new ParsedReading(2, 4, "MA-1001", "SN-1001-A", Instant.parse("2025-07-01T04:00:00Z"),
                        new BigDecimal("15600.5")));
    }

    @Test
    void everyUnreadableValueIsInvalidForItsLineOnly() throws Exception {
        Result r = read(FEEDS.resolve("sunwatch/05-invalid-values.csv"));
        assertThat(r.readings()).isEmpty();
        assertThat(r.records()).isEqualTo(8);
        String notPlain = " is not a plain decimal number (digits, one point; no sign, exponent or separator)";
        assertThat(r.invalid()).extracting(InvalidRecord::record, InvalidRecord::line, InvalidRecord::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, 2, "register_kwh -5 is negative"),
                org.assertj.core.groups.Tuple.tuple(2, 3, "register_kwh 12.3456 has more than 3 decimals"),
                org.assertj.core.groups.Tuple.tuple(3, 4, "register_kwh 'twelve'" + notPlain),
                org.assertj.core.groups.Tuple.tuple(4, 5, "read_at 'not-a-date' is not an ISO-8601 date-time with offset"),
                org.assertj.core.groups.Tuple.tuple(5, 6, "meter_serial is empty"),
                org.assertj.core.groups.Tuple.tuple(6, 7, "expected 4 fields, found 3"),
                org.assertj.core.groups.Tuple.tuple(7, 8, "expected 4 fields, found 5"),
                org.assertj.core.groups.Tuple.tuple(8, 9, "register_kwh '1e3'" + notPlain));
    }

    @Test
    void dateTimeWithoutOffsetSaysSo() {
        assertThatThrownBy(() -> org.ptsingest.feed.ReadingValues.instant("2016-03-01T09:15:02"))
                .hasMessageContaining("has no UTC offset");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "empty.csv|line 1: the feed is empty",
        "header-only.csv|line 1: the feed has a header but no readings",
        "unknown-column.csv|line 1: column 5 'inverter' is not a known column",
        "missing-column.csv|line 1: column 'meter_serial' is missing from the header",
        "repeated-column.csv|line 1: column 5 'System_ID' repeats column 1",
        "unterminated-quote.csv|line 3: unreadable CSV",
        "not-utf8.csv|line 2: column 2: the feed is not valid UTF-8",
    })
    void structuralProblemsRejectTheFeedNamingLineAndColumn(String file, String message) {
        assertThatThrownBy(() -> read(FEEDS.resolve("malformed").resolve(file)))
                .isInstanceOf(FeedFormatException.class)
                .hasMessageStartingWith(message);
    }
}
