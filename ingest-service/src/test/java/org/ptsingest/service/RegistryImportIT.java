package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Registry imports with values outside their columns' domains (sample-feeds/registry/hostile): every
 * one is a row error with a precise message, the valid rows are stored, and nothing reaches PostgreSQL
 * that would abort the import (no 500).
 */
class RegistryImportIT extends IngestItSupport {
    static final Path HOSTILE = SAMPLES.resolve("registry").resolve("hostile");

    /** line → the row error's message (code INVALID_VALUE unless said otherwise). */
    static Map<Long, String> errors(JsonNode result) {
        Map<Long, String> byLine = new LinkedHashMap<>();
        for (JsonNode e : result.get("errors")) {
            byLine.put(e.get("line").asLong(), e.get("code").asText() + ": " + e.get("message").asText());
        }
        return byLine;
    }

    @Test
    void hostileProvidersAreRowErrors() throws Exception {
        JsonNode result = importRegistry("providers", HOSTILE.resolve("providers.csv"));

        assertThat(result.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(result.get("row_count").asInt()).isEqualTo(12);
        assertThat(result.get("upserted").asInt()).isEqualTo(1);
        Map<Long, String> errors = errors(result);
        assertThat(errors).hasSize(11);
        assertThat(errors.get(3L)).isEqualTo("INVALID_VALUE: name 'Evil\\u0000Corp' has a control character (U+0000) at position 5");
        assertThat(errors.get(4L)).isEqualTo("INVALID_VALUE: provider_id 'esc\\u001Bid' has a control character (U+001B) at position 4");
        assertThat(errors.get(5L)).isEqualTo("INVALID_VALUE: provider_id '" + "p".repeat(65) + "' is longer than 64 characters");
        assertThat(errors.get(6L)).endsWith("(201 characters)' is longer than 200 characters").startsWith("INVALID_VALUE: name 'NNN");
        assertThat(errors.get(7L)).isEqualTo("INVALID_VALUE: provider_id '../etc' may hold only ASCII letters, digits, "
                + "'.', '_' and '-', starting with a letter or digit");
        assertThat(errors.get(8L)).isEqualTo("INVALID_VALUE: effective_from 0000-01-01 is before 1900-01-01");
        assertThat(errors.get(9L)).isEqualTo("INVALID_VALUE: effective_from '+10000-01-01' is not a yyyy-MM-dd date");
        assertThat(errors.get(10L)).isEqualTo("INVALID_VALUE: effective_from '2026-02-30' is not a calendar date");
        assertThat(errors.get(11L)).isEqualTo("INVALID_VALUE: effective_from 'yesterday' is not a yyyy-MM-dd date");
        assertThat(errors.get(12L)).isEqualTo("INVALID_VALUE: status 'APPROVED\\u0000' is not APPROVED, SUSPENDED or REVOKED");
        assertThat(errors.get(13L)).isEqualTo("INVALID_VALUE: name 'Two\\nLines' has a control character (U+000A) at position 4");
        assertThat(dsl.select(PROVIDER.PROVIDER_ID).from(PROVIDER).fetch(PROVIDER.PROVIDER_ID)).containsExactly("hostile-ok");
    }

    /**
     * Self-reporters share one id space with DAS providers (an id of the other kind is ID_TAKEN, either
     * way), their addresses are checked, providers take an optional contact_email, and a designation of a
     * self-reporter to a system above the DAS threshold is refused row by row (DAS_MANDATE).
     */
    @Test
    void selfReportersShareTheProvidersIdsAndMayNotBeDesignatedAboveTheThreshold() throws Exception {
        loadSampleRegistry();
        JsonNode result = importRegistry("self-reporters", HOSTILE.resolve("self-reporters.csv"));

        assertThat(result.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(result.get("row_count").asInt()).isEqualTo(9);
        assertThat(result.get("upserted").asInt()).isEqualTo(1);
        Map<Long, String> errors = errors(result);
        String notAnAddress = "' is not an e-mail address (name@example.org)";
        assertThat(errors.get(3L)).isEqualTo("ID_TAKEN: 'sunwatch' is registered as a DAS provider, not as a self-reporter");
        assertThat(errors.get(4L)).isEqualTo("INVALID_VALUE: email 'owner.example.org" + notAnAddress);
        assertThat(errors.get(5L)).isEqualTo("INVALID_VALUE: email 'a\\u0000b@example.org' has a control character (U+0000) at position 2");
        assertThat(errors.get(6L)).isEqualTo("INVALID_VALUE: email 'a@b@example.org" + notAnAddress);
        assertThat(errors.get(7L)).isEqualTo("INVALID_VALUE: email 'ada owner@example.org" + notAnAddress);
        assertThat(errors.get(8L)).startsWith("INVALID_VALUE: reporter_id '../etc' may hold only ASCII letters");
        assertThat(errors.get(9L)).isEqualTo("INVALID_VALUE: email 'möhre@example.org" + notAnAddress);
        assertThat(errors.get(10L)).startsWith("INVALID_VALUE: email");
        assertThat(dsl.select(PROVIDER.KIND).from(PROVIDER).where(PROVIDER.PROVIDER_ID.eq("owner-ok")).fetchOne(PROVIDER.KIND))
                .isEqualTo("SELF_REPORTER");

        JsonNode providers = importRegistry("providers", SAMPLES.resolve("registry/self-reporting/providers-with-contacts.csv"));
        Map<Long, String> providerErrors = errors(providers);
        assertThat(providerErrors.get(2L)).isEqualTo("ID_TAKEN: 'owner-ok' is registered as a self-reporter, not as a DAS provider");
        assertThat(providerErrors.get(4L)).isEqualTo("INVALID_VALUE: contact_email 'not-an-address" + notAnAddress);
        assertThat(providerErrors).hasSize(2);
        assertThat(dsl.select(PROVIDER.CONTACT_EMAIL).from(PROVIDER).where(PROVIDER.PROVIDER_ID.eq("sunwatch"))
                .fetchOne(PROVIDER.CONTACT_EMAIL)).isEqualTo("ops@sunwatch.example");

        Path selfReporting = SAMPLES.resolve("registry/self-reporting");
        for (String table : new String[] {"self-reporters", "systems"}) {
            assertThat(importRegistry(table, selfReporting.resolve(table + ".csv")).get("status").asText()).isEqualTo("ACCEPTED");
        }
        JsonNode designations = importRegistry("designations", selfReporting.resolve("designations-over-threshold.csv"));
        assertThat(errors(designations)).containsExactly(Map.entry(2L, "DAS_MANDATE: MA-1002 is 250 kW DC, above the 10 kW "
                + "DAS threshold: it must report through an approved DAS provider, not self-reporter owner-2001"));
        assertThat(dsl.fetchCount(DESIGNATION, DESIGNATION.PROVIDER_ID.eq("owner-2001"))).isEqualTo(1);
    }

    @Test
    void hostileSystemsAreRowErrorsAndCapacitiesStayInNumeric12x3AboveZero() throws Exception {
        JsonNode result = importRegistry("systems", HOSTILE.resolve("systems.csv"));

        assertThat(result.get("status").asText()).isEqualTo("PARTIALLY_ACCEPTED");
        assertThat(result.get("row_count").asInt()).isEqualTo(21);
        assertThat(result.get("upserted").asInt()).isEqualTo(3);
        Map<Long, String> errors = errors(result);
        String notPlain = "' is not a plain decimal number (digits, one point; no sign, exponent or separator)";
        assertThat(errors.get(3L)).isEqualTo("INVALID_VALUE: dc_capacity_kw '1e309" + notPlain);
        assertThat(errors.get(4L)).isEqualTo("INVALID_VALUE: dc_capacity_kw 'NaN" + notPlain);
        assertThat(errors.get(5L)).isEqualTo("INVALID_VALUE: dc_capacity_kw -5 is negative");
        assertThat(errors.get(6L)).isEqualTo("INVALID_VALUE: dc_capacity_kw '0' is 0; it must be above 0");
        assertThat(errors.get(7L)).isEqualTo("INVALID_VALUE: dc_capacity_kw '1e12" + notPlain);
        assertThat(errors.get(8L)).isEqualTo("INVALID_VALUE: dc_capacity_kw 1000000000 has more than 9 digits before the decimal point");
        assertThat(errors.get(10L)).isEqualTo("INVALID_VALUE: dc_capacity_kw 12.3456 has more than 3 decimals");
        assertThat(errors.get(11L)).isEqualTo("INVALID_VALUE: dc_capacity_kw '1.5E+2" + notPlain);
        assertThat(errors.get(12L)).startsWith("INVALID_VALUE: dc_capacity_kw 9999")
                .endsWith("… (5000 characters) has more than 9 digits before the decimal point").hasSizeLessThan(250);
        assertThat(errors.get(13L)).isEqualTo("INVALID_VALUE: system_id 'HX-NUL\\u0000' has a control character (U+0000) at position 7");
        assertThat(errors.get(14L)).isEqualTo("INVALID_VALUE: owner_name 'Ada\\u0000Lovelace' has a control character (U+0000) at position 4");
        assertThat(errors.get(15L)).isEqualTo("INVALID_VALUE: system_id '" + "S".repeat(65) + "' is longer than 64 characters");
        assertThat(errors.get(16L)).isEqualTo("INVALID_VALUE: meter_serial 'SN\\u0007BELL' has a control character (U+0007) at position 3");
        assertThat(errors.get(17L)).isEqualTo("INVALID_VALUE: interconnected_on 0000-01-01 is before 1900-01-01");
        assertThat(errors.get(18L)).isEqualTo("INVALID_VALUE: interconnected_on '+10000-01-01' is not a yyyy-MM-dd date");
        assertThat(errors.get(19L)).isEqualTo("INVALID_VALUE: program '" + "P".repeat(65) + "' is longer than 64 characters");
        assertThat(errors.get(21L)).isEqualTo("INVALID_VALUE: dc_capacity_kw '+5" + notPlain);
        assertThat(errors.get(22L)).isEqualTo("INVALID_VALUE: dc_capacity_kw is empty");
        assertThat(errors).hasSize(18);

        Map<String, BigDecimal> stored = dsl.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW).from(PTS_SYSTEM)
                .fetchMap(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW);
        assertThat(stored).containsOnlyKeys("HX-OK", "HX-MAX", "HX-SMALL");
        assertThat(stored.get("HX-MAX")).isEqualByComparingTo("999999999.999");
        assertThat(stored.get("HX-SMALL")).isEqualByComparingTo("0.001");
    }

    @Test
    void hostileDesignationsAreRowErrors() throws Exception {
        importRegistry("providers", HOSTILE.resolve("providers.csv"));
        importRegistry("systems", HOSTILE.resolve("systems.csv"));
        JsonNode result = importRegistry("designations", HOSTILE.resolve("designations.csv"));

        assertThat(result.get("upserted").asInt()).as(result.toString()).isEqualTo(2);
        Map<Long, String> errors = errors(result);
        assertThat(errors).containsExactly(
                Map.entry(3L, "INVALID_VALUE: system_id 'HX-OK\\u0000' has a control character (U+0000) at position 6"),
                Map.entry(4L, "INVALID_VALUE: provider_id '" + "q".repeat(65) + "' is longer than 64 characters"),
                Map.entry(5L, "INVALID_VALUE: effective_from 0000-01-01 is before 1900-01-01"),
                Map.entry(6L, "INVALID_VALUE: effective_to '+10000-01-01' is not a yyyy-MM-dd date"),
                Map.entry(7L, "INVALID_VALUE: effective_to 2020-12-31 is before effective_from 2021-01-01"));
        assertThat(dsl.fetchCount(DESIGNATION)).isEqualTo(2);
    }
}
