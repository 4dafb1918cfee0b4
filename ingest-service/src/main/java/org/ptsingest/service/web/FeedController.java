package org.ptsingest.service.web;

import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.service.ingest.Deliveries;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.ptsingest.service.ingest.ReceiptWriter;
import org.ptsingest.service.security.SecurityConfig;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Ops API to look feeds up: list (newest first, keyset paging), one feed, its receipt, its raw bytes. */
@RestController
class FeedController {
    private static final int MAX_LIMIT = 500;

    private final DSLContext dsl;
    private final ReceiptWriter receipts;
    private final Deliveries deliveries;
    private final RawBytes raw;

    FeedController(DSLContext dsl, ReceiptWriter receipts, Deliveries deliveries, RawBytes raw) {
        this.dsl = dsl;
        this.receipts = receipts;
        this.deliveries = deliveries;
        this.raw = raw;
    }

    /** Page through feeds newest first; pass the last feed_id seen as {@code before} for the next page. */
    @GetMapping("/api/v1/feeds")
    Map<String, Object> list(@RequestParam(required = false) String provider,
            @RequestParam(required = false) FeedStatus status, @RequestParam(required = false) Channel channel,
            @RequestParam(required = false) Long before, @RequestParam(defaultValue = "50") int limit) {
        Condition where = DSL.noCondition();
        if (provider != null) {
            where = where.and(FEED.PROVIDER_ID.eq(provider));
        }
        if (status != null) {
            where = where.and(FEED.STATUS.eq(status.name()));
        }
        if (channel != null) {
            where = where.and(FEED.CHANNEL.eq(channel.name()));
        }
        if (before != null) {
            where = where.and(FEED.FEED_ID.lt(before));
        }
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        List<Map<String, Object>> feeds = dsl.selectFrom(FEED).where(where).orderBy(FEED.FEED_ID.desc()).limit(n)
                .fetch(FeedController::summary);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("feeds", feeds);
        page.put("next_before", feeds.size() == n ? feeds.get(n - 1).get("feed_id") : null);
        return page;
    }

    @GetMapping("/api/v1/feeds/{feedId}")
    Map<String, Object> one(@PathVariable long feedId, Authentication caller) {
        FeedRecord feed = visibleTo(caller, feedId);
        Map<String, Object> m = summary(feed);
        Map<String, Integer> counts = new LinkedHashMap<>();
        dsl.select(FEED_OUTCOME_COUNT.CODE, FEED_OUTCOME_COUNT.COUNT).from(FEED_OUTCOME_COUNT)
                .where(FEED_OUTCOME_COUNT.FEED_ID.eq(feedId)).orderBy(FEED_OUTCOME_COUNT.CODE)
                .forEach(r -> counts.put(r.value1(), r.value2()));
        m.put("counts", counts);
        m.put("receipt_url", "/api/v1/feeds/" + feedId + "/receipt");
        m.put("raw_url", "/api/v1/feeds/" + feedId + "/raw");
        return m;
    }

    /** Streamed from the database on the request thread (a receipt can list millions of readings). */
    @GetMapping(path = "/api/v1/feeds/{feedId}/receipt")
    void receipt(@PathVariable long feedId, Authentication caller, HttpServletResponse response,
            @RequestHeader(name = "Accept", required = false) String accept) throws IOException {
        FeedRecord feed = visibleTo(caller, feedId);
        // A feed ops reprocessed answers with the receipt of the feed that superseded it.
        while (feed.getSupersededBy() != null) {
            feed = find(feed.getSupersededBy());
        }
        if (feed.getFeedId() != feedId) {
            response.setHeader("X-PTS-Superseded-By", feed.getFeedId().toString());
            feedId = feed.getFeedId();
        }
        if (FeedUploadController.wantsXml(accept)) {
            response.setContentType(MediaType.APPLICATION_XML_VALUE);
            receipts.writeXml(feedId, response.getOutputStream());
        } else {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            receipts.write(feedId, response.getOutputStream());
        }
    }

