package org.ptsingest.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextValuesTest {

    @Test
    void idsAreOneToMaxCharactersWithoutControlCharacters() {
        assertThat(TextValues.problem("system_id", "MA-1001", 64)).isNull();
        assertThat(TextValues.problem("system_id", "Zoë ☀ 𝄞", 64)).as("non-ASCII and pairs are fine").isNull();
        assertThat(TextValues.problem("system_id", "x".repeat(64), 64)).isNull();

        assertThat(TextValues.problem("system_id", "", 64)).isEqualTo("system_id is empty");
        assertThat(TextValues.problem("system_id", null, 64)).isEqualTo("system_id is empty");
        assertThat(TextValues.problem("system_id", "x".repeat(65), 64))
                .isEqualTo("system_id '" + "x".repeat(65) + "' is longer than 64 characters");
        assertThat(TextValues.problem("owner_name", "Ada\u0000Lovelace", 200))
                .isEqualTo("owner_name 'Ada\\u0000Lovelace' has a control character (U+0000) at position 4");
        assertThat(TextValues.problem("system_id", "MA\n1001", 64))
                .isEqualTo("system_id 'MA\\n1001' has a control character (U+000A) at position 3");
        assertThat(TextValues.problem("system_id", "MA\u009B1", 64)).contains("U+009B");
        assertThat(TextValues.problem("system_id", "MA\uD800", 64)).contains("unpaired surrogate (U+D800) at position 3");
        assertThat(TextValues.problem("system_id", "\uDC00MA", 64)).contains("unpaired surrogate (U+DC00) at position 1");
    }

    @Test
    void aHugeValueIsQuotedCapped() {
        String huge = "\u0000".repeat(10_000_000);
        assertThat(TextValues.problem("name", huge, 200)).hasSizeLessThan(600).contains("(10000000 characters)");
    }
}
