package org.ptsingest.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ptsingest.feed.csv.CsvFeedContract;

/** The value domains every format shares, at their edges (csv-feed-v1.md, "Columns and value domains"). */
class ReadingValuesTest {
    final ReadingValues values = CsvFeedContract.v1().newValues();
    final CollectingSink sink = new CollectingSink();

    void emit(String system, String meter, String at, String kwh) throws Exception {
        values.emit(7, 9, system, meter, at, kwh, sink);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "year 0000|0000-01-01T00:00:00Z|is outside 0001-01-01T00:00:00Z",
        "negative year|-0001-06-01T00:00:00Z|is outside",
        "year 9999 at -12:00 is year 10000 in UTC|9999-12-31T23:00:00-12:00|is outside",
        "five-digit year|+10000-01-01T00:00:00Z|is outside",
        "100 ns|2025-06-01T00:00:00.0000001Z|finer than a microsecond",
        "no offset|2025-06-01T00:00:00|has no UTC offset",
    })
    void readAtOutsideItsDomainIsInvalid(String what, String at, String message) throws Exception {
        emit("MA-1", "M", at, "1");
        assertThat(sink.invalid).singleElement().satisfies(r -> assertThat(r.message()).contains(message));
    }

    /** Every reading of a feed naming the same system or meter holds the same String, as a parser makes a new one per field. */
    @Test
    void readingsOfTheSameIdsShareOneStringEach() throws Exception {
        // hour-major: the ids come back after others, not only right after themselves
        for (String hour : new String[] {"00", "01"}) {
            for (String system : new String[] {"MA-1", "MA-2"}) {
                emit(new String(system.toCharArray()), new String(("M-" + system).toCharArray()),
                        "2025-06-01T" + hour + ":00:00Z", "1");
            }
        }
        assertThat(sink.readings).hasSize(4);
        assertThat(sink.readings.get(2).systemId()).isEqualTo("MA-1").isSameAs(sink.readings.get(0).systemId());
        assertThat(sink.readings.get(3).meterSerial()).isEqualTo("M-MA-2").isSameAs(sink.readings.get(1).meterSerial());
        assertThat(sink.readings.get(1).systemId()).isEqualTo("MA-2").isNotSameAs(sink.readings.get(0).systemId());
    }

    @Test
    void readAtEdgesInsideTheDomainAreKept() throws Exception {
        emit("MA-1", "M", "0001-01-01T00:00:00Z", "1");
        emit("MA-1", "M", "9999-12-31T23:59:59.999999Z", "1");
        emit("MA-1", "M", "2025-06-01T00:00:00.123456000Z", "1");
        emit("MA-1", "M", "2025-06-01t00:00:00z", "1");
        assertThat(sink.invalid).isEmpty();
        assertThat(sink.readings).extracting(ParsedReading::readAt).containsExactly(ReadingValues.EARLIEST,
                ReadingValues.LATEST, Instant.parse("2025-06-01T00:00:00.123456Z"), Instant.parse("2025-06-01T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "16 integer digits|1234567890123456|more than 15 digits before the decimal point",
        "exponent|1.1E+4|not a plain decimal number",
        "4 decimals|1.1234|more than 3 decimals",
        "sign|+1|not a plain decimal number",
        "NaN|NaN|not a plain decimal number",
    })
    void registerOutsideItsDomainIsInvalid(String what, String kwh, String message) throws Exception {
        emit("MA-1", "M", "2025-06-01T00:00:00Z", kwh);
        assertThat(sink.invalid).singleElement().satisfies(r -> assertThat(r.message()).contains(message));
    }

    @Test
    void fiveThousandDigitsAreRefusedQuicklyAndQuotedShort() throws Exception {
        emit("MA-1", "M", "2025-06-01T00:00:00Z", "9".repeat(5000));
        emit("MA-1", "M", "2025-06-01T00:00:00Z", "9".repeat(10_000_000));
        assertThat(sink.invalid).hasSize(2).allSatisfy(r -> assertThat(r.message())
                .contains("more than 15 digits").contains("characters)").hasSizeLessThan(200));
    }

    @Test
    void leadingZerosDoNotCountAndTheLargestStorableValueIsKept() throws Exception {
        emit("MA-1", "M", "2025-06-01T00:00:00Z", "0".repeat(5000) + "12.5");
        emit("MA-1", "M", "2025-06-01T00:00:00Z", "999999999999999.999");
        assertThat(sink.readings).extracting(ParsedReading::registerKwh)
                .containsExactly(new BigDecimal("12.5"), new BigDecimal("999999999999999.999"));
    }

    @Test
    void controlCharactersInIdsAreInvalidAndNeverEchoedRaw() throws Exception {
        emit("MA-10\u000001", "M", "2025-06-01T00:00:00Z", "1");
        emit("MA-1", "M\n2", "2025-06-01T00:00:00Z", "1");
        emit("S".repeat(100_000), "M", "2025-06-01T00:00:00Z", "1");
        assertThat(sink.invalid).hasSize(3);
        assertThat(sink.invalid.get(0).message()).isEqualTo("system_id 'MA-10\\u000001' has a control character (U+0000) at position 6");
        assertThat(sink.invalid.get(0).systemId()).isNull();
        assertThat(sink.invalid.get(1).message()).contains("meter_serial 'M\\n2'");
        assertThat(sink.invalid.get(1).systemId()).isEqualTo("MA-1");
        assertThat(sink.invalid.get(2).message()).contains("(100000 characters)").hasSizeLessThan(200);
        assertThat(sink.invalid).extracting(InvalidRecord::record, InvalidRecord::line).containsOnly(
                org.assertj.core.groups.Tuple.tuple(7, 9));
    }

    @Test
    void onlySpaceTabCrAndLfAreTrimmed() {
        assertThat(TextValues.trimSpace(" \t MA-1001 \r\n")).isEqualTo("MA-1001");
        assertThat(TextValues.trimSpace("MA-1001\u0000")).isEqualTo("MA-1001\u0000");
    }
}
