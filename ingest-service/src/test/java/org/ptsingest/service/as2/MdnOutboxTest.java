package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MdnOutboxTest {

    @Test
    void retriesBackOffByDoublingUpToTheMaximum() {
        Duration first = Duration.ofSeconds(5);
        Duration max = Duration.ofMinutes(10);
        assertThat(MdnOutbox.backoff(first, max, 1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(MdnOutbox.backoff(first, max, 2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(MdnOutbox.backoff(first, max, 5)).isEqualTo(Duration.ofSeconds(80));
        assertThat(MdnOutbox.backoff(first, max, 8)).isEqualTo(max);
        assertThat(MdnOutbox.backoff(first, max, 500)).as("no overflow after many attempts").isEqualTo(max);
    }

    @Test
    void onlyHttpUrlsWithAHostReceiveAsynchronousMdns() {
        assertThat(MdnOutbox.usableUrl("http://gateway.example:8080/mdn")).isTrue();
        assertThat(MdnOutbox.usableUrl(" https://gateway.example/as2/mdn ")).isTrue();
        assertThat(MdnOutbox.usableUrl("mailto:edi@example.com")).isFalse();
        assertThat(MdnOutbox.usableUrl("file:///etc/passwd")).isFalse();
        assertThat(MdnOutbox.usableUrl("http:///no-host")).isFalse();
        assertThat(MdnOutbox.usableUrl("not a url")).isFalse();
        String path = "/" + "m".repeat(MdnOutbox.MAX_URL - "https://gateway.example/".length());
        assertThat(MdnOutbox.usableUrl("https://gateway.example" + path)).as("2,048 characters").isTrue();
        assertThat(MdnOutbox.usableUrl("https://gateway.example" + path + "m")).as("2,049 characters").isFalse();
    }
}
