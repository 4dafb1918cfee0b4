package org.ptsingest.service.console;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY_PROGRESS;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.FLAG_DECISION;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.service.ingest.ReceiptWriter;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.ptsingest.service.persistence.jooq.tables.records.DeliveryRecord;
import org.ptsingest.service.review.FeedReview;
import org.ptsingest.service.web.RawBytes;
import org.ptsingest.service.web.Months;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The ops console: server-rendered pages (Thymeleaf) over the tables the pipeline writes. Every value
 * taken from a feed is rendered with {@code th:text}, i.e. escaped; no page runs scripts.
 */
@Controller
class ConsoleController {
    static final int PAGE = 50;
    static final int MAX_ERRORS = 200;
    static final int MAX_CONTEXTS = 20;
    private static final Pattern SCHEMA_LINE = Pattern.compile("^line (\\d+)");

    private final DSLContext dsl;
    private final FeedReview review;
    private final ReceiptWriter receipts;
    private final RawBytes raw;
    private final ZoneId zone;

    ConsoleController(DSLContext dsl, FeedReview review, ReceiptWriter receipts, RawBytes raw,
            IngestProperties properties) {
        this.dsl = dsl;
        this.review = review;
        this.receipts = receipts;
        this.raw = raw;
        this.zone = properties.rules().zone();
    }

    /** Deliveries that have no feed and need ops: failed (being retried) and quarantined, newest first. */
    private List<DeliveryRecord> deliveriesNeedingOps() {
        return dsl.selectFrom(DELIVERY).where(DELIVERY.STATE.in("FAILED", "QUARANTINED"))
                .orderBy(DELIVERY.UPDATED_AT.desc()).limit(PAGE).fetch();
    }


    @GetMapping("/ops/login")
    String login() {
        return "ops/login";
    }

    // ---- home ----

    @GetMapping("/ops")
    String home(Model model) {
        LocalDate today = LocalDate.now(zone);
        LocalDate windowStart = today.withDayOfMonth(1);
        OffsetDateTime dayFrom = today.atStartOfDay(zone).toOffsetDateTime();
        OffsetDateTime windowFrom = windowStart.atStartOfDay(zone).toOffsetDateTime();
        model.addAttribute("today", today);
        model.addAttribute("windowStart", windowStart);
        model.addAttribute("todayByStatus", countBy(FEED.STATUS, FEED.RECEIVED_AT.ge(dayFrom)));
        model.addAttribute("windowByStatus", countBy(FEED.STATUS, FEED.RECEIVED_AT.ge(windowFrom)));
        model.addAttribute("todayByProvider", byProvider(dayFrom));
        model.addAttribute("windowByProvider", byProvider(windowFrom));
        model.addAttribute("windowByOutcome", dsl.select(FEED_OUTCOME_COUNT.CODE, DSL.sum(FEED_OUTCOME_COUNT.COUNT))
                .from(FEED_OUTCOME_COUNT).join(FEED).on(FEED.FEED_ID.eq(FEED_OUTCOME_COUNT.FEED_ID))
                .where(FEED.RECEIVED_AT.ge(windowFrom), FEED.SUPERSEDED_BY.isNull())
                .groupBy(FEED_OUTCOME_COUNT.CODE).orderBy(FEED_OUTCOME_COUNT.CODE)
                .fetch(r -> Map.of("code", r.value1(), "count", r.value2())));
        model.addAttribute("feedsToReview", dsl.fetchCount(FEED, needsReview()));
        model.addAttribute("flaggedToDecide", dsl.fetchCount(pendingFlags()));
        model.addAttribute("deliveries", deliveriesNeedingOps());
        return "ops/home";
    }

    private List<Map<String, Object>> byProvider(OffsetDateTime since) {
        return dsl.select(FEED.PROVIDER_ID, FEED.STATUS, DSL.count()).from(FEED)
                .where(FEED.RECEIVED_AT.ge(since), FEED.SUPERSEDED_BY.isNull())
                .groupBy(FEED.PROVIDER_ID, FEED.STATUS).orderBy(FEED.PROVIDER_ID, FEED.STATUS)
                .fetch(r -> Map.<String, Object>of("provider", r.value1(), "status", r.value2(), "count", r.value3()));
    }

