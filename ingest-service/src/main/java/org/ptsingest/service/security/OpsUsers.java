package org.ptsingest.service.security;

import static org.ptsingest.service.persistence.jooq.Tables.OPS_USER;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Ops users: the bootstrap accounts from configuration ({@code ops}, {@code viewer}) and named users
 * ops create over the API, so every console and API action is recorded under a person's name.
 */
public class OpsUsers implements UserDetailsService {
    /** Shown to the caller when a user cannot be created; names the rule broken. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static final int MIN_PASSWORD = 12;

    private final DSLContext dsl;
    private final PasswordEncoder encoder;
    private final Map<String, UserDetails> bootstrap;

    OpsUsers(DSLContext dsl, PasswordEncoder encoder, Map<String, UserDetails> bootstrap) {
        this.dsl = dsl;
        this.encoder = encoder;
        this.bootstrap = bootstrap;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        UserDetails configured = bootstrap.get(username);
        if (configured != null) {
            return User.withUserDetails(configured).build(); // a copy: Spring erases credentials after login
        }
        var row = dsl.fetchOne(OPS_USER, OPS_USER.USERNAME.eq(username));
        if (row == null) {
            throw new UsernameNotFoundException(username);
        }
        return User.withUsername(row.getUsername()).password(row.getPasswordHash()).roles(row.getRole())
                .disabled(row.getDisabledAt() != null).build();
    }

    /** Creates or updates a named user (password and role); enables it again if it was disabled. */
    public void save(String username, String password, String role, String by) {
        if (bootstrap.containsKey(username)) {
            throw new Refused(username + " is a configured account; change it in the configuration");
        }
        if (username == null || !username.matches("[a-z][a-z0-9._-]{1,62}")) {
            throw new Refused("username: 2 to 63 characters, lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter");
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new Refused("password: at least " + MIN_PASSWORD + " characters");
        }
        if (!SecurityConfig.ROLE_OPS.equals(role) && !SecurityConfig.ROLE_VIEWER.equals(role)) {
            throw new Refused("role: OPS or VIEWER");
        }
        dsl.insertInto(OPS_USER)
                .set(OPS_USER.USERNAME, username).set(OPS_USER.PASSWORD_HASH, encoder.encode(password))
                .set(OPS_USER.ROLE, role).set(OPS_USER.CREATED_BY, by)
                .onConflict(OPS_USER.USERNAME).doUpdate()
                .set(OPS_USER.PASSWORD_HASH, encoder.encode(password)).set(OPS_USER.ROLE, role)
                .setNull(OPS_USER.DISABLED_AT)
                .execute();
    }

    /** Disabled users cannot log in; they stay, so the audit trail keeps its names. */
    public boolean disable(String username) {
        return dsl.update(OPS_USER).set(OPS_USER.DISABLED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                .where(OPS_USER.USERNAME.eq(username), OPS_USER.DISABLED_AT.isNull()).execute() > 0;
    }

    public List<Map<String, Object>> list() {
        return dsl.selectFrom(OPS_USER).orderBy(OPS_USER.USERNAME).fetch(r -> Map.of(
                "username", r.getUsername(), "role", r.getRole(), "created_by", r.getCreatedBy(),
                "created_at", r.getCreatedAt().toInstant().toString(),
                "disabled", r.getDisabledAt() != null));
    }
}
