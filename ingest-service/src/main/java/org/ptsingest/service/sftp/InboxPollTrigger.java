package org.ptsingest.service.sftp;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultScheduledPollConsumerScheduler;
import org.apache.camel.support.ScheduledPollConsumer;
import org.ptsingest.routes.SftpInboxRoute;
import org.springframework.stereotype.Component;

/**
 * Polls the inbox as soon as the embedded SFTP server saw an upload complete, instead of at the next poll delay
 * (on average half of {@code ingest.sftp.poll-delay} of every drop's latency). The poll runs on the consumer's own
 * polling thread, queued behind a poll under way, so polls never overlap; a burst of uploads queues one poll,
 * which takes every file ready by then (and polls again at once while it finds work). The scheduled polls go on
 * as before for files the server did not see (an external server, files there at start-up).
 */
@Component
class InboxPollTrigger {
    private final CamelContext camel;
    private final AtomicBoolean queued = new AtomicBoolean();

    InboxPollTrigger(CamelContext camel, UploadsInProgress uploads) {
        this.camel = camel;
        uploads.onUploadCompleted(this::pollSoon);
    }

    void pollSoon() {
        Route route = camel.getRoute(SftpInboxRoute.ROUTE_ID);
        if (route == null || !(route.getConsumer() instanceof ScheduledPollConsumer consumer)
                || !consumer.isRunAllowed()
                || !(consumer.getScheduler() instanceof DefaultScheduledPollConsumerScheduler scheduler)
                || scheduler.getScheduledExecutorService() == null) {
            return; // not started (or stopping): its first scheduled poll takes the file
        }
        if (queued.compareAndSet(false, true)) {
            try {
                scheduler.getScheduledExecutorService().execute(() -> {
                    queued.set(false);
                    consumer.run();
                });
            } catch (RejectedExecutionException e) {
                queued.set(false); // shutting down
            }
        }
    }
}
