package org.ptsingest.routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The names the service's account sees: every name survives the round trip, allowed ones are untouched. */
class SftpFileNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"june.csv", "my feed 2.csv", "back\\slash.csv", "a\"b'c.csv", "evil\nFORGED.csv",
            "z\u00e4hler-\u65e5\u672c.csv", "*.csv", "100%.csv", "%41.csv", ".hidden", "x.part"})
    void everyNameSurvivesTheRoundTripAndTheEncodedFormHasNoCharacterCamelOrJschReadsAsSyntax(String name) {
        String seen = SftpFileNames.encode(name);
        assertThat(SftpFileNames.decode(seen)).isEqualTo(name);
        assertThat(seen).matches("[A-Za-z0-9._+% -]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"june.csv", "my feed 2.csv", "a-b_c+d.json"})
    void allowedNamesAreShownAsTheyAre(String name) {
        assertThat(SftpFileNames.encode(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"100%41.csv", "%zz.csv", "a%5", "%41"})
    void aNameWithPercentThatIsNotAnEncodingIsTakenAsItIs(String seen) {
        // e.g. a file on an external server: "%41" is not what encode makes of "A"
        assertThat(SftpFileNames.decode(seen)).isEqualTo(seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"providers/acme/inbox/back%5Cslash.csv"})
    void pathsAreMappedSegmentBySegment(String seen) {
        assertThat(SftpFileNames.decodePath(seen)).isEqualTo("providers/acme/inbox/back\\slash.csv");
        assertThat(SftpFileNames.encodePath("/providers/acme/inbox/back\\slash.csv")).isEqualTo("/" + seen);
    }
}
