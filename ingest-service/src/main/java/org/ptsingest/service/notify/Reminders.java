package org.ptsingest.service.notify;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.REMINDER_RUN;
import static org.ptsingest.service.persistence.jooq.Tables.SELF_REPORTER;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.ReminderRules;
import org.ptsingest.rules.ReminderRules.Due;
import org.ptsingest.rules.ReminderRules.Owed;
import org.ptsingest.rules.ReporterKind;
import org.ptsingest.service.notify.Outbox.Attachment;
import org.ptsingest.service.notify.Outbox.Kind;
import org.ptsingest.service.notify.Outbox.Message;
import org.ptsingest.service.reporting.MissingReports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Decides the reminders ({@link ReminderRules}) and records them in the {@link Outbox}, on every instance.
 * A run (kind, reporting month) is claimed by inserting its {@code reminder_run} row; the instance that
 * inserts it computes the recipients from the missing-reports query and records their messages in the
 * same transaction, so a run happens once, and each message is recorded once per (kind, recipient,
 * window) by the outbox's unique key besides. Recipients are decided when the run is due: a system
 * designated later in the window does not get a reminder of its own.
 */
@Service
public class Reminders {
    private static final Logger log = LoggerFactory.getLogger(Reminders.class);

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final MissingReports missing;
    private final Outbox outbox;
    private final Clock clock;
    private final ReminderRules rules;
    private final Texts texts;

    public Reminders(DSLContext dsl, TransactionTemplate tx, MissingReports missing, Outbox outbox, Clock clock,
            IngestProperties properties) {
        this.dsl = dsl;
        this.tx = tx;
        this.missing = missing;
        this.outbox = outbox;
        this.clock = clock;
        this.rules = new ReminderRules(missing.windows(), properties.reminders().missingDaysBeforeClose(),
                properties.reminders().missingThreshold());
        this.texts = new Texts(properties.notifications().baseUrl(), missing.windows());
    }

    @Scheduled(fixedDelayString = "${ingest.reminders.check-interval:1m}",
            initialDelayString = "${ingest.reminders.check-interval:1m}")
    void scheduled() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("reminders: {}; trying again at the next check", e.getMessage());
        }
    }

    /** Runs every reminder run due now that no instance has run yet; returns how many messages it recorded. */
    public int check() {
        int recorded = 0;
        for (Due due : rules.due(clock.instant())) {
            Integer n = tx.execute(status -> run(due));
            recorded += n == null ? 0 : n;
        }
        return recorded;
    }

    private int run(Due due) {
        int claimed = dsl.insertInto(REMINDER_RUN)
                .set(REMINDER_RUN.KIND, due.kind().name())
                .set(REMINDER_RUN.WINDOW_MONTH, due.month().atDay(1))
                .set(REMINDER_RUN.RAN_AT, clock.instant().atOffset(ZoneOffset.UTC))
                .set(REMINDER_RUN.RECORDED, 0)
                .onConflictDoNothing().execute();
        if (claimed == 0) {
            return 0; // another instance ran it (or is running it, and this insert waited for its commit)
        }
        List<MissingReports.Missing> rows = missing.of(due.month());
        List<Owed> owed = rows.stream().map(m -> new Owed(m.systemId(), m.providerId())).toList();
        Set<String> reporters = new HashSet<>();
        owed.forEach(o -> reporters.add(o.reporterId()));
        Map<String, ReporterKind> kinds = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> contacts = new HashMap<>();
        dsl.select(PROVIDER.PROVIDER_ID, PROVIDER.KIND, PROVIDER.NAME, PROVIDER.CONTACT_EMAIL).from(PROVIDER)
                .where(PROVIDER.PROVIDER_ID.in(reporters)).forEach(r -> {
                    kinds.put(r.value1(), ReporterKind.valueOf(r.value2()));
                    names.put(r.value1(), r.value3());
                    contacts.put(r.value1(), r.value4());
                });

        int recorded = 0;
        if (due.kind() == ReminderRules.Kind.WINDOW_OPEN) {
            Map<String, String> emails = new HashMap<>();
            Set<String> disabled = new HashSet<>();
            dsl.select(SELF_REPORTER.REPORTER_ID, SELF_REPORTER.EMAIL, SELF_REPORTER.DISABLED_AT).from(SELF_REPORTER)
                    .where(SELF_REPORTER.REPORTER_ID.in(reporters)).forEach(r -> {
                        emails.put(r.value1(), r.value2());
                        if (r.value3() != null) {
                            disabled.add(r.value1());
                        }
                    });
            for (var e : rules.windowOpen(owed, kinds, disabled).entrySet()) {
                Texts.Text t = texts.windowOpen(names.get(e.getKey()), e.getKey(), due.month(), e.getValue());
                if (outbox.record(new Message(Kind.WINDOW_OPEN, e.getKey(), emails.get(e.getKey()), due.month(),
                        t.subject(), t.body(), null)).isPresent()) {
                    recorded++;
                }
            }
        } else {
            String name = "missing-reports-" + due.month() + ".csv";
            for (var e : rules.missingNotices(owed, kinds).entrySet()) {
                String provider = e.getKey();
                Texts.Text t = texts.missingReports(names.get(provider), provider, due.month(), e.getValue().size(),
                        name);
                String contact = contacts.get(provider);
                if (contact == null) {
                    log.warn("missing-report notice for {} ({} systems, window of {}) not sendable: the provider has "
                            + "no contact_email; recorded as NO_ADDRESS", provider, e.getValue().size(), due.month());
                }
                Attachment csv = new Attachment(name, "text/csv; charset=UTF-8",
                        csv(rows.stream().filter(m -> m.providerId().equals(provider)).toList()));
                if (outbox.record(new Message(Kind.MISSING_REPORTS, provider, contact, due.month(), t.subject(),
                        t.body(), csv)).isPresent()) {
                    recorded++;
                }
            }
        }
        dsl.update(REMINDER_RUN).set(REMINDER_RUN.RECORDED, recorded)
                .where(REMINDER_RUN.KIND.eq(due.kind().name()), REMINDER_RUN.WINDOW_MONTH.eq(due.month().atDay(1)))
                .execute();
        log.info("reminders {} for the window of {}: {} messages recorded", due.kind(), due.month(), recorded);
        return recorded;
    }

    private static byte[] csv(List<MissingReports.Missing> rows) {
        StringWriter out = new StringWriter();
        try {
            MissingReports.csv(rows, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
