package org.ptsingest.service.security;

import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Ops password logins (the console's form and HTTP Basic on the API alike) through {@link LoginThrottle}:
 * a locked user name or client address is refused before its password is checked; failures are
 * counted; a lock is logged at WARN (the audit trail of lockouts). The refusal is a 401 on the API and
 * "too many attempts" on the console's login page, the same for existing and unknown user names, so it
 * tells nobody which accounts exist.
 */
final class ThrottledAuthentication implements AuthenticationProvider {
    private static final Logger log = LoggerFactory.getLogger(ThrottledAuthentication.class);

    /** The refusal of a locked user name or address. */
    static final class Throttled extends LockedException {
        Throttled() {
            super("too many attempts, try again later");
        }
    }

    private final AuthenticationProvider passwords;
    private final LoginThrottle throttle;

    ThrottledAuthentication(AuthenticationProvider passwords, LoginThrottle throttle) {
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication attempt) {
        String user = attempt.getName();
        String address = attempt.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
        if (throttle.locked(user, address)) {
            throw new Throttled();
        }
        try {
            Authentication done = passwords.authenticate(attempt);
            if (done != null) {
                throttle.succeeded(user);
            }
            return done;
        } catch (AuthenticationException e) {
            for (LoginThrottle.Lock lock : throttle.failed(user, address)) {
                log.warn("ops login locked: {} {} for {} (until {}) after repeated failures; last attempt user {} from {}",
                        lock.kind(), Echo.quote(lock.key()), lock.duration(), lock.until(), Echo.quote(user), address);
            }
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return passwords.supports(authentication);
    }
}
