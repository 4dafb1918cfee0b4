package org.ptsingest.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receipt schema providers code against lists exactly the codes the service emits. */
class OutcomeCodeSchemaTest {

    @Test
    void receiptSchemaListsEveryCodeOfTheEnum() throws Exception {
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/schemas/receipt-v1.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        assertThat(consts(schema.at("/$defs/feedCode/oneOf"))).containsExactlyElementsOf(codes(OutcomeCode.Scope.FEED));
        assertThat(consts(schema.at("/$defs/readingCode/oneOf")))
                .containsExactlyInAnyOrderElementsOf(codes(OutcomeCode.Scope.READING));
        List<String> statuses = new ArrayList<>();
        schema.at("/properties/status/enum").forEach(n -> statuses.add(n.asText()));
        assertThat(statuses).containsExactlyElementsOf(Arrays.stream(FeedStatus.values()).map(Enum::name).toList());
    }

    private static List<String> consts(JsonNode oneOf) {
        List<String> out = new ArrayList<>();
        oneOf.forEach(n -> out.add(n.get("const").asText()));
        return out;
    }

    private static List<String> codes(OutcomeCode.Scope scope) {
        return Arrays.stream(OutcomeCode.values()).filter(c -> c.scope() == scope).map(Enum::name).toList();
    }
}