    private Map<String, Integer> countBy(org.jooq.Field<String> field, Condition where) {
        Map<String, Integer> m = new LinkedHashMap<>();
        dsl.select(field, DSL.count()).from(FEED).where(where, FEED.SUPERSEDED_BY.isNull()).groupBy(field)
                .orderBy(field).forEach(r -> m.put(r.value1(), r.value2()));
        return m;
    }

    /** Rejected or partially accepted, not reprocessed, not dismissed: a decision is owed. */
    static Condition needsReview() {
        return FEED.STATUS.in("REJECTED", "PARTIALLY_ACCEPTED").and(FEED.SUPERSEDED_BY.isNull())
                .and(FEED.DISMISSED_AT.isNull());
    }

    private org.jooq.Select<? extends org.jooq.Record> pendingFlags() {
        return dsl.select(READING.SYSTEM_ID, READING.METER_SERIAL, READING.READ_AT, READING.REGISTER_KWH, READING.FEED_ID,
                        READING.FLAG, READING.LINE_NO)
                .from(READING).where(READING.FLAG.isNotNull(), undecided());
    }

    /** A flagged reading nobody approved yet (rejected ones have left the table). */
    private static Condition undecided() {
        return DSL.notExists(DSL.selectOne().from(FLAG_DECISION).where(FLAG_DECISION.SYSTEM_ID.eq(READING.SYSTEM_ID),
                FLAG_DECISION.METER_SERIAL.eq(READING.METER_SERIAL), FLAG_DECISION.READ_AT.eq(READING.READ_AT)));
    }

    // ---- feeds ----

