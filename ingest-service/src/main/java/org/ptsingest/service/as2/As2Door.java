package org.ptsingest.service.as2;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.as2.AS2Consumer;
import org.apache.camel.component.as2.api.AS2Header;
import org.apache.camel.component.as2.api.entity.AS2DispositionModifier;
import org.apache.camel.component.as2.api.protocol.ResponseMDN;
import org.apache.camel.component.as2.api.util.HttpMessageUtils;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Echo;
import org.ptsingest.pipeline.DeliveryIdentityConflict;
import org.ptsingest.pipeline.DeliveryNotJudged;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.routes.As2InboxRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in front of Camel's AS2 consumer on the AS2 path. Camel 4.17's server answers some refusals
 * with HTTP 500 and no MDN (an unsigned {@code application/xml} payload inside the envelope, for
 * one), checks no sender identity, and sends asynchronous MDNs once, without retry. So every message
 * first goes through {@link As2Admission}; a refused one gets a negative MDN straight away
 * ({@code processed/error: <modifier>}), an admitted one goes on to the route, and its outcome sets
 * the MDN's disposition and text. Every MDN is built by {@link As2Mdns}, not by the component: a
 * synchronous one is this response's body, an asynchronous one of an admitted message is queued in
 * {@link MdnOutbox} and the response is 200 with no body.
 */
public final class As2Door implements HttpRequestHandler {
    private static final Logger log = LoggerFactory.getLogger(As2Door.class);
    /** The MDN's error modifier for a Message-ID reused with other content (RFC 4130 free-text error). */
    static final String DUPLICATE_MESSAGE_ID = "duplicate-message-id";
    /** A message recorded but quarantined (or discarded) by ops: RFC 4130 names no better modifier. */
    static final String UNEXPECTED_PROCESSING_ERROR = "unexpected-processing-error";

    private final As2Admission admission;
    private final AS2Consumer consumer;
    private final As2Mdns mdns;
    private final MdnOutbox outbox;
    private final IngestProperties properties;
    private final MeterRegistry meters;

    As2Door(As2Admission admission, AS2Consumer consumer, As2Mdns mdns, MdnOutbox outbox, IngestProperties properties,
            MeterRegistry meters) {
        this.meters = meters;
        this.admission = admission;
        this.consumer = consumer;
        this.mdns = mdns;
        this.outbox = outbox;
        this.properties = properties;
    }

    /** Puts a door in front of the running AS2 route's consumer (the component registers it by path). */
    static void install(CamelContext camel, As2Admission admission, As2Mdns mdns, MdnOutbox outbox,
            IngestProperties properties, MeterRegistry meters) {
        Route route = camel.getRoute(As2InboxRoute.ROUTE_ID);
        if (route == null || !(route.getConsumer() instanceof AS2Consumer consumer)) {
            throw new IllegalStateException("AS2 route " + As2InboxRoute.ROUTE_ID + " is not running");
        }
        var server = consumer.getEndpoint().getAS2ServerConnection();
        server.listen(properties.as2().path(), new As2Door(admission, consumer, mdns, outbox, properties, meters));
        // HttpCore answers a path nobody listens on with 501 Not Implemented; it is a 404. The AS2 path is
        // an exact pattern and wins over this catch-all.
        server.listen("*", As2Door::notFound);
        As2HttpService.install(server, properties.as2().readTimeout(), properties.as2().maxMessageSize().toBytes(),
                properties.as2().maxConcurrentMessages(), properties.as2().maxConcurrentPerPartner());
        log.info("AS2 endpoint {} listening as {}", properties.as2().url(), properties.as2().as2Id());
    }

