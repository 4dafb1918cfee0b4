package org.ptsingest.service.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.annotation.PreDestroy;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.routes.IngestFeedRoute;
import org.ptsingest.routes.SftpDeliveries;
import org.ptsingest.routes.SftpQuarantineRoute;
import org.ptsingest.routes.SftpReceiptRoute;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Judges, on every instance, the deliveries that are due and that no channel is waiting on: failed ones
 * at their next attempt, 202 deliveries and reprocess requests at once, and deliveries whose instance
 * died while judging them. Each is locked with {@code SKIP LOCKED}, so instances share the work and a
 * delivery being judged is never waited on; the due ones are taken oldest first, and one that fails
 * again only moves its own next attempt, so no delivery waits behind a failing one.
 *
 * <p>It judges up to {@code ingest.delivery.worker-threads} deliveries at once, each of another provider: a
 * provider's feeds are judged one at a time anyway (its advisory lock), and one thread per instance let a provider's
 * feed of millions of readings hold every other provider's 202 delivery, retry or large SFTP file for as long as it
 * took. A thread skips a delivery whose provider another thread of this instance is judging (it would only wait on
 * that provider's lock) and takes the next provider's.
 *
 * <p>Channels answer for themselves: an HTTPS provider polls its delivery, an AS2 partner resends, an
 * SFTP file still in the inbox is answered by the inbox route's next poll. The worker writes the SFTP
 * receipt only where no file is left to answer: a reprocess, or a file that went to quarantine.
 */
@Component
public class DeliveryWorker {
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int BATCH = 20;

    private final Deliveries deliveries;
    private final ProducerTemplate camel;
    private final int threads;
    private final ExecutorService pool;
    /** Threads draining now (at most {@link #threads}). */
    private final AtomicInteger draining = new AtomicInteger();
    /** Providers whose delivery a thread of this instance is judging now. */
    private final Set<String> judging = ConcurrentHashMap.newKeySet();

    DeliveryWorker(Deliveries deliveries, ProducerTemplate camel, IngestProperties properties) {
        this.deliveries = deliveries;
        this.camel = camel;
        this.threads = properties.delivery().workerThreads();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "delivery-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A delivery due now was recorded (and committed): the worker takes it at once rather than at its next run, up
     * to {@code ingest.delivery.worker-delay} later. Run on one of the worker's threads, so the channel that recorded
     * it answers without waiting for the look-up; when every thread is draining, they take it in their next round
     * (or the next run does).
     */
    @TransactionalEventListener(fallbackExecution = true)
    void dueNow(Deliveries.DueNow due) {
        if (draining.get() < threads) {
            try {
                pool.execute(this::work);
            } catch (RejectedExecutionException e) {
                // shutting down: the delivery stays due
            }
        }
    }

    /** When something is due, tops the worker up to its threads; each drains until nothing is left it may take. */
    @Scheduled(fixedDelayString = "${ingest.delivery.worker-delay:1s}")
    public void work() {
        try {
            if (draining.get() >= threads || deliveries.due(1).isEmpty()) {
                return;
            }
        } catch (RuntimeException e) {
            // The database is unreachable: the deliveries stay due, the next run takes them.
            log.warn("delivery worker: {}; trying again at the next run", e.getMessage());
            return;
        }
        for (int n = draining.get(); n < threads; n = draining.get()) {
            if (draining.compareAndSet(n, n + 1)) {
                try {
                    pool.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    draining.decrementAndGet(); // shutting down
                    return;
                }
            }
        }
    }

    private void drain() {
        try {
            boolean progressed = true;
            while (progressed) {
                progressed = false;
                for (Deliveries.Due due : deliveries.due(BATCH)) {
                    if (!judging.add(due.providerId())) {
                        continue; // another thread judges this provider's feed: this one would wait on its lock
                    }
                    try {
                        FeedResult result = deliveries.judge(due.deliveryId(), null, false);
                        if (result != null) {
                            progressed = true;
                            answer(result);
                        }
                    } finally {
                        judging.remove(due.providerId());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("delivery worker: {}; trying again at the next run", e.getMessage());
        } finally {
            draining.decrementAndGet();
        }
    }

    /** A delivery being judged at shutdown is left as a crash leaves it: recorded, and taken again later. */
    @PreDestroy
    void stop() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
    }

    /** SFTP deliveries whose file left the inbox: the receipt, or the quarantine folder. */
    private void answer(FeedResult result) {
        DeliveryRecord d = deliveries.find(result.deliveryId());
        if (Channel.valueOf(d.getChannel()) != Channel.SFTP || d.getHandedOverAt() == null) {
            return;
        }
        if (result.isJudged() && !result.retried()) {
            camel.send(SftpReceiptRoute.ENDPOINT, e -> {
                e.getMessage().setHeader(IngestFeedRoute.FEED_ID, result.feedId());
                e.getMessage().setHeader(SftpDeliveries.PROVIDER_ID, d.getProviderId());
                e.getMessage().setHeader(SftpDeliveries.FEED_FILE_NAME, d.getFileName());
            });
        } else if (result.state() == DeliveryState.QUARANTINED && d.getReprocessOf() == null) {
            Path bytes = deliveries.fetchContent(d);
            try {
                Exchange done = camel.send(SftpQuarantineRoute.ENDPOINT, e -> {
                    e.getMessage().setBody(bytes.toFile());
                    e.getMessage().setHeader(IngestFeedRoute.RESULT, result);
                    e.getMessage().setHeader(IngestFeedRoute.DELIVERY_ID, result.deliveryId());
                    e.getMessage().setHeader(SftpDeliveries.PROVIDER_ID, d.getProviderId());
                    e.getMessage().setHeader(SftpDeliveries.FEED_FILE_NAME, d.getFileName());
                });
                if (done.getException() != null) {
                    log.warn("delivery {} is QUARANTINED but could not be moved to {}/quarantine: {}",
                            result.deliveryId(), d.getProviderId(), done.getException().getMessage());
                }
            } finally {
                try {
                    Files.deleteIfExists(bytes);
                } catch (IOException e) {
                    log.debug("work file {} not removed: {}", bytes, e.getMessage());
                }
            }
        }
    }
}
