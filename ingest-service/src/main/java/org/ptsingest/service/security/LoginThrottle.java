package org.ptsingest.service.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Failed ops logins, counted per user name and per client address. {@code maxFailures} failures of one
 * key within {@code window} lock that key for {@code lock}; every further lock of the same key (its
 * failures go on after a lock) doubles the time, up to {@code maxLock}. A locked key is refused without
 * its password being checked, so the attempts made while locked neither count nor cost a hash. A
 * successful login clears its user name (not its address: one valid account must not reset the count
 * of an address that tries others). Plain Java with a clock, no Spring: unit-tested directly.
 */
final class LoginThrottle {
    /** Keys kept at most before stale ones (no lock in force, no failure in the window) are dropped. */
    static final int PURGE_ABOVE = 10_000;
    /** User names are keys; a hostile one need not be kept whole. */
    private static final int MAX_KEY = 128;

    /** A key that became locked by a failure: what the audit log says. */
    record Lock(String kind, String key, Duration duration, Instant until) {}

    private static final class State {
        final Deque<Instant> failures = new ArrayDeque<>();
        int locks;
        Instant lockedUntil = Instant.MIN;
        Instant lastFailure = Instant.MIN;
    }

    private final int maxFailures;
    private final Duration window;
    private final Duration lock;
    private final Duration maxLock;
    private final Clock clock;
    private final Map<String, State> users = new HashMap<>();
    private final Map<String, State> addresses = new HashMap<>();

    LoginThrottle(int maxFailures, Duration window, Duration lock, Duration maxLock, Clock clock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("ingest.ops.login-max-failures must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.window = window;
        this.lock = lock;
        this.maxLock = maxLock.compareTo(lock) < 0 ? lock : maxLock;
        this.clock = clock;
    }

    /** Whether this user name or this address is locked now. */
    synchronized boolean locked(String user, String address) {
        Instant now = clock.instant();
        return lockedNow(users.get(userKey(user)), now) || lockedNow(addresses.get(address), now);
    }

    /** Records a failed login; returns the keys it locked (none, one or both). */
    synchronized List<Lock> failed(String user, String address) {
        Instant now = clock.instant();
        if (users.size() + addresses.size() > PURGE_ABOVE) {
            purge(now);
        }
        List<Lock> locked = new ArrayList<>(2);
        record(users, "user", userKey(user), now, locked);
        if (address != null) {
            record(addresses, "address", address, now, locked);
        }
        return locked;
    }

    synchronized void succeeded(String user) {
        users.remove(userKey(user));
    }

    synchronized int keys() {
        return users.size() + addresses.size();
    }

    private void record(Map<String, State> states, String kind, String key, Instant now, List<Lock> locked) {
        State s = states.computeIfAbsent(key, k -> new State());
        if (s.lastFailure.isBefore(now.minus(window)) && !lockedNow(s, now)) {
            s.locks = 0; // quiet for a whole window: the next lock starts short again
        }
        s.lastFailure = now;
        s.failures.addLast(now);
        while (!s.failures.isEmpty() && !s.failures.peekFirst().isAfter(now.minus(window))) {
            s.failures.removeFirst();
        }
        if (s.failures.size() >= maxFailures) {
            Duration d = lockDuration(s.locks);
            s.locks++;
            s.lockedUntil = now.plus(d);
            s.failures.clear();
            locked.add(new Lock(kind, key, d, s.lockedUntil));
        }
    }

    /** {@code lock}, doubled for every earlier lock of the key, at most {@code maxLock}. */
    Duration lockDuration(int earlierLocks) {
        Duration d = lock;
        for (int i = 0; i < earlierLocks && d.compareTo(maxLock) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxLock) > 0 ? maxLock : d;
    }

    private void purge(Instant now) {
        Instant staleBefore = now.minus(window);
        users.values().removeIf(s -> !lockedNow(s, now) && s.lastFailure.isBefore(staleBefore));
        addresses.values().removeIf(s -> !lockedNow(s, now) && s.lastFailure.isBefore(staleBefore));
    }

    private static boolean lockedNow(State s, Instant now) {
        return s != null && now.isBefore(s.lockedUntil);
    }

    private static String userKey(String user) {
        String u = user == null ? "" : user;
        return u.length() > MAX_KEY ? u.substring(0, MAX_KEY) : u;
    }
}
