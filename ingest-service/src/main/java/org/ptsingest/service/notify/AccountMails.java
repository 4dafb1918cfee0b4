package org.ptsingest.service.notify;

import static org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION;
import static org.ptsingest.service.persistence.jooq.Tables.SELF_REPORTER;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.notify.Outbox.Kind;
import org.ptsingest.service.notify.Outbox.Message;
import org.ptsingest.service.report.SelfReporters;
import org.ptsingest.service.report.SelfReporters.Account;
import org.ptsingest.service.report.SelfReporters.Link;
import org.ptsingest.service.report.SelfReporters.Purpose;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The e-mails of self-reporters' accounts: an invitation (ops) and a forgotten-password link (the owner),
 * each a new one-time link ({@link SelfReporters#newLink}) and its message, recorded in one transaction.
 */
@Service
public class AccountMails {
    private static final Logger log = LoggerFactory.getLogger(AccountMails.class);
    /** One password link per account in this time, however often the form is sent (no mail bombing). */
    static final Duration RESET_QUIET = Duration.ofMinutes(5);

    /** No self-reporter with that id. */
    public static final class NotFound extends RuntimeException {
        NotFound(String id) {
            super("no self-reporter " + id);
        }
    }

    /** The self-reporter is disabled: enable it first. */
    public static final class Disabled extends RuntimeException {
        Disabled(String id) {
            super("self-reporter " + id + " is disabled; enable it first");
        }
    }

    /** Where an account stands, for ops. */
    public enum AccountState { NOT_INVITED, INVITED, PASSWORD_SET, DISABLED }

    public static AccountState state(Account a) {
        return a.disabledAt() != null ? AccountState.DISABLED
                : a.passwordSet() ? AccountState.PASSWORD_SET
                : a.invitedAt() != null ? AccountState.INVITED : AccountState.NOT_INVITED;
    }

    /** An invitation recorded: its message and until when its link works. */
    public record Invitation(String reporterId, long notificationId, Outbox.State state, Instant expiresAt) {}

    private final DSLContext dsl;
    private final SelfReporters reporters;
    private final Outbox outbox;
    private final Clock clock;
    private final Texts texts;

    AccountMails(DSLContext dsl, SelfReporters reporters, Outbox outbox, Clock clock, IngestProperties properties) {
        this.dsl = dsl;
        this.reporters = reporters;
        this.outbox = outbox;
        this.clock = clock;
        this.texts = Texts.of(properties);
    }

    /** Invites (again) an enabled self-reporter: a new link, earlier unused invitation links stop working. */
    @Transactional
    public Invitation invite(String reporterId) {
        Account a = reporters.account(reporterId).orElseThrow(() -> new NotFound(reporterId));
        if (a.disabledAt() != null) {
            throw new Disabled(reporterId);
        }
        Link link = reporters.newLink(reporterId, Purpose.INVITATION);
        Texts.Text t = texts.invitation(a.name(), reporterId, link.token(), link.expiresAt());
        long id = outbox.record(new Message(Kind.INVITATION, reporterId, a.email(), null, t.subject(), t.body(), null))
                .orElseThrow();
        log.info("invitation for self-reporter {} recorded (notification {})", reporterId, id);
        return new Invitation(reporterId, id, outbox.sending() ? Outbox.State.PENDING : Outbox.State.KEPT,
                link.expiresAt());
    }

    /**
     * A forgotten password: the enabled self-reporters with that reporter id or e-mail address (case
     * ignored) get a password link; nobody else learns whether one exists. Returns how many were recorded.
     */
    @Transactional
    public int forgot(String idOrEmail) {
        String key = idOrEmail == null ? "" : idOrEmail.strip();
        if (key.isEmpty() || key.length() > 320) {
            return 0;
        }
        List<String> ids = dsl.select(SELF_REPORTER.REPORTER_ID).from(SELF_REPORTER)
                .where(SELF_REPORTER.REPORTER_ID.eq(key)
                        .or(DSL.lower(SELF_REPORTER.EMAIL).eq(key.toLowerCase(Locale.ROOT))))
                .and(SELF_REPORTER.DISABLED_AT.isNull())
                .orderBy(SELF_REPORTER.REPORTER_ID).fetch(SELF_REPORTER.REPORTER_ID);
        int recorded = 0;
        for (String id : ids) {
            boolean recent = dsl.fetchExists(NOTIFICATION, NOTIFICATION.KIND.eq(Kind.PASSWORD_RESET.name()),
                    NOTIFICATION.RECIPIENT_ID.eq(id),
                    NOTIFICATION.CREATED_AT.gt(clock.instant().minus(RESET_QUIET).atOffset(ZoneOffset.UTC)));
            if (recent) {
                log.info("password link for self-reporter {} not sent again within {}", id, RESET_QUIET);
                continue;
            }
            Account a = reporters.account(id).orElseThrow();
            Link link = reporters.newLink(id, Purpose.PASSWORD_RESET);
            Texts.Text t = texts.passwordReset(a.name(), id, link.token(), link.expiresAt());
            outbox.record(new Message(Kind.PASSWORD_RESET, id, a.email(), null, t.subject(), t.body(), null));
            recorded++;
        }
        return recorded;
    }
}
