package org.ptsingest.service.report;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.REPORTER_TOKEN;
import static org.ptsingest.service.persistence.jooq.Tables.SELF_REPORTER;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.ptsingest.service.security.SecretTokens;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.transaction.annotation.Transactional;

/**
 * Self-reporters' accounts for the /report pages: who they are (registered by ops with the self-reporters
 * import), their one-time links (invitation, forgotten password; 72 h, usable once, only their SHA-256
 * stored), their passwords (bcrypt, as ops users', at least 12 characters) and whether they are disabled.
 * A self-reporter without a password, or disabled, cannot log in.
 */
public class SelfReporters implements UserDetailsService {
    public static final String ROLE_REPORTER = "REPORTER";
    public static final Duration LINK_VALIDITY = Duration.ofHours(72);
    static final int MIN_PASSWORD = 12;

    public enum Purpose { INVITATION, PASSWORD_RESET }

    /** A one-time link's token (shown once, in the e-mail) and where it goes. */
    public record Link(String reporterId, String name, String email, Purpose purpose, String token, Instant expiresAt) {}

    /** A self-reporter as ops see it. */
    public record Account(String reporterId, String name, String email, boolean passwordSet, Instant invitedAt,
            Instant disabledAt, String disabledBy) {}

    /** Why a password or link was refused, in words for the owner. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final DSLContext dsl;
    private final PasswordEncoder encoder;
    private final Clock clock;

    public SelfReporters(DSLContext dsl, PasswordEncoder encoder, Clock clock) {
        this.dsl = dsl;
        this.encoder = encoder;
        this.clock = clock;
    }

    @Override
    public UserDetails loadUserByUsername(String reporterId) {
        var row = dsl.fetchOne(SELF_REPORTER, SELF_REPORTER.REPORTER_ID.eq(reporterId));
        if (row == null) {
            throw new UsernameNotFoundException(reporterId);
        }
        // no password yet: a hash nothing matches ({noop} with a value no form can send), and disabled
        return User.withUsername(row.getReporterId())
                .password(row.getPasswordHash() == null ? "{noop}\u0000" : row.getPasswordHash())
                .roles(ROLE_REPORTER)
                .disabled(row.getDisabledAt() != null || row.getPasswordHash() == null).build();
    }

    public Optional<Account> account(String reporterId) {
        return dsl.select(SELF_REPORTER.fields()).select(PROVIDER.NAME).from(SELF_REPORTER)
                .join(PROVIDER).on(PROVIDER.PROVIDER_ID.eq(SELF_REPORTER.REPORTER_ID))
                .where(SELF_REPORTER.REPORTER_ID.eq(reporterId)).fetchOptional(SelfReporters::account);
    }

    public List<Account> list() {
        return dsl.select(SELF_REPORTER.fields()).select(PROVIDER.NAME).from(SELF_REPORTER)
                .join(PROVIDER).on(PROVIDER.PROVIDER_ID.eq(SELF_REPORTER.REPORTER_ID))
                .orderBy(SELF_REPORTER.REPORTER_ID).fetch(SelfReporters::account);
    }

    private static Account account(org.jooq.Record r) {
        return new Account(r.get(SELF_REPORTER.REPORTER_ID), r.get(PROVIDER.NAME), r.get(SELF_REPORTER.EMAIL),
                r.get(SELF_REPORTER.PASSWORD_HASH) != null, instant(r.get(SELF_REPORTER.INVITED_AT)),
                instant(r.get(SELF_REPORTER.DISABLED_AT)), r.get(SELF_REPORTER.DISABLED_BY));
    }

    /**
     * A new one-time link for the self-reporter (an invitation also records when it was invited). Earlier
     * unused links of the same purpose stop working: only the newest e-mail's link does.
     */
    @Transactional
    public Link newLink(String reporterId, Purpose purpose) {
        Account account = account(reporterId).orElseThrow(() -> new Refused("no self-reporter " + reporterId));
        String token = SecretTokens.newToken();
        Instant now = clock.instant();
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        dsl.update(REPORTER_TOKEN).set(REPORTER_TOKEN.USED_AT, at)
                .where(REPORTER_TOKEN.REPORTER_ID.eq(reporterId), REPORTER_TOKEN.PURPOSE.eq(purpose.name()),
                        REPORTER_TOKEN.USED_AT.isNull())
                .execute();
        dsl.insertInto(REPORTER_TOKEN).set(REPORTER_TOKEN.TOKEN_SHA256, SecretTokens.sha256(token))
                .set(REPORTER_TOKEN.REPORTER_ID, reporterId).set(REPORTER_TOKEN.PURPOSE, purpose.name())
                .set(REPORTER_TOKEN.CREATED_AT, at).set(REPORTER_TOKEN.EXPIRES_AT, at.plus(LINK_VALIDITY))
                .execute();
        if (purpose == Purpose.INVITATION) {
            dsl.update(SELF_REPORTER).set(SELF_REPORTER.INVITED_AT, at)
                    .where(SELF_REPORTER.REPORTER_ID.eq(reporterId)).execute();
        }
        return new Link(reporterId, account.name(), account.email(), purpose, token, now.plus(LINK_VALIDITY));
    }

