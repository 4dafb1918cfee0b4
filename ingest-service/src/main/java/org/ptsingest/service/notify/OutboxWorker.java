package org.ptsingest.service.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Sends due e-mail on every instance ({@link Outbox}); without an SMTP server it has nothing to do. */
@Component
class OutboxWorker {
    private static final Logger log = LoggerFactory.getLogger(OutboxWorker.class);

    private final Outbox outbox;

    OutboxWorker(Outbox outbox) {
        this.outbox = outbox;
    }

    @Scheduled(fixedDelayString = "${ingest.notifications.worker-delay:5s}",
            initialDelayString = "${ingest.notifications.worker-delay:5s}")
    void work() {
        try {
            while (outbox.sendDue() > 0) {
                // a full batch went out: look again at once
            }
        } catch (RuntimeException e) {
            // the database is away: the messages stay due, the next run takes them
            log.warn("notification worker: {}; trying again at the next run", e.getMessage());
        }
    }
}
