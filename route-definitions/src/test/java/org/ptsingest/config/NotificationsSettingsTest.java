package org.ptsingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The e-mail outbox's back-off and checks, from the property descriptions. */
class NotificationsSettingsTest {

    @Test
    void theWaitDoublesFromTheFirstRetryUpToTheMaximum() {
        var n = new IngestProperties.Notifications("pts@example.org", "https://pts.example/", Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofHours(1), 20);
        assertThat(n.backOff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(n.backOff(2)).isEqualTo(Duration.ofMinutes(1));
        assertThat(n.backOff(3)).isEqualTo(Duration.ofMinutes(2));
        assertThat(n.backOff(7)).isEqualTo(Duration.ofMinutes(32));
        assertThat(n.backOff(8)).isEqualTo(Duration.ofHours(1)); // 64 min, capped
        assertThat(n.backOff(100)).isEqualTo(Duration.ofHours(1));
        assertThat(n.baseUrl()).isEqualTo("https://pts.example"); // links are baseUrl + "/report…"
    }

    @Test
    void nonsenseIsRefusedAtStart() {
        assertThatThrownBy(() -> new IngestProperties.Notifications("a@b", "https://x", Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofHours(1), 0)).hasMessageContaining("max-attempts");
        assertThatThrownBy(() -> new IngestProperties.Reminders(0, 2, Duration.ofMinutes(1)))
                .hasMessageContaining("missing-threshold");
        assertThatThrownBy(() -> new IngestProperties.Reminders(10, 0, Duration.ofMinutes(1)))
                .hasMessageContaining("missing-days-before-close");
    }
}
