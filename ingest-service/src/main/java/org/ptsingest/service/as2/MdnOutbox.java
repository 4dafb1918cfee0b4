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
 * locked ({@code FOR UPDATE SKIP LOCKED}) while it is sent, so several instances share the work and
 * none sends one twice at once; a failure waits {@code mdn-first-retry}, doubling up to
 * {@code mdn-max-retry-interval}, and after {@code mdn-give-up-after} the MDN is abandoned with an
 * ERROR log (ops can see it in {@code as2_async_mdn}).
 */
public class MdnOutbox {
    private static final Logger log = LoggerFactory.getLogger(MdnOutbox.class);

    private final DSLContext dsl;
    private final TransactionTemplate tx;
    private final IngestProperties.As2 settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

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

    /** Sends due MDNs until none is due; returns how many were delivered. */
    public int deliverDue() {
        int delivered = 0;
        for (int i = 0; i < 100; i++) {
            Boolean sent = tx.execute(status -> deliverOne());
            if (sent == null) {
                break;
            }
            if (sent) {
                delivered++;
            }
        }
        return delivered;
    }

    /** null when nothing was due; else whether the partner took it. */
    private Boolean deliverOne() {
        As2AsyncMdnRecord mdn = dsl.selectFrom(AS2_ASYNC_MDN)
                .where(AS2_ASYNC_MDN.DELIVERED_AT.isNull(), AS2_ASYNC_MDN.GAVE_UP_AT.isNull(),
                        AS2_ASYNC_MDN.NEXT_ATTEMPT_AT.le(DSL.currentOffsetDateTime()))
                .orderBy(AS2_ASYNC_MDN.NEXT_ATTEMPT_AT)
                .limit(1)
                .forUpdate().skipLocked()
                .fetchOne();
        if (mdn == null) {
            return null;
        }
        String error = post(mdn);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        mdn.setAttempts(mdn.getAttempts() + 1);
        if (error == null) {
            mdn.setDeliveredAt(now);
            mdn.setLastError(null);
            log.info("asynchronous MDN for {} delivered to {} (attempt {})", mdn.getOriginalMessageId(), mdn.getUrl(),
                    mdn.getAttempts());
        } else if (Duration.between(mdn.getCreatedAt(), now).compareTo(settings.mdnGiveUpAfter()) > 0) {
            mdn.setGaveUpAt(now);
            mdn.setLastError(error);
            log.error("asynchronous MDN for {} to {} abandoned after {} attempts: {}", mdn.getOriginalMessageId(),
                    mdn.getUrl(), mdn.getAttempts(), error);
        } else {
            Duration wait = backoff(settings.mdnFirstRetry(), settings.mdnMaxRetryInterval(), mdn.getAttempts());
            mdn.setNextAttemptAt(now.plus(wait));
            mdn.setLastError(error);
            log.warn("asynchronous MDN for {} to {} failed (attempt {}), next try in {}: {}",
                    mdn.getOriginalMessageId(), mdn.getUrl(), mdn.getAttempts(), wait, error);
        }
        mdn.store();
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
