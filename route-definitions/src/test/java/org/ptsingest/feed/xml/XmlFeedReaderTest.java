package org.ptsingest.feed.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.CollectingSink;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ParsedReading;

class XmlFeedReaderTest {
    static final Path FEEDS = Path.of("..", "sample-feeds", "xml-v1");

    final CollectingSink sink = new CollectingSink();
    final List<ParsedReading> readings = sink.readings;
    final List<InvalidRecord> invalid = sink.invalid;

    @Test
    void readsEveryReadingWithItsLineAndTheSameValueRulesAsCsv() throws Exception {
        int n = new XmlFeedReader("sunwatch").read(FEEDS.resolve("sunwatch/01-baseline.xml"), sink);
        assertThat(n).isEqualTo(4);
        assertThat(readings).hasSize(3);
        assertThat(readings.get(0)).isEqualTo(new ParsedReading(1, 7, "MA-1001", "SN-1001-A",
                Instant.parse("2025-01-01T05:00:00Z"), new BigDecimal("10000.000")));
        assertThat(invalid).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(25);
            assertThat(r.message()).contains("read_at '2025-04-01'");
        });
    }

    @Test
    void headerMustNameTheSendingProvider() {
        assertThatThrownBy(() -> new XmlFeedReader("gridsense").read(FEEDS.resolve("sunwatch/01-baseline.xml"), sink))
                .isInstanceOf(FeedFormatException.class)
                .hasMessageContaining("header provider_id 'sunwatch' is not the sending provider gridsense");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "xxe.xml|line 2: column 10: DTDs and entity declarations are not allowed",
        "billion-laughs.xml|line 2: column 10: DTDs and entity declarations are not allowed",
        "missing-register.xml|line 8: column",
        "not-well-formed.xml|line 5: column",
    })
    void structuralProblemsAndAttacksRejectTheFeedWhole(String file, String message) {
        assertThatThrownBy(() -> new XmlFeedReader("sunwatch").read(FEEDS.resolve("malformed").resolve(file), sink))
                .isInstanceOf(FeedFormatException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("root:");
        assertThat(readings).isEmpty();
    }

    static final Path HOSTILE = Path.of("..", "sample-feeds", "hostile", "xml");

    @org.junit.jupiter.api.Test
    void aMinifiedDocumentYieldsEveryReadingWithItsRecordNumber() throws Exception {
        int n = new XmlFeedReader("sunwatch").read(HOSTILE.resolve("doc-minified-four.xml"), sink);
        assertThat(n).isEqualTo(4);
        assertThat(readings).extracting(ParsedReading::record).containsExactly(1, 2, 3, 4);
        assertThat(readings).extracting(ParsedReading::line).containsOnly(1);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"doc-utf7-declared.xml", "doc-utf16-no-bom.xml",
        "doc-utf16-bom.xml", "doc-latin1-declared.xml", "doc-unknown-encoding.xml", "doc-bad-utf8-byte.xml"})
    void onlyUtf8IsRead(String file) {
        assertThatThrownBy(() -> new XmlFeedReader("sunwatch").read(HOSTILE.resolve(file), sink))
                .isInstanceOf(FeedFormatException.class);
    }

    /**
     * References are text, not entities to guard against (DTDs are refused): since JDK 25 the parser's default
     * limits refused a feed with more than 100,000 of them whole (JAXP00010003).
     */
    @Test
    void aFeedWithMoreThanAHundredThousandCharacterReferencesIsRead(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"urn:ptsingest:feed:1\">\n"
                + "<header><provider_id>sunwatch</provider_id><batch_id>refs</batch_id></header>\n");
        for (int i = 0; i < 40_000; i++) {
            // three references per reading: 120,000 in all
            b.append("<reading><system_id>MA-1001</system_id><meter_serial>A&amp;B&#45;C&#x2D;").append(i)
                    .append("</meter_serial><read_at>2025-01-01T00:00:00Z</read_at><register_kwh>1</register_kwh></reading>\n");
        }
        Path feed = dir.resolve("references.xml");
        java.nio.file.Files.writeString(feed, b.append("</feed>\n"));
        assertThat(new XmlFeedReader("sunwatch").read(feed, sink)).isEqualTo(40_000);
        assertThat(sink.invalid).isEmpty();
        assertThat(sink.readings.get(39_999).meterSerial()).isEqualTo("A&B-C-39999");
    }
}