    /**
     * A delivery: 202 while it is RECEIVED or FAILED (being judged, or retried; with {@code Retry-After}),
     * the receipt of its feed once JUDGED, and what happened (200, with the error) when QUARANTINED or
     * DISCARDED. A provider sees only its own.
     */
    @GetMapping("/api/v1/deliveries/{deliveryId}")
    void delivery(@PathVariable String deliveryId, Authentication caller, HttpServletResponse response,
            @RequestHeader(name = "Accept", required = false) String accept) throws IOException {
        DeliveryRecord d = null;
        try {
            d = deliveries.find(Long.parseLong(deliveryId));
        } catch (NumberFormatException e) {
            // not a delivery id: 404 below
        }
        if (d == null || (!isOps(caller) && !d.getProviderId().equals(caller.getName()))) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "delivery " + deliveryId + " does not exist");
        }
        DeliveryState state = DeliveryState.valueOf(d.getState());
        if (state == DeliveryState.JUDGED) {
            response.setHeader("Location", "/api/v1/feeds/" + d.getFeedId() + "/receipt");
            receipt(d.getFeedId(), caller, response, accept);
            return;
        }
        Instant next = d.getNextAttemptAt() == null ? null : d.getNextAttemptAt().toInstant();
        if (state == DeliveryState.RECEIVED || state == DeliveryState.FAILED) {
            response.setStatus(HttpStatus.ACCEPTED.value());
            response.setHeader("Retry-After", Long.toString(DeliveryAnswers.retryAfterSeconds(next)));
        }
        DeliveryAnswers.writeState(response, d.getDeliveryId(), state.name(), d.getAttempts(),
                state == DeliveryState.DISCARDED ? d.getDiscardReason() : d.getLastError(), next);
    }

    /** Ops: deliveries that need them (FAILED, QUARANTINED) or in one state, newest change first. */
    @GetMapping("/api/v1/deliveries")
    Map<String, Object> deliveries(@RequestParam(required = false) DeliveryState state,
            @RequestParam(defaultValue = "50") int limit) {
        Condition where = state == null ? DELIVERY.STATE.in(DeliveryState.FAILED.name(), DeliveryState.QUARANTINED.name())
                : DELIVERY.STATE.eq(state.name());
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        List<Map<String, Object>> rows = dsl.selectFrom(DELIVERY).where(where).orderBy(DELIVERY.UPDATED_AT.desc())
                .limit(n).fetch(d -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("delivery_id", d.getDeliveryId());
                    m.put("channel", d.getChannel());
                    m.put("source_key", d.getSourceKey());
                    m.put("provider_id", d.getProviderId());
                    m.put("file_name", d.getFileName());
                    m.put("received_at", instant(d.getReceivedAt()));
                    m.put("state", d.getState());
                    m.put("attempts", d.getAttempts());
                    m.put("last_error", d.getLastError());
                    m.put("next_attempt_at", instant(d.getNextAttemptAt()));
                    m.put("feed_id", d.getFeedId());
                    m.put("reprocess_of", d.getReprocessOf());
                    m.put("discard_reason", d.getDiscardReason());
                    return m;
                });
        return Map.of("deliveries", rows);
    }

    /**
     * The receipt of the feed an AS2 message became, by its Message-ID (as the partner sent it, angle
     * brackets included). A provider finds only its own messages.
     */
    @GetMapping("/api/v1/as2/receipt")
    void as2Receipt(@RequestParam("message_id") String messageId, Authentication caller, HttpServletResponse response,
            @RequestHeader(name = "Accept", required = false) String accept) throws IOException {
        Condition key = isOps(caller)
                ? FEED.SOURCE_KEY.like("as2:%").and(FEED.SOURCE_KEY.endsWith(":" + messageId))
                : FEED.SOURCE_KEY.eq(DeliveryKey.as2(caller.getName(), messageId).toString());
        Long feedId = dsl.select(FEED.FEED_ID).from(FEED).where(FEED.CHANNEL.eq("AS2"), key)
                .orderBy(FEED.FEED_ID).limit(1).fetchOne(FEED.FEED_ID);
        if (feedId == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no feed from AS2 message " + messageId);
        }
        response.setHeader("Location", "/api/v1/feeds/" + feedId + "/receipt");
        response.setHeader("X-PTS-Feed-Id", feedId.toString());
        receipt(feedId, caller, response, accept);
    }

    /** The bytes exactly as the provider delivered them. */
    @GetMapping("/api/v1/feeds/{feedId}/raw")
    void raw(@PathVariable long feedId, HttpServletResponse response) throws IOException {
        raw.download(find(feedId), response);
    }

    /** Ops see every feed; a provider only its own (others' look like they do not exist). */
    private FeedRecord visibleTo(Authentication caller, long feedId) {
        FeedRecord feed = find(feedId);
        if (!isOps(caller) && !feed.getProviderId().equals(caller.getName())) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "feed " + feedId + " does not exist");
        }
        return feed;
    }

    private static boolean isOps(Authentication caller) {
        return caller.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_" + SecurityConfig.ROLE_OPS));
    }

    private FeedRecord find(long feedId) {
        FeedRecord feed = dsl.fetchOne(FEED, FEED.FEED_ID.eq(feedId));
        if (feed == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "feed " + feedId + " does not exist");
        }
        return feed;
    }

    private static Map<String, Object> summary(FeedRecord f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feed_id", f.getFeedId());
        m.put("provider_id", f.getProviderId());
        m.put("channel", f.getChannel());
        m.put("file_name", f.getFileName());
        m.put("sha256", f.getSha256());
        m.put("byte_count", f.getByteCount());
        m.put("received_at", instant(f.getReceivedAt()));
        m.put("processed_at", instant(f.getProcessedAt()));
        m.put("status", f.getStatus());
        m.put("rejection_code", f.getRejectionCode());
        m.put("rejection_message", f.getRejectionMessage());
        m.put("duplicate_of", f.getDuplicateOf());
        m.put("reading_count", f.getReadingCount());
        m.put("reprocess_of", f.getReprocessOf());
        m.put("superseded_by", f.getSupersededBy());
        m.put("dismissed_at", instant(f.getDismissedAt()));
        return m;
    }

    private static String instant(java.time.OffsetDateTime t) {
        return t == null ? null : Instant.from(t).toString();
    }
}
