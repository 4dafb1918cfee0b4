package org.ptsingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import org.junit.jupiter.api.Test;

class DeliveryKeyTest {
    static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

    @Test
    void aManualKeyNamesReporterMonthSystemAndAttempt() {
        DeliveryKey key = DeliveryKey.manual("owner-2001", NOVEMBER, "MA-2001", 2);

        assertThat(key.kind()).isEqualTo(DeliveryKey.Kind.MANUAL);
        assertThat(key.toString()).isEqualTo("manual:owner-2001:2026-11:MA-2001#2");
        assertThat(DeliveryKey.parse(key.toString())).isEqualTo(key);
        assertThat(key.toString()).startsWith(DeliveryKey.manualPrefix("owner-2001", NOVEMBER, "MA-2001"));
    }

    /** Attempts of system "A" are counted by prefix: system "A#1" must not be among them. */
    @Test
    void noSystemsKeysStartWithAnotherSystemsPrefix() {
        String prefixOfA = DeliveryKey.manualPrefix("owner", NOVEMBER, "A");
        assertThat(DeliveryKey.manual("owner", NOVEMBER, "A#1", 1).toString()).doesNotStartWith(prefixOfA);
        assertThat(DeliveryKey.manual("owner", NOVEMBER, "A", 11).toString()).startsWith(prefixOfA);
    }
}
