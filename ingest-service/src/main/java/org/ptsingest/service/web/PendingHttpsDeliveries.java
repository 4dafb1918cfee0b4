package org.ptsingest.service.web;

import static org.ptsingest.service.persistence.jooq.Tables.HTTPS_DELIVERY;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.jooq.DSLContext;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.routes.IngestFeedRoute;
import org.ptsingest.service.ingest.RawFeedArchive;
import org.ptsingest.service.persistence.jooq.tables.records.HttpsDeliveryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * HTTPS feeds too large to judge within the request. {@link #accept} archives the bytes and records
 * the delivery before the provider gets its 202, so an accepted feed survives a crash; the worker then
 * locks one pending delivery ({@code FOR UPDATE SKIP LOCKED}) and runs it through the ingest route in
 * that same transaction: the feed, its readings and the delivery's "done" commit together, and any
 * instance may pick up what another left.
 */
@Component
class PendingHttpsDeliveries {
    private static final Logger log = LoggerFactory.getLogger(PendingHttpsDeliveries.class);

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final RawFeedArchive archive;
    private final ProducerTemplate camel;

    PendingHttpsDeliveries(DSLContext dsl, TransactionTemplate tx, RawFeedArchive archive, ProducerTemplate camel) {
        this.dsl = dsl;
        this.tx = tx;
        this.archive = archive;
        this.camel = camel;
    }

    String accept(String providerId, FeedFormat format, String fileName, Path body, Instant receivedAt)
            throws IOException {
        RawFeedArchive.Archived raw = archive.store(body);
        String id = UUID.randomUUID().toString();
        dsl.insertInto(HTTPS_DELIVERY)
                .set(HTTPS_DELIVERY.DELIVERY_ID, id)
                .set(HTTPS_DELIVERY.PROVIDER_ID, providerId)
                .set(HTTPS_DELIVERY.FORMAT, format.name())
                .set(HTTPS_DELIVERY.FILE_NAME, fileName)
                .set(HTTPS_DELIVERY.RAW_LOCATION, raw.location().toString())
                .set(HTTPS_DELIVERY.RECEIVED_AT, receivedAt.atOffset(ZoneOffset.UTC))
                .execute();
        log.info("accepted {} ({} bytes) from {} for background judging as delivery {}", fileName,
                raw.byteCount(), providerId, id);
        return id;
    }

    HttpsDeliveryRecord find(String deliveryId) {
        return dsl.fetchOne(HTTPS_DELIVERY, HTTPS_DELIVERY.DELIVERY_ID.eq(deliveryId));
    }

    @Scheduled(fixedDelay = 1000)
    void work() {
        try {
            while (Boolean.TRUE.equals(tx.execute(status -> judgeOne()))) {
                // next pending delivery
            }
        } catch (RuntimeException e) {
            log.error("a pending HTTPS delivery failed; it stays pending and is retried: {}", e.getMessage(), e);
        }
    }

    private boolean judgeOne() {
        HttpsDeliveryRecord pending = dsl.selectFrom(HTTPS_DELIVERY)
                .where(HTTPS_DELIVERY.DONE_AT.isNull())
                .orderBy(HTTPS_DELIVERY.RECEIVED_AT)
                .limit(1)
                .forUpdate().skipLocked()
                .fetchOne();
        if (pending == null) {
            return false;
        }
        FeedDelivery delivery = new FeedDelivery(pending.getProviderId(), Channel.HTTPS,
                FeedFormat.valueOf(pending.getFormat()), pending.getFileName(), "https:" + pending.getDeliveryId(),
                Path.of(pending.getRawLocation()), pending.getReceivedAt().toInstant(), false);
        // The direct: route runs on this thread, so the pipeline joins this transaction.
        Exchange done = camel.request(IngestFeedRoute.ENDPOINT, e -> e.getMessage().setBody(delivery));
        if (done.getException() != null) {
            throw new IllegalStateException("delivery " + pending.getDeliveryId() + ": "
                    + done.getException().getMessage(), done.getException());
        }
        try {
            Files.deleteIfExists(done.getMessage().getBody(File.class).toPath());
        } catch (IOException e) {
            log.debug("could not remove a rendered receipt file: {}", e.getMessage());
        }
        pending.setFeedId(done.getMessage().getHeader(IngestFeedRoute.FEED_ID, Long.class));
        pending.setDoneAt(OffsetDateTime.now(ZoneOffset.UTC));
        pending.store();
        return true;
    }
}
