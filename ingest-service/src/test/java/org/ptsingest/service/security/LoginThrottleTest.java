package org.ptsingest.service.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T08:00:00Z");

        void pass(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final TestClock clock = new TestClock();
    final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15), Duration.ofMinutes(1),
            Duration.ofMinutes(10), clock);

    void fail(int times, String user, String address) {
        for (int i = 0; i < times; i++) {
            throttle.failed(user, address);
        }
    }

    @Test
    void fiveFailuresOfOneUserLockThatUserFromEveryAddressUntilTheLockExpires() {
        fail(4, "alice", "10.0.0.1");
        assertThat(throttle.locked("alice", "10.0.0.1")).isFalse();

        var locks = throttle.failed("alice", "10.0.0.2");
        assertThat(locks).extracting(LoginThrottle.Lock::kind, LoginThrottle.Lock::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("user", "alice"));
        assertThat(throttle.locked("alice", "10.0.0.9")).isTrue();
        assertThat(throttle.locked("bob", "10.0.0.1")).as("another user from the same address").isFalse();

        clock.pass(Duration.ofSeconds(59));
        assertThat(throttle.locked("alice", "10.0.0.9")).isTrue();
        clock.pass(Duration.ofSeconds(1));
        assertThat(throttle.locked("alice", "10.0.0.9")).isFalse();
    }

    @Test
    void fiveFailuresFromOneAddressLockThatAddressForEveryUserName() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("guess-" + i, "10.0.0.7");
        }
        assertThat(throttle.locked("ops", "10.0.0.7")).isTrue();
        assertThat(throttle.locked("ops", "10.0.0.8")).as("the same user from another address").isFalse();
        assertThat(throttle.locked("guess-1", "10.0.0.8")).isFalse();
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() {
        fail(4, "alice", null);
        clock.pass(Duration.ofMinutes(16));
        fail(4, "alice", null);
        assertThat(throttle.locked("alice", null)).isFalse();
        fail(1, "alice", null);
        assertThat(throttle.locked("alice", null)).isTrue();
    }

    @Test
    void everyFurtherLockDoublesUpToTheMaximumAndAQuietWindowStartsOver() {
        assertThat(throttle.lockDuration(0)).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.lockDuration(1)).isEqualTo(Duration.ofMinutes(2));
        assertThat(throttle.lockDuration(3)).isEqualTo(Duration.ofMinutes(8));
        assertThat(throttle.lockDuration(4)).isEqualTo(Duration.ofMinutes(10));
        assertThat(throttle.lockDuration(1_000)).isEqualTo(Duration.ofMinutes(10));

        fail(5, "alice", null);
        clock.pass(Duration.ofMinutes(1));
        assertThat(throttle.failed("alice", null)).isEmpty();
        var second = fail5More("alice");
        assertThat(second.duration()).isEqualTo(Duration.ofMinutes(2));

        clock.pass(Duration.ofMinutes(2).plus(Duration.ofMinutes(16))); // expired, then a quiet window
        assertThat(fail5More("alice").duration()).isEqualTo(Duration.ofMinutes(1));
    }

    private LoginThrottle.Lock fail5More(String user) {
        LoginThrottle.Lock lock = null;
        for (int i = 0; i < 5 && lock == null; i++) {
            var locks = throttle.failed(user, null);
            lock = locks.isEmpty() ? null : locks.get(0);
        }
        assertThat(lock).isNotNull();
        return lock;
    }

    @Test
    void successClearsTheUserButNotTheAddress() {
        fail(4, "alice", "10.0.0.1");
        throttle.succeeded("alice");
        fail(1, "alice", "10.0.0.2");
        assertThat(throttle.locked("alice", "10.0.0.3")).isFalse();

        fail(4, "bob", "10.0.0.5");
        throttle.succeeded("carol"); // a valid account from the same address
        throttle.failed("dave", "10.0.0.5");
        assertThat(throttle.locked("carol", "10.0.0.5")).isTrue();
    }

    @Test
    void staleKeysAreDroppedSoManyUserNamesDoNotGrowMemoryForever() {
        for (int i = 0; i <= LoginThrottle.PURGE_ABOVE; i++) {
            throttle.failed("name-" + i, null);
        }
        clock.pass(Duration.ofMinutes(16));
        throttle.failed("one-more", null);
        assertThat(throttle.keys()).isEqualTo(1);
    }
}
