package org.ptsingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The delivery life-cycle's back-off and checks, from the property descriptions. */
class DeliverySettingsTest {

    @Test
    void theWaitDoublesFromTheFirstRetryUpToTheMaximum() {
        var d = new IngestProperties.Delivery(5, Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(1),
                Duration.ofMinutes(2), 2);
        assertThat(d.backOff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.backOff(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(d.backOff(6)).isEqualTo(Duration.ofSeconds(320));
        assertThat(d.backOff(7)).isEqualTo(Duration.ofMinutes(10)); // 640 s, capped
    }

    @Test
    void aWorkerWithoutThreadsIsRefusedAtStart() {
        assertThatThrownBy(() -> new IngestProperties.Delivery(5, Duration.ofSeconds(10), Duration.ofMinutes(10),
                Duration.ofSeconds(1), Duration.ofMinutes(2), 0)).hasMessageContaining("worker-threads");
    }
}
