package org.ptsingest.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ptsingest.feed.csv.CsvFeedReader;
import org.ptsingest.feed.json.JsonFeedReader;
import org.ptsingest.feed.pts.ArDataReader;
import org.ptsingest.feed.pts.PtsJsonReader;
import org.ptsingest.feed.xml.XmlFeedReader;

/**
 * Every case of the hostile corpus ({@code sample-feeds/hostile/cases.csv}) through its format's reader,
 * without the service: a document the contract refuses throws {@link FeedFormatException} (never
 * another exception), and a readable one yields exactly as many records as it holds, the expected
 * number of them invalid, with record numbers 1..n. Every value handed on is within the storable
 * domain. HostileCorpusIT sends the same cases through the channels.
 */
class HostileCorpusTest {

    static Stream<HostileCase> cases() throws Exception {
        return HostileCase.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCaseGetsItsAnswerFromTheReader(HostileCase c) throws Exception {
        FeedReader reader = reader(c.format());
        CollectingSink sink = new CollectingSink();
        if ("SCHEMA_VIOLATION".equals(c.code())) {
            assertThatThrownBy(() -> reader.read(c.path(), sink)).as(c.note()).isInstanceOf(FeedFormatException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0000").hasSizeLessThan(2_000));
            return;
        }
        int records = reader.read(c.path(), sink);
        assertThat(records).as("records of " + c.file()).isEqualTo(c.readingCount());
        assertThat(sink.invalid).as("invalid records of " + c.file()).hasSize(c.invalid());
        List<Integer> numbers = Stream.concat(sink.readings.stream().map(ParsedReading::record),
                sink.invalid.stream().map(InvalidRecord::record)).sorted().toList();
        assertThat(numbers).as("record numbers of " + c.file())
                .isEqualTo(Stream.iterate(1, i -> i + 1).limit(records).toList());
        for (ParsedReading r : sink.readings) {
            assertThat(r.systemId()).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(64);
            assertThat(r.readAt()).isBetween(ReadingValues.EARLIEST, ReadingValues.LATEST);
            assertThat(r.readAt().getNano() % 1000).isZero();
            assertThat(r.registerKwh().precision() - r.registerKwh().scale()).isLessThanOrEqualTo(15);
        }
        for (InvalidRecord r : sink.invalid) {
            assertThat(r.message()).doesNotContain("\u0000").hasSizeLessThan(1_000);
            if (r.systemId() != null) {
                assertThat(r.systemId()).hasSizeLessThanOrEqualTo(64).doesNotContain("\u0000");
            }
        }
    }

    private static FeedReader reader(FeedFormat format) {
        ZoneId zone = ZoneId.of("America/New_York");
        return switch (format) {
            case CSV_V1 -> new CsvFeedReader();
            case XML_V1 -> new XmlFeedReader("sunwatch");
            case JSON_V1 -> new JsonFeedReader("sunwatch");
            case PTS_ARDATA -> new ArDataReader(zone, (system, at) -> "SN-" + system.substring(Math.max(0, system.length() - 4)));
            case PTS_JSON -> new PtsJsonReader(zone, (system, at) -> "SN-" + system.substring(Math.max(0, system.length() - 4)));
        };
    }

    /** One line of cases.csv. */
    public record HostileCase(String file, FeedFormat format, String status, String code, int readingCount,
            int invalid, String record3, String note) {
        static final Path DIR = Path.of("..", "sample-feeds", "hostile");

        public Path path() {
            return DIR.resolve(file);
        }

        public static List<HostileCase> all() throws Exception {
            try (var parser = org.apache.commons.csv.CSVParser.parse(DIR.resolve("cases.csv"),
                    java.nio.charset.StandardCharsets.UTF_8,
                    org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
                return parser.stream().map(r -> new HostileCase(r.get("file"), FeedFormat.valueOf(r.get("format")),
                        r.get("status"), r.get("code"), Integer.parseInt(r.get("reading_count")),
                        Integer.parseInt(r.get("invalid")), r.get("record_3"), r.get("note"))).toList();
            }
        }

        @Override
        public String toString() {
            return file + " (" + note + ")";
        }
    }

    static {
        if (!Files.isDirectory(HostileCase.DIR)) {
            throw new IllegalStateException("run from a module directory: " + HostileCase.DIR.toAbsolutePath());
        }
    }
}