    /** Keyset paging newest first: each page is one index range scan, however many feeds there are. */
    @GetMapping("/ops/feeds")
    String feeds(@RequestParam(required = false) String provider, @RequestParam(required = false) Channel channel,
            @RequestParam(required = false) FeedStatus status, @RequestParam(required = false) OutcomeCode code,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) Boolean review, @RequestParam(required = false) Long before, Model model) {
        if (!Months.inRange(from) || !Months.inRange(to)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "from and to are days of the years 1 to 9999");
        }
        Condition where = DSL.noCondition();
        provider = blank(provider);
        if (provider != null) {
            where = where.and(FEED.PROVIDER_ID.eq(provider.strip()));
        }
        // unknown values of the three (a hand-edited URL) are refused with the known ones (BadParameters)
        if (channel != null) {
            where = where.and(FEED.CHANNEL.eq(channel.name()));
        }
        if (status != null) {
            where = where.and(FEED.STATUS.eq(status.name()));
        }
        if (code != null) {
            where = where.and(DSL.exists(DSL.selectOne().from(FEED_OUTCOME_COUNT)
                    .where(FEED_OUTCOME_COUNT.FEED_ID.eq(FEED.FEED_ID), FEED_OUTCOME_COUNT.CODE.eq(code.name()))));
        }
        if (from != null) {
            where = where.and(FEED.RECEIVED_AT.ge(from.atStartOfDay(zone).toOffsetDateTime()));
        }
        if (to != null) {
            where = where.and(FEED.RECEIVED_AT.lt(to.plusDays(1).atStartOfDay(zone).toOffsetDateTime()));
        }
        if (Boolean.TRUE.equals(review)) {
            where = where.and(needsReview());
        }
        if (before != null) {
            where = where.and(FEED.FEED_ID.lt(before));
        }
        List<FeedRecord> page = dsl.selectFrom(FEED).where(where).orderBy(FEED.FEED_ID.desc()).limit(PAGE + 1).fetch();
        boolean more = page.size() > PAGE;
        List<FeedRecord> shown = more ? page.subList(0, PAGE) : page;
        model.addAttribute("feeds", shown);
        model.addAttribute("nextBefore", more ? shown.get(PAGE - 1).getFeedId() : null);
        model.addAttribute("providers", dsl.select(PROVIDER.PROVIDER_ID).from(PROVIDER).orderBy(PROVIDER.PROVIDER_ID)
                .fetch(PROVIDER.PROVIDER_ID));
        model.addAttribute("codes", OutcomeCode.values());
        model.addAttribute("filter", filter(provider, channel, status, code, from, to, review));
        return "ops/feeds";
    }

    private static Map<String, Object> filter(String provider, Channel channel, FeedStatus status, OutcomeCode code,
            LocalDate from, LocalDate to, Boolean review) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("provider", provider);
        f.put("channel", channel == null ? null : channel.name());
        f.put("status", status == null ? null : status.name());
        f.put("code", code == null ? null : code.name());
        f.put("from", from);
        f.put("to", to);
        f.put("review", Boolean.TRUE.equals(review) ? true : null);
        return f;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** One error of a feed with the raw lines around it. */
    public record ErrorView(Integer record, Long line, String code, String systemId, String meterSerial, OffsetDateTime readAt,
            Object registerKwh, String message, List<RawContext.Line> context) {}

    @GetMapping("/ops/feeds/{feedId}")
    String feed(@PathVariable long feedId, Model model) throws IOException {
        FeedRecord feed = find(feedId);
        model.addAttribute("feed", feed);
        model.addAttribute("counts", dsl.select(FEED_OUTCOME_COUNT.CODE, FEED_OUTCOME_COUNT.COUNT).from(FEED_OUTCOME_COUNT)
                .where(FEED_OUTCOME_COUNT.FEED_ID.eq(feedId)).orderBy(FEED_OUTCOME_COUNT.CODE)
                .fetch(r -> Map.of("code", r.value1(), "count", r.value2())));
        boolean csv = feed.getFormat().equals("CSV_V1");
        List<ErrorView> errors = new ArrayList<>();
        var outcomes = dsl.selectFrom(READING_OUTCOME).where(READING_OUTCOME.FEED_ID.eq(feedId))
                .orderBy(READING_OUTCOME.RECORD_NO).limit(MAX_ERRORS).fetch();
        List<Long> contextLines = new ArrayList<>();
        Long schemaLine = null;
        if (feed.getRejectionMessage() != null && "SCHEMA_VIOLATION".equals(feed.getRejectionCode())) {
            Matcher m = SCHEMA_LINE.matcher(feed.getRejectionMessage());
            if (m.find()) {
                schemaLine = Long.parseLong(m.group(1));
                contextLines.add(schemaLine);
            }
        }
        outcomes.stream().limit(MAX_CONTEXTS).forEach(o -> contextLines.add(o.getLineNo().longValue()));
        Map<Long, String> lines;
        try {
            lines = RawContext.lines(() -> raw.open(feed), contextLines);
        } catch (ResponseStatusException e) { // the bytes are not stored (a feed from before they moved)
            lines = Map.of();
        }
        if (schemaLine != null) {
            model.addAttribute("schemaContext", RawContext.around(lines, schemaLine, null, csv));
        }
        int i = 0;
        for (var o : outcomes) {
            List<RawContext.Line> context = i++ < MAX_CONTEXTS ? RawContext.around(lines, o.getLineNo(),
                    RawContext.offendingField(o.getCode(), o.getMessage()), csv) : List.of();
            errors.add(new ErrorView(o.getRecordNo(), o.getLineNo().longValue(), o.getCode(), o.getSystemId(), o.getMeterSerial(),
                    o.getReadAt(), o.getRegisterKwh(), o.getMessage(), context));
        }
        model.addAttribute("errors", errors);
        model.addAttribute("errorTotal", dsl.fetchCount(READING_OUTCOME, READING_OUTCOME.FEED_ID.eq(feedId)));
        model.addAttribute("flagged", dsl.selectFrom(READING).where(READING.FEED_ID.eq(feedId), READING.FLAG.isNotNull(),
                        undecided()).orderBy(READING.RECORD_NO, READING.LINE_NO).limit(MAX_ERRORS).fetch());
        model.addAttribute("decisions", dsl.selectFrom(FLAG_DECISION).where(FLAG_DECISION.FEED_ID.eq(feedId))
                .orderBy(FLAG_DECISION.DECIDED_AT).fetch());
        model.addAttribute("history", dsl.selectFrom(OPS_ACTION)
                .where(OPS_ACTION.FEED_ID.eq(feedId).or(OPS_ACTION.FEED_ID.eq(feed.getReprocessOf())))
                .orderBy(OPS_ACTION.AT).fetch());
        // Reprocess requests of this feed, with how far the one running has come.
        model.addAttribute("reprocesses", dsl.select(DELIVERY.DELIVERY_ID, DELIVERY.STATE, DELIVERY.FEED_ID,
                        DELIVERY.ATTEMPTS, DELIVERY.LAST_ERROR, DELIVERY.REQUESTED_BY, DELIVERY_PROGRESS.RECORDS_READ,
                        DELIVERY_PROGRESS.RECORDS_JUDGED)
                .from(DELIVERY).leftJoin(DELIVERY_PROGRESS).on(DELIVERY_PROGRESS.DELIVERY_ID.eq(DELIVERY.DELIVERY_ID))
                .where(DELIVERY.REPROCESS_OF.eq(feedId)).orderBy(DELIVERY.DELIVERY_ID).fetchMaps());
        model.addAttribute("canReprocess", feed.getSupersededBy() == null
                && (feed.getStatus().equals("REJECTED") || feed.getStatus().equals("PARTIALLY_ACCEPTED")));
        model.addAttribute("canDismiss", feed.getSupersededBy() == null && feed.getDismissedAt() == null
                && (feed.getStatus().equals("REJECTED") || feed.getStatus().equals("PARTIALLY_ACCEPTED")));
        return "ops/feed";
    }

    @GetMapping("/ops/feeds/{feedId}/raw")
    void raw(@PathVariable long feedId, HttpServletResponse response) throws IOException {
        raw.download(find(feedId), response);
    }

    @GetMapping("/ops/feeds/{feedId}/receipt")
    void receipt(@PathVariable long feedId, HttpServletResponse response) throws IOException {
        find(feedId);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        receipts.write(feedId, response.getOutputStream());
    }

    // ---- actions (OPS only, CSRF-protected forms) ----

    @PostMapping("/ops/feeds/{feedId}/reprocess")
    String reprocess(@PathVariable long feedId, @RequestParam String reason, Authentication who,
            RedirectAttributes flash) throws IOException {
        try {
            FeedReview.Reprocessed r = review.reprocess(feedId, who.getName(), reason);
            flash.addFlashAttribute("notice", "Reprocess requested (delivery " + r.deliveryId() + "); this page shows "
                    + "its progress and links the new feed when it is judged");
        } catch (FeedReview.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/feeds/" + feedId;
    }

    @PostMapping("/ops/deliveries/{deliveryId}/retry")
    String retryDelivery(@PathVariable long deliveryId, @RequestParam String reason, Authentication who,
            RedirectAttributes flash) {
        try {
            review.retryDelivery(deliveryId, who.getName(), reason);
            flash.addFlashAttribute("notice", "Delivery " + deliveryId + " will be tried again now");
        } catch (FeedReview.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/review";
    }

    @PostMapping("/ops/deliveries/{deliveryId}/discard")
    String discardDelivery(@PathVariable long deliveryId, @RequestParam String reason, Authentication who,
            RedirectAttributes flash) {
        try {
            review.discardDelivery(deliveryId, who.getName(), reason);
            flash.addFlashAttribute("notice", "Delivery " + deliveryId + " discarded");
        } catch (FeedReview.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/review";
    }

    @PostMapping("/ops/feeds/{feedId}/dismiss")
    String dismiss(@PathVariable long feedId, @RequestParam String reason, Authentication who, RedirectAttributes flash) {
        try {
            review.dismiss(feedId, who.getName(), reason);
            flash.addFlashAttribute("notice", "Feed " + feedId + " dismissed");
        } catch (FeedReview.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/feeds/" + feedId;
    }

    @PostMapping("/ops/readings/decide")
    String decide(@RequestParam long feedId, @RequestParam String systemId, @RequestParam String meterSerial,
            @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime readAt, @RequestParam FeedReview.Decision decision, @RequestParam String reason,
            Authentication who, RedirectAttributes flash) {
        try {
            review.decide(new FeedReview.ReadingKey(systemId, meterSerial, readAt), decision, who.getName(), reason);
            flash.addFlashAttribute("notice", "Reading " + systemId + " " + readAt + " " + decision.name().toLowerCase());
        } catch (FeedReview.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/feeds/" + feedId;
    }

    @GetMapping("/ops/review")
    String reviewQueue(Model model) {
        model.addAttribute("flags", dsl.fetch(pendingFlags()).intoMaps());
        model.addAttribute("feeds", dsl.selectFrom(FEED).where(needsReview()).orderBy(FEED.FEED_ID.desc()).limit(PAGE)
                .fetch());
        model.addAttribute("deliveries", deliveriesNeedingOps());
        return "ops/review";
    }

    // ---- registry ----

    @GetMapping("/ops/providers")
    String providers(@RequestParam(required = false) String q, Model model) {
        Condition where = q == null || q.isBlank() ? DSL.noCondition()
                : PROVIDER.PROVIDER_ID.containsIgnoreCase(q.strip()).or(PROVIDER.NAME.containsIgnoreCase(q.strip()));
        model.addAttribute("q", q);
        model.addAttribute("providers", dsl.selectFrom(PROVIDER).where(where).orderBy(PROVIDER.PROVIDER_ID).limit(200).fetch());
        return "ops/providers";
    }

    @GetMapping("/ops/providers/{providerId}")
    String provider(@PathVariable String providerId, Model model) {
        var provider = dsl.fetchOne(PROVIDER, PROVIDER.PROVIDER_ID.eq(providerId));
        if (provider == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no provider " + providerId);
        }
        model.addAttribute("provider", provider);
        model.addAttribute("statuses", dsl.selectFrom(PROVIDER_STATUS).where(PROVIDER_STATUS.PROVIDER_ID.eq(providerId))
                .orderBy(PROVIDER_STATUS.EFFECTIVE_FROM).fetch());
        model.addAttribute("designations", dsl.selectFrom(DESIGNATION).where(DESIGNATION.PROVIDER_ID.eq(providerId))
                .orderBy(DESIGNATION.SYSTEM_ID, DESIGNATION.EFFECTIVE_FROM).limit(500).fetch());
        model.addAttribute("feeds", dsl.selectFrom(FEED).where(FEED.PROVIDER_ID.eq(providerId))
                .orderBy(FEED.FEED_ID.desc()).limit(20).fetch());
        return "ops/provider";
    }

    @GetMapping("/ops/systems")
    String systems(@RequestParam(required = false) String q, Model model) {
        Condition where = q == null || q.isBlank() ? DSL.noCondition()
                : PTS_SYSTEM.SYSTEM_ID.containsIgnoreCase(q.strip()).or(PTS_SYSTEM.OWNER_NAME.containsIgnoreCase(q.strip()));
        model.addAttribute("q", q);
        model.addAttribute("systems", dsl.selectFrom(PTS_SYSTEM).where(where).orderBy(PTS_SYSTEM.SYSTEM_ID).limit(200).fetch());
        return "ops/systems";
    }

    /** Answers "why was this NOT_DESIGNATED_REPORTER": who was designated when, and what each provider sent. */
    @GetMapping("/ops/systems/{systemId}")
    String system(@PathVariable String systemId, Model model) {
        var system = dsl.fetchOne(PTS_SYSTEM, PTS_SYSTEM.SYSTEM_ID.eq(systemId));
        model.addAttribute("systemId", systemId);
        model.addAttribute("system", system);
        model.addAttribute("designations", dsl.selectFrom(DESIGNATION).where(DESIGNATION.SYSTEM_ID.eq(systemId))
                .orderBy(DESIGNATION.EFFECTIVE_FROM).fetch());
        model.addAttribute("readings", dsl.selectFrom(READING).where(READING.SYSTEM_ID.eq(systemId))
                .orderBy(READING.READ_AT.desc()).limit(24).fetch());
        model.addAttribute("outcomes", dsl.select(READING_OUTCOME.FEED_ID, READING_OUTCOME.LINE_NO, READING_OUTCOME.CODE,
                        READING_OUTCOME.READ_AT, READING_OUTCOME.MESSAGE, FEED.PROVIDER_ID, READING_OUTCOME.RECORD_NO)
                .from(READING_OUTCOME).join(FEED).on(FEED.FEED_ID.eq(READING_OUTCOME.FEED_ID))
                .where(READING_OUTCOME.SYSTEM_ID.eq(systemId))
                .orderBy(READING_OUTCOME.FEED_ID.desc(), READING_OUTCOME.RECORD_NO).limit(50)
                .fetch(r -> Map.of("feedId", r.value1(), "record", r.value7(), "line", r.value2(), "code", r.value3(),
                        "readAt", String.valueOf(r.value4()), "message", r.value5(), "provider", r.value6())));
        return "ops/system";
    }

    private FeedRecord find(long feedId) {
        FeedRecord feed = dsl.fetchOne(FEED, FEED.FEED_ID.eq(feedId));
        if (feed == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "feed " + feedId + " does not exist");
        }
        return feed;
    }
}
