package org.ptsingest.feed.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.CollectingSink;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ParsedReading;

class JsonFeedReaderTest {
    static final Path FEEDS = Path.of("..", "sample-feeds", "json-v1");

    final CollectingSink sink = new CollectingSink();
    final List<ParsedReading> readings = sink.readings;
    final List<InvalidRecord> invalid = sink.invalid;

    @Test
    void readsReadingsAndPointsInvalidOnesToTheirJsonPath() throws Exception {
        int n = new JsonFeedReader("sunwatch").read(FEEDS.resolve("sunwatch/01-baseline.json"), sink);
        assertThat(n).isEqualTo(5);
        assertThat(readings).extracting(ParsedReading::registerKwh)
                .containsExactly(new BigDecimal("10000.000"), new BigDecimal("10500"), new BigDecimal("11100.000"));
        assertThat(readings.get(0).line()).isEqualTo(4);
        assertThat(invalid).extracting(InvalidRecord::record, InvalidRecord::line, InvalidRecord::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(4, 7, "$.readings[3]: required property 'register_kwh' not found"),
                org.assertj.core.groups.Tuple.tuple(5, 8, "$.readings[4]: register_kwh -3 is negative"));
    }

    @Test
    void envelopeProblemsRejectTheFeedWhole() {
        assertThatThrownBy(() -> new JsonFeedReader("sunwatch").read(FEEDS.resolve("malformed/no-header.json"), sink))
                .isInstanceOf(FeedFormatException.class).hasMessageContaining("$.header: the header is missing");
        assertThatThrownBy(() -> new JsonFeedReader("sunwatch").read(FEEDS.resolve("malformed/not-json.json"), sink))
                .isInstanceOf(FeedFormatException.class).hasMessageStartingWith("line 4: column").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> new JsonFeedReader("gridsense").read(FEEDS.resolve("sunwatch/01-baseline.json"), sink))
                .isInstanceOf(FeedFormatException.class).hasMessageContaining("is not the sending provider gridsense");
    }

    static final Path HOSTILE = Path.of("..", "sample-feeds", "hostile", "json");

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "doc-readings-twice.json|Duplicate field 'readings'",
        "doc-duplicate-key-in-reading.json|Duplicate field 'register_kwh'",
        "doc-deep-nesting-100k.json|exceeds a limit of the format",
        "doc-header-nested-20.json|exceeds a limit of the format",
        "doc-long-string-100k.json|exceeds a limit of the format",
        "doc-utf16-no-bom.json|the feed is not UTF-8",
        "doc-utf32-no-bom.json|the feed is not UTF-8",
    })
    void documentsTheContractRefusesAreSchemaViolations(String file, String message) {
        assertThatThrownBy(() -> new JsonFeedReader("sunwatch").read(HOSTILE.resolve(file), sink))
                .isInstanceOf(FeedFormatException.class).hasMessageContaining(message);
    }

    @Test
    void aNumberIsCheckedAsWrittenAndEveryRecordOfAOneLineDocumentIsItsOwn() throws Exception {
        new JsonFeedReader("sunwatch").read(HOSTILE.resolve("number-exponent.json"), sink);
        assertThat(invalid).singleElement().satisfies(r -> assertThat(r.message()).contains("'1.1E+4' is not a plain decimal"));
        invalid.clear();
        int n = new JsonFeedReader("sunwatch").read(HOSTILE.resolve("doc-one-line-mixed.json"), sink);
        assertThat(n).isEqualTo(5);
        assertThat(invalid).extracting(InvalidRecord::record, InvalidRecord::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3, 1), org.assertj.core.groups.Tuple.tuple(4, 1));
    }
}