    /** The self-reporter a link is for, while it is unused, unexpired and its account enabled. */
    public Optional<String> linkOwner(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        return dsl.select(REPORTER_TOKEN.REPORTER_ID).from(REPORTER_TOKEN)
                .join(SELF_REPORTER).on(SELF_REPORTER.REPORTER_ID.eq(REPORTER_TOKEN.REPORTER_ID))
                .where(REPORTER_TOKEN.TOKEN_SHA256.eq(SecretTokens.sha256(token)), REPORTER_TOKEN.USED_AT.isNull(),
                        REPORTER_TOKEN.EXPIRES_AT.gt(clock.instant().atOffset(ZoneOffset.UTC)),
                        SELF_REPORTER.DISABLED_AT.isNull())
                .fetchOptional(REPORTER_TOKEN.REPORTER_ID);
    }

    /**
     * Sets the password through a one-time link and uses the link up (one transaction: a second submit of
     * the same link is refused, whichever instance it reaches). Returns the self-reporter's id.
     */
    @Transactional
    public String setPassword(String token, String password, String repeated) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new Refused("The password needs at least " + MIN_PASSWORD + " characters.");
        }
        if (!password.equals(repeated)) {
            throw new Refused("The two passwords differ.");
        }
        String reporterId = linkOwner(token).orElseThrow(() -> new Refused(
                "This link has expired or was already used. Ask for a new one."));
        int used = dsl.update(REPORTER_TOKEN).set(REPORTER_TOKEN.USED_AT, clock.instant().atOffset(ZoneOffset.UTC))
                .where(REPORTER_TOKEN.TOKEN_SHA256.eq(SecretTokens.sha256(token)), REPORTER_TOKEN.USED_AT.isNull()).execute();
        if (used == 0) {
            throw new Refused("This link has expired or was already used. Ask for a new one.");
        }
        dsl.update(SELF_REPORTER).set(SELF_REPORTER.PASSWORD_HASH, encoder.encode(password))
                .where(SELF_REPORTER.REPORTER_ID.eq(reporterId)).execute();
        return reporterId;
    }

    /** Disabled self-reporters cannot log in; their reports stay. */
    public boolean disable(String reporterId, String by) {
        return dsl.update(SELF_REPORTER).set(SELF_REPORTER.DISABLED_AT, clock.instant().atOffset(ZoneOffset.UTC))
                .set(SELF_REPORTER.DISABLED_BY, by)
                .where(SELF_REPORTER.REPORTER_ID.eq(reporterId), SELF_REPORTER.DISABLED_AT.isNull()).execute() > 0;
    }

    public boolean enable(String reporterId) {
        return dsl.update(SELF_REPORTER).setNull(SELF_REPORTER.DISABLED_AT).setNull(SELF_REPORTER.DISABLED_BY)
                .where(SELF_REPORTER.REPORTER_ID.eq(reporterId), SELF_REPORTER.DISABLED_AT.isNotNull()).execute() > 0;
    }

    public Map<String, Object> describe(Account a) {
        return Map.of("reporter_id", a.reporterId(), "name", a.name(), "email", a.email(),
                "password_set", a.passwordSet(), "invited_at", String.valueOf(a.invitedAt()),
                "disabled", a.disabledAt() != null);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
