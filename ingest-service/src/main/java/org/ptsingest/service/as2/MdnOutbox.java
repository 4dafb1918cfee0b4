package org.ptsingest.service.as2;

import static org.ptsingest.service.persistence.jooq.Tables.AS2_ASYNC_MDN;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.as2.As2Partners.Partner;
import org.ptsingest.service.persistence.jooq.tables.records.As2AsyncMdnRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Asynchronous MDNs, kept in PostgreSQL until the partner's URL took them (HTTP 2xx). A due MDN is
 * leased ({@code FOR UPDATE SKIP LOCKED}, then its next attempt moved past the post's time-outs) while it is sent,
 * so several instances share the work and none sends one twice at once; a failure waits {@code mdn-first-retry}, doubling up to
 * {@code mdn-max-retry-interval}, and after {@code mdn-give-up-after} the MDN is abandoned with an
 * ERROR log (ops can see it in {@code as2_async_mdn}). Each partner's MDNs are posted on a thread of their own,
 * one after the other: a partner whose URL takes the whole time-out to fail delays its own MDNs, not another's.
 */
public class MdnOutbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MdnOutbox.class);
    /** Longer than a post may take (10 s to connect, 30 s for the answer): an MDN being posted is not due. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    /** The most MDNs one partner's sender posts before it lets the next poll look again. */
    private static final int PER_TURN = 100;

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final IngestProperties.As2 settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    /** Partners (providers) whose sender is running: at most one each. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("as2-mdn-sender-", 0).factory());

    public MdnOutbox(DSLContext dsl, TransactionTemplate tx, IngestProperties properties) {
        this.dsl = dsl;
        this.tx = tx;
        this.settings = properties.as2();
    }

    /** The longest Receipt-Delivery-Option used (what browsers and proxies commonly take); it is logged and stored. */
    static final int MAX_URL = 2_048;

    /**
     * Only http(s) URLs with a host, of at most {@value #MAX_URL} characters, are used; anything else is answered
     * synchronously instead.
     */
    static boolean usableUrl(String url) {
        if (url.length() > MAX_URL) {
            return false;
        }
        try {
            URI uri = URI.create(url.trim());
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Queues the MDN of a message. The same Message-ID again (the partner did not hear from us) sends
     * the MDN stored the first time once more, to the URL the partner names now.
     */
    void enqueue(Partner partner, String url, As2Mdns.Mdn mdn) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        dsl.insertInto(AS2_ASYNC_MDN)
                .set(AS2_ASYNC_MDN.PROVIDER_ID, partner.providerId())
                .set(AS2_ASYNC_MDN.ORIGINAL_MESSAGE_ID, mdn.originalMessageId())
                .set(AS2_ASYNC_MDN.MDN_MESSAGE_ID, mdn.mdnMessageId())
                .set(AS2_ASYNC_MDN.AS2_TO, partner.as2Id())
                .set(AS2_ASYNC_MDN.URL, url)
                .set(AS2_ASYNC_MDN.DISPOSITION, mdn.disposition())
                .set(AS2_ASYNC_MDN.CONTENT_TYPE, mdn.contentType())
                .set(AS2_ASYNC_MDN.BODY, mdn.body())
                .set(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT, now)
                .onConflict(AS2_ASYNC_MDN.PROVIDER_ID, AS2_ASYNC_MDN.ORIGINAL_MESSAGE_ID).doUpdate()
                .set(AS2_ASYNC_MDN.URL, url)
                .set(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT, now)
                .set(AS2_ASYNC_MDN.DELIVERED_AT, (OffsetDateTime) null)
                .set(AS2_ASYNC_MDN.GAVE_UP_AT, (OffsetDateTime) null)
                .set(AS2_ASYNC_MDN.CREATED_AT, now)
                .execute();
        log.info("asynchronous MDN for {} queued for {}", mdn.originalMessageId(), url);
    }

    /**
     * Starts a sender for every partner with an MDN due and no sender running, and returns: each posts its
     * partner's due MDNs one after the other until none is due, one fails (it waits its back-off) or it has posted
     * {@value #PER_TURN}.
     */
    public void deliverDue() {
        for (String partner : dsl.selectDistinct(AS2_ASYNC_MDN.PROVIDER_ID).from(AS2_ASYNC_MDN).where(due())
                .fetch(AS2_ASYNC_MDN.PROVIDER_ID)) {
            if (sending.add(partner)) {
                try {
                    senders.execute(() -> {
                        try {
                            deliverDue(partner);
                        } catch (RuntimeException e) { // the database, most likely: the next poll tries again
                            log.warn("asynchronous MDNs for {} not sent now: {}", partner, e.getMessage());
                        } finally {
                            sending.remove(partner);
                        }
                    });
                } catch (RejectedExecutionException e) { // shutting down
                    sending.remove(partner);
                }
            }
        }
    }

    private void deliverDue(String partner) {
        for (int i = 0; i < PER_TURN; i++) {
            if (!Boolean.TRUE.equals(deliverOne(partner))) {
                return; // none due, or the partner did not take it: its back-off says when to try again
            }
        }
    }

    private static org.jooq.Condition due() {
        return AS2_ASYNC_MDN.DELIVERED_AT.isNull().and(AS2_ASYNC_MDN.GAVE_UP_AT.isNull())
                .and(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT.le(DSL.currentOffsetDateTime()));
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }

    /**
     * null when nothing of the partner's was due; else whether the partner took it. The MDN is leased (its next
     * attempt moved past the post's time-outs) in one short transaction and its outcome recorded in another: no
     * database connection waits on a partner's URL. An instance that dies mid-post leaves the lease to run out, and
     * the MDN is posted again (a partner may get an MDN twice, never none).
     */
    private Boolean deliverOne(String partner) {
        OffsetDateTime lease = OffsetDateTime.now(ZoneOffset.UTC).plus(LEASE).truncatedTo(ChronoUnit.MICROS);
        As2AsyncMdnRecord mdn = tx.execute(status -> {
            As2AsyncMdnRecord due = dsl.selectFrom(AS2_ASYNC_MDN)
                    .where(due(), AS2_ASYNC_MDN.PROVIDER_ID.eq(partner))
                    .orderBy(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT)
                    .limit(1)
                    .forUpdate().skipLocked()
                    .fetchOne();
            if (due != null) {
                dsl.update(AS2_ASYNC_MDN).set(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT, lease)
                        .where(AS2_ASYNC_MDN.MDN_ID.eq(due.getMdnId())).execute();
            }
            return due;
        });
        if (mdn == null) {
            return null;
        }
        String error = post(mdn);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        int attempts = mdn.getAttempts() + 1;
        var outcome = dsl.update(AS2_ASYNC_MDN).set(AS2_ASYNC_MDN.ATTEMPTS, attempts)
                .set(AS2_ASYNC_MDN.LAST_ERROR, error);
        if (error == null) {
            outcome = outcome.set(AS2_ASYNC_MDN.DELIVERED_AT, now);
            log.info("asynchronous MDN for {} delivered to {} (attempt {})", mdn.getOriginalMessageId(), mdn.getUrl(),
                    attempts);
        } else if (Duration.between(mdn.getCreatedAt(), now).compareTo(settings.mdnGiveUpAfter()) > 0) {
            outcome = outcome.set(AS2_ASYNC_MDN.GAVE_UP_AT, now);
            log.error("asynchronous MDN for {} to {} abandoned after {} attempts: {}", mdn.getOriginalMessageId(),
                    mdn.getUrl(), attempts, error);
        } else {
            Duration wait = backoff(settings.mdnFirstRetry(), settings.mdnMaxRetryInterval(), attempts);
            outcome = outcome.set(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT, now.plus(wait));
            log.warn("asynchronous MDN for {} to {} failed (attempt {}), next try in {}: {}",
                    mdn.getOriginalMessageId(), mdn.getUrl(), attempts, wait, error);
        }
        // Unless the same Message-ID came again meanwhile (enqueue moved the attempt to now, maybe to another URL):
        // then that request stands, and is posted next.
        outcome.where(AS2_ASYNC_MDN.MDN_ID.eq(mdn.getMdnId()), AS2_ASYNC_MDN.NEXT_ATTEMPT_AT.eq(lease)).execute();
        return error == null;
    }

    static Duration backoff(Duration first, Duration max, int attempts) {
        Duration wait = first.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 20));
        return wait.compareTo(max) > 0 ? max : wait;
    }

    /** null when the partner answered 2xx, else what went wrong. */
    private String post(As2AsyncMdnRecord mdn) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(mdn.getUrl()))
                .timeout(Duration.ofSeconds(30))
                .header("AS2-Version", "1.1")
                .header("AS2-From", settings.as2Id())
                .header("AS2-To", mdn.getAs2To())
                .header("Message-ID", mdn.getMdnMessageId())
                .header("Subject", "Asynchronous MDN for " + mdn.getOriginalMessageId())
                .header("MIME-Version", "1.0")
                // RFC 4130 §7.2 asks for Date on AS2 messages, MDNs included; the attempt's time, not the MDN's.
                .header("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
                .header("Content-Type", mdn.getContentType())
                .header("User-Agent", "PTS-DAS-ingestion")
                .POST(HttpRequest.BodyPublishers.ofByteArray(mdn.getBody()))
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }
}
