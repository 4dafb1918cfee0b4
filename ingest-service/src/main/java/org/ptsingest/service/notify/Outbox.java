package org.ptsingest.service.notify;

import static org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.persistence.jooq.tables.records.NotificationRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * E-mail, kept in PostgreSQL ({@code notification}) until the SMTP server took it. A message is recorded
 * in the transaction that decided it (an invitation with its link, a reminder with its run), so it is
 * sent if and only if that transaction committed. The worker takes one due message at a time
 * {@code FOR UPDATE SKIP LOCKED} (instances share the work, none sends a message another is sending),
 * hands it to SMTP and marks it SENT in that same transaction.
 *
 * <p>At least once, not exactly once: if the instance dies after the SMTP server accepted a message and
 * before the commit, the lock goes with the connection and the message is sent again by the next worker
 * run. Its Message-ID is derived from the row, so the copy carries the same Message-ID as the first.
 *
 * <p>Without an SMTP server ({@code spring.mail.host} not set: no {@link JavaMailSender}) messages are
 * recorded KEPT: visible on the console, never sent, not even once a server is configured later.
 */
@Service
public class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final int BATCH = 50;
    private static final int MAX_ERROR = 2000;

    public enum Kind { INVITATION, PASSWORD_RESET, WINDOW_OPEN, MISSING_REPORTS, CORRECTION_DECIDED }

    public enum State { PENDING, SENT, FAILED, GAVE_UP, KEPT, NO_ADDRESS }

    public record Attachment(String name, String contentType, byte[] bytes) {}

    /**
     * A message to record.
     *
     * @param email null when the recipient has none (recorded NO_ADDRESS, never sent)
     * @param windowMonth the reporting month a reminder is about (once per kind, recipient and month);
     *     null for invitations and password links (one message per link)
     */
    public record Message(Kind kind, String recipientId, String email, YearMonth windowMonth, String subject,
            String body, Attachment attachment) {}

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final ObjectProvider<JavaMailSender> mail;
    private final IngestProperties.Notifications settings;
    private final Clock clock;

    Outbox(DSLContext dsl, TransactionTemplate tx, ObjectProvider<JavaMailSender> mail, IngestProperties properties,
            Clock clock) {
        this.dsl = dsl;
        this.tx = tx;
        this.mail = mail;
        this.settings = properties.notifications();
        this.clock = clock;
    }

    /** Whether an SMTP server is configured; without one messages are KEPT. */
    public boolean sending() {
        return mail.getIfAvailable() != null;
    }

    /**
     * Records a message in the caller's transaction. Empty when a message of this kind, recipient and
     * window was recorded before (by this instance or another): a reminder is recorded once.
     */
    public Optional<Long> record(Message m) {
        OffsetDateTime now = now();
        State state = m.email() == null ? State.NO_ADDRESS : sending() ? State.PENDING : State.KEPT;
        Attachment a = m.attachment();
        return dsl.insertInto(NOTIFICATION)
                .set(NOTIFICATION.KIND, m.kind().name())
                .set(NOTIFICATION.RECIPIENT_ID, m.recipientId())
                .set(NOTIFICATION.RECIPIENT_EMAIL, m.email())
                .set(NOTIFICATION.WINDOW_MONTH, m.windowMonth() == null ? null : m.windowMonth().atDay(1))
                .set(NOTIFICATION.SUBJECT, m.subject())
                .set(NOTIFICATION.BODY, m.body())
                .set(NOTIFICATION.ATTACHMENT_NAME, a == null ? null : a.name())
                .set(NOTIFICATION.ATTACHMENT_CONTENT_TYPE, a == null ? null : a.contentType())
                .set(NOTIFICATION.ATTACHMENT, a == null ? null : a.bytes())
                .set(NOTIFICATION.STATE, state.name())
                .set(NOTIFICATION.NEXT_ATTEMPT_AT, now)
                .set(NOTIFICATION.CREATED_AT, now)
                .onConflictDoNothing()
                .returningResult(NOTIFICATION.NOTIFICATION_ID)
                .fetchOptional(NOTIFICATION.NOTIFICATION_ID);
    }

    /** Sends due messages (one transaction each) until none is due or a batch is done; returns how many went out. */
    public int sendDue() {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            return 0;
        }
        int sent = 0;
        for (int i = 0; i < BATCH; i++) {
            Boolean ok = tx.execute(status -> sendOne(sender));
            if (ok == null) {
                break;
            }
            if (ok) {
                sent++;
            }
        }
        return sent;
    }

    /** null when nothing was due; else whether the SMTP server took the message. */
    private Boolean sendOne(JavaMailSender sender) {
        NotificationRecord n = dsl.selectFrom(NOTIFICATION)
                .where(NOTIFICATION.STATE.in(State.PENDING.name(), State.FAILED.name()),
                        NOTIFICATION.NEXT_ATTEMPT_AT.le(now()))
                .orderBy(NOTIFICATION.NEXT_ATTEMPT_AT, NOTIFICATION.NOTIFICATION_ID)
                .limit(1)
                .forUpdate().skipLocked()
                .fetchOne();
        if (n == null) {
            return null;
        }
        String error = send(sender, n);
        OffsetDateTime now = now();
        n.setAttempts(n.getAttempts() + 1);
        if (error == null) {
            n.setState(State.SENT.name());
            n.setSentAt(now);
            n.setBody(withoutLinks(n.getBody())); // the e-mail has it; the database keeps no working link
            log.info("notification {} ({}) sent to {} (attempt {})", n.getNotificationId(), n.getKind(),
                    n.getRecipientId(), n.getAttempts());
        } else if (n.getAttempts() >= settings.maxAttempts()) {
            n.setState(State.GAVE_UP.name());
            n.setLastError(error);
            log.error("notification {} ({}) to {} given up after {} attempts: {}", n.getNotificationId(), n.getKind(),
                    n.getRecipientId(), n.getAttempts(), error);
        } else {
            Duration wait = settings.backOff(n.getAttempts());
            n.setState(State.FAILED.name());
            n.setLastError(error);
            n.setNextAttemptAt(now.plus(wait));
            log.warn("notification {} ({}) to {} failed (attempt {}), next try in {}: {}", n.getNotificationId(),
                    n.getKind(), n.getRecipientId(), n.getAttempts(), wait, error);
        }
        n.store();
        return error == null;
    }

    /** null when the SMTP server accepted the message, else what went wrong. */
    private String send(JavaMailSender sender, NotificationRecord n) {
        try {
            MimeMessage mime = sender instanceof JavaMailSenderImpl impl
                    ? new StableIdMessage(impl.getSession(), messageId(n))
                    : sender.createMimeMessage();
            MimeMessageHelper m = new MimeMessageHelper(mime, n.getAttachment() != null, "UTF-8");
            m.setFrom(settings.from());
            m.setTo(n.getRecipientEmail());
            m.setSubject(n.getSubject());
            m.setText(n.getBody(), false);
            if (n.getAttachment() != null) {
                m.addAttachment(n.getAttachmentName(), new ByteArrayResource(n.getAttachment()),
                        n.getAttachmentContentType());
            }
            sender.send(mime);
            return null;
        } catch (MessagingException | RuntimeException e) {
            StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable c = e.getCause(); c != null && why.length() < MAX_ERROR; c = c.getCause()) {
                why.append(" / ").append(c.getMessage());
            }
            return why.length() > MAX_ERROR ? why.substring(0, MAX_ERROR) : why.toString();
        }
    }

    /** The same message sent twice (a crash between SMTP and commit) carries one Message-ID. */
    private String messageId(NotificationRecord n) {
        String from = settings.from();
        String domain = from.contains("@") ? from.substring(from.lastIndexOf('@') + 1).replace(">", "") : "localhost";
        return "<pts-notification-" + n.getNotificationId() + "-" + n.getCreatedAt().toInstant().toEpochMilli() + "@"
                + domain + ">";
    }

    private static final class StableIdMessage extends MimeMessage {
        private final String id;

        StableIdMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }
    }

    private static final java.util.regex.Pattern LINK_TOKEN =
            java.util.regex.Pattern.compile("(/report/password\\?token=)[A-Za-z0-9_-]+");

    /**
     * The text with every one-time link's token replaced: only their SHA-256 is kept otherwise
     * ({@code reporter_token}), so a message sent, or shown to a viewer, must not hold a working link.
     */
    public static String withoutLinks(String text) {
        return LINK_TOKEN.matcher(text).replaceAll("$1(removed)");
    }

    // ---- for the console ----

    /** Newest first; {@code state} null for all. */
    public List<NotificationRecord> list(State state, int limit) {
        Condition where = state == null ? DSL.noCondition() : NOTIFICATION.STATE.eq(state.name());
        return dsl.selectFrom(NOTIFICATION).where(where)
                .orderBy(NOTIFICATION.CREATED_AT.desc(), NOTIFICATION.NOTIFICATION_ID.desc()).limit(limit).fetch();
    }

    public Optional<NotificationRecord> find(long id) {
        return dsl.selectFrom(NOTIFICATION).where(NOTIFICATION.NOTIFICATION_ID.eq(id)).fetchOptional();
    }

    private OffsetDateTime now() {
        return clock.instant().atOffset(ZoneOffset.UTC);
    }
}