    @Override
    public void handle(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
            throws HttpException, IOException {
        if (!Method.POST.isSame(request.getMethod())) {
            // AS2 messages are POSTed (RFC 4130 §5.1); anything else is not a message to refuse with an MDN.
            request.removeHeaders(AS2Header.DISPOSITION_NOTIFICATION_TO);
            response.setCode(HttpStatus.SC_METHOD_NOT_ALLOWED);
            response.setHeader(HttpHeaders.ALLOW, Method.POST.name());
            response.setEntity(new StringEntity("AS2 messages are POSTed to this path\n", ContentType.TEXT_PLAIN));
            return;
        }
        utf8Header(request, AS2Header.MESSAGE_ID);
        utf8Header(request, AS2Header.SUBJECT);
        // As logged and quoted back: a header can be of any length and hold control characters.
        String messageId = Echo.message(HttpMessageUtils.getHeaderValue(request, AS2Header.MESSAGE_ID),
                As2Admission.MAX_DETAIL);
        String from = Echo.message(HttpMessageUtils.getHeaderValue(request, AS2Header.AS2_FROM), As2Admission.MAX_DETAIL);
        As2Admission.Decision decision;
        try {
            decision = admission.judge(request, context.getAttribute(As2HttpService.BODY) instanceof byte[] body ? body
                    : null, Instant.now());
        } catch (RuntimeException e) { // the partner registry is unreachable (database down)
            log.error("AS2 message {} from {} could not be checked: {}", messageId, from, e.getMessage());
            throw new HttpException("AS2 message " + messageId + " cannot be processed now; send it again", e);
        }
        if (decision instanceof As2Admission.Refused refused) {
            log.warn("AS2 message {} from {} refused ({}): {}", messageId, from, refused.refusal(), refused.text());
            meters.counter("ingest_as2_refusals_total", "reason", refused.refusal().name()).increment();
            // A refused sender is not authenticated: it gets its MDN in this response, and the service
            // makes no outbound call to an address it named.
            request.removeHeaders(AS2Header.RECEIPT_DELIVERY_OPTION);
            response.setHeader("X-PTS-Outcome", "refused; " + refused.refusal().modifier());
            answer(request, response, modifier("error: " + refused.refusal().modifier()),
                    mdns.text(request, "refused: " + refused.text()), refused.signedPart(),
                    refused.partner() != null && refused.partner().legacyAlgorithmsAllowed());
            return;
        }
        As2Admission.Admitted admitted = (As2Admission.Admitted) decision;
        boolean legacy = admitted.partner().legacyAlgorithmsAllowed();
        context.setAttribute(As2Messages.ADMITTED, admitted);
        try {
            consumer.handle(request, response, context); // the route; throws (HTTP 500, no MDN) when it failed
        } catch (HttpException | RuntimeException e) {
            DeliveryNotJudged notJudged = causeOf(e, DeliveryNotJudged.class);
            if (notJudged != null) {
                notJudged(notJudged.result(), request, response, messageId, from, admitted.signedPart(), legacy);
                return;
            }
            DeliveryIdentityConflict conflict = causeOf(e, DeliveryIdentityConflict.class);
            if (conflict == null) {
                // HttpCore answers the exception's message as the 500's body: Camel's carries the failed SQL.
                log.error("AS2 message {} from {} was not processed, answered 500: {}", messageId, from, e.getMessage());
                throw new HttpException("AS2 message " + messageId + " could not be processed now; send it again "
                        + "with the same Message-ID");
            }
            // A Message-ID already received with other content: acknowledging it would vouch, in a signed
            // MDN, for content that was never kept. Refused; the first message's feed stands.
            log.warn("AS2 message {} from {} refused: {}", messageId, from, conflict.getMessage());
            meters.counter("ingest_as2_refusals_total", "reason", "DUPLICATE_MESSAGE_ID").increment();
            request.removeHeaders(AS2Header.RECEIPT_DELIVERY_OPTION);
            response.setHeader("X-PTS-Outcome", "refused; " + DUPLICATE_MESSAGE_ID);
            answer(request, response, modifier("error: " + DUPLICATE_MESSAGE_ID), mdns.text(request, "refused: this "
                    + "Message-ID was received before (delivery " + conflict.firstDeliveryId() + ") with other content; "
                    + "send new content under a new Message-ID"), admitted.signedPart(), legacy);
            return;
        } finally {
            if (context.getAttribute(As2Messages.CONTENT_FILE) instanceof Path content) {
                Files.deleteIfExists(content);
            }
        }
        if (!(context.getAttribute(As2Messages.OUTCOME) instanceof As2Outcome outcome)) {
            if (context.getAttribute(ResponseMDN.DISPOSITION_MODIFIER) instanceof AS2DispositionModifier refusal) {
                // the component refused it itself (AS2ErrorDispositionException) and said why
                request.removeHeaders(AS2Header.RECEIPT_DELIVERY_OPTION);
                answer(request, response, refusal, mdns.text(request, "refused: " + refusal), admitted.signedPart(),
                        legacy);
                return;
            }
            throw new HttpException("AS2 message " + messageId + " was not processed");
        }
        String receipt = properties.as2().receiptBaseUrl() + "/api/v1/feeds/" + outcome.feedId() + "/receipt";
        String summary = "feed " + outcome.feedId() + " " + outcome.status()
                + (outcome.rejectionCode() == null ? "" : " (" + outcome.rejectionCode() + ")")
                + (outcome.replay() ? ", already received under this Message-ID" : "")
                + "; receipt: " + receipt;
        response.setHeader("X-PTS-Feed-Id", Long.toString(outcome.feedId()));
        response.setHeader("X-PTS-Feed-Status", outcome.status().name());
        AS2DispositionModifier disposition = outcome.modifier() == null ? null : modifier(outcome.modifier());
        String text = mdns.text(request, summary);
        String asyncUrl = HttpMessageUtils.getHeaderValue(request, AS2Header.RECEIPT_DELIVERY_OPTION);
        if (asyncUrl != null && !MdnOutbox.usableUrl(asyncUrl)) {
            log.warn("AS2 message {}: Receipt-Delivery-Option {} is not an http(s) URL of at most "
                    + MdnOutbox.MAX_URL + " characters; MDN sent synchronously",
                    messageId, Echo.message(asyncUrl, As2Admission.MAX_DETAIL));
            request.removeHeaders(AS2Header.RECEIPT_DELIVERY_OPTION);
            asyncUrl = null;
        }
        if (asyncUrl != null && HttpMessageUtils.getHeaderValue(request, AS2Header.DISPOSITION_NOTIFICATION_TO) != null) {
            outbox.enqueue(admitted.partner(), asyncUrl.trim(),
                    mdns.build(request, disposition, text, admitted.signedPart(), legacy));
            // Nothing for the component to answer now: without this header it adds no MDN, sync or async.
            request.removeHeaders(AS2Header.DISPOSITION_NOTIFICATION_TO);
            return;
        }
        answer(request, response, disposition, text, admitted.signedPart(), legacy);
    }

    /**
     * The synchronous MDN, when one was asked for ({@code Disposition-Notification-To}), built by
     * {@link As2Mdns}; the component's own MDN code then stays out of it (it acts only on that header).
     */
    private void answer(ClassicHttpRequest request, ClassicHttpResponse response, AS2DispositionModifier modifier,
            String text, byte[] signedPart, boolean legacyAllowed) throws HttpException, IOException {
        if (HttpMessageUtils.getHeaderValue(request, AS2Header.DISPOSITION_NOTIFICATION_TO) == null) {
            return;
        }
        As2Mdns.Mdn mdn = mdns.build(request, modifier, text, signedPart, legacyAllowed);
        request.removeHeaders(AS2Header.DISPOSITION_NOTIFICATION_TO);
        String partner = HttpMessageUtils.getHeaderValue(request, AS2Header.AS2_FROM);
        String subject = HttpMessageUtils.getHeaderValue(request, AS2Header.SUBJECT);
        response.setHeader(AS2Header.MIME_VERSION, "1.0");
        response.setHeader(AS2Header.AS2_VERSION, "1.1");
        response.setHeader(AS2Header.AS2_FROM, properties.as2().as2Id());
        if (partner != null) {
            response.setHeader(AS2Header.AS2_TO, partner);
        }
        response.setHeader(AS2Header.MESSAGE_ID, mdn.mdnMessageId());
        response.setHeader(AS2Header.SUBJECT, subject == null ? "Your requested MDN" : "MDN Response To: " + subject);
        response.setHeader(AS2Header.CONTENT_TYPE, mdn.contentType());
        response.setEntity(new ByteArrayEntity(mdn.body(), null));
    }

    /**
     * HTTP header bytes reach us as ISO-8859-1 characters (HttpCore's default). A gateway that sends a
     * non-ASCII Message-ID sends UTF-8 (RFC 6532): decoded as such, it is stored, looked up
     * ({@code /api/v1/as2/receipt}) and echoed in the MDN as the partner wrote it. Bytes that are not
     * valid UTF-8 stay as they were read.
     */
    static void utf8Header(ClassicHttpRequest request, String name) {
        String value = HttpMessageUtils.getHeaderValue(request, name);
        if (value == null || value.chars().allMatch(c -> c < 0x80) || value.chars().anyMatch(c -> c > 0xff)) {
            return;
        }
        try {
            String decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1))).toString();
            request.setHeader(name, decoded);
        } catch (CharacterCodingException e) {
            // not UTF-8: kept as read
        }
    }

    /**
     * A message recorded but not judged. While it is retried (FAILED): 503 with {@code Retry-After} and no
     * MDN, so the partner sends it again (the same Message-ID finds the delivery, judged by then or not).
     * Once every attempt failed (QUARANTINED) or ops discarded it: a signed negative MDN,
     * {@code processed/error: unexpected-processing-error}, once per resend, instead of 500 for ever.
     */
    private void notJudged(FeedResult result, ClassicHttpRequest request, ClassicHttpResponse response,
            String messageId, String from, byte[] signedPart, boolean legacy) throws HttpException, IOException {
        request.removeHeaders(AS2Header.RECEIPT_DELIVERY_OPTION);
        if (result.state() == DeliveryState.FAILED || result.state() == DeliveryState.RECEIVED) {
            log.warn("AS2 message {} from {}: delivery {} not judged yet ({}); answered 503", messageId, from,
                    result.deliveryId(), result.error());
            request.removeHeaders(AS2Header.DISPOSITION_NOTIFICATION_TO);
            long retryAfter = result.nextAttemptAt() == null ? 1
                    : Math.max(1, java.time.Duration.between(Instant.now(), result.nextAttemptAt()).toSeconds() + 1);
            response.setCode(HttpStatus.SC_SERVICE_UNAVAILABLE);
            response.setHeader("Retry-After", Long.toString(retryAfter));
            response.setEntity(new StringEntity("AS2 message " + messageId + " could not be processed now (delivery "
                    + result.deliveryId() + "); send it again\n", ContentType.TEXT_PLAIN));
            return;
        }
        log.error("AS2 message {} from {}: delivery {} is {}; answered with a negative MDN", messageId, from,
                result.deliveryId(), result.state());
        meters.counter("ingest_as2_refusals_total", "reason", "UNEXPECTED_PROCESSING_ERROR").increment();
        response.setHeader("X-PTS-Outcome", "refused; " + UNEXPECTED_PROCESSING_ERROR);
        answer(request, response, modifier("error: " + UNEXPECTED_PROCESSING_ERROR), mdns.text(request,
                "not processed: delivery " + result.deliveryId() + " is " + result.state() + " after repeated failures "
                        + "that were not the message's fault; the operators have it. Do not resend; they will have it "
                        + "processed or discard it"), signedPart, legacy);
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static void notFound(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context) {
        response.setCode(HttpStatus.SC_NOT_FOUND);
        response.setEntity(new StringEntity("no AS2 endpoint at this path\n", ContentType.TEXT_PLAIN));
    }

    private static final Constructor<AS2DispositionModifier> MODIFIER;

    static {
        try {
            MODIFIER = AS2DispositionModifier.class.getDeclaredConstructor(String.class);
            MODIFIER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * RFC 4130 §7.4.3 allows any description after {@code error:}; Camel 4.17 only offers its fixed
     * list and {@code warning:}/{@code failure:} factories, so the rest (the feed's rejection code,
     * {@code unknown-trading-partner}) goes through its private constructor.
     */
    static AS2DispositionModifier modifier(String text) {
        try {
            return MODIFIER.newInstance(text);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
