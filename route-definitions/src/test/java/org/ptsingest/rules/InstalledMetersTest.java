package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The installed-meter rule of issue 12, case by case. */
class InstalledMetersTest {
    static final Instant MARCH = Instant.parse("2025-03-15T16:00:00Z");
    static final Instant JUNE = Instant.parse("2025-06-15T16:00:00Z");

    static MeterExchange exchange(Instant at, String from, String to) {
        return new MeterExchange(at, from, new BigDecimal("1000"), to, BigDecimal.ZERO);
    }

    @Test
    void withoutRegisteredMeterOrExchangeEveryMeterIsInstalled() {
        InstalledMeters any = InstalledMeters.of(null, List.of());
        assertThat(any).isSameAs(InstalledMeters.ANY);
        assertThat(any.at(MARCH)).isNull();
        assertThat(any.installed("whatever", MARCH)).isTrue();
    }

    @Test
    void withoutExchangeTheRegisteredMeterIsInstalledAtAnyTime() {
        InstalledMeters m = InstalledMeters.of("SN-A", List.of());
        assertThat(m.at(Instant.parse("1990-01-01T00:00:00Z"))).isEqualTo("SN-A");
        assertThat(m.installed("SN-A", JUNE)).isTrue();
        assertThat(m.installed("SN-B", JUNE)).isFalse();
    }

    @Test
    void theExchangeInstantBelongsToTheNewMeter() {
        InstalledMeters m = InstalledMeters.of("SN-A", List.of(exchange(MARCH, "SN-A", "SN-B")));
        assertThat(m.at(MARCH.minusNanos(1000))).isEqualTo("SN-A");
        assertThat(m.at(MARCH)).isEqualTo("SN-B");
        assertThat(m.installed("SN-A", MARCH)).isFalse();
        assertThat(m.at(JUNE)).isEqualTo("SN-B");
    }

    @Test
    void exchangesOverruleTheRegisteredMeterOnBothSides() {
        // registered meter out of date (still the one before the first exchange, or a typo): the exchanges say
        InstalledMeters m = InstalledMeters.of("SN-STALE", List.of(exchange(MARCH, "SN-A", "SN-B")));
        assertThat(m.at(MARCH.minusSeconds(1))).isEqualTo("SN-A");
        assertThat(m.at(MARCH.plusSeconds(1))).isEqualTo("SN-B");
        assertThat(m.installed("SN-STALE", MARCH.minusSeconds(1))).isFalse();
        // no registered meter at all: the exchange alone decides
        assertThat(InstalledMeters.of(null, List.of(exchange(MARCH, "SN-A", "SN-B"))).at(MARCH.minusSeconds(1)))
                .isEqualTo("SN-A");
    }

    @Test
    void aChainOfExchangesInAnyOrderOfRegistration() {
        // registered out of order: the rule goes by time
        InstalledMeters m = InstalledMeters.of("SN-C",
                List.of(exchange(JUNE, "SN-B", "SN-C"), exchange(MARCH, "SN-A", "SN-B")));
        assertThat(m.at(MARCH.minusSeconds(1))).isEqualTo("SN-A");
        assertThat(m.at(MARCH)).isEqualTo("SN-B");
        assertThat(m.at(JUNE.minusSeconds(1))).isEqualTo("SN-B");
        assertThat(m.at(JUNE)).isEqualTo("SN-C");
        assertThat(m.exchanges()).extracting(MeterExchange::exchangedAt).containsExactly(MARCH, JUNE);
        assertThat(m.explain(JUNE.minusSeconds(1))).isEqualTo("SN-B (installed by the exchange at " + MARCH + ")");
        assertThat(m.explain(MARCH.minusSeconds(1))).isEqualTo("SN-A (until the exchange at " + MARCH + ")");
    }
}
