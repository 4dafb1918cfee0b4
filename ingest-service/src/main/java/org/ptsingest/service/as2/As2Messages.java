package org.ptsingest.service.as2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.component.as2.internal.AS2Constants;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.DeliveryNotJudged;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.routes.As2InboxRoute;
import org.ptsingest.routes.IngestFeedRoute;
import org.ptsingest.routes.ReceiptFiles;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The AS2 route's two steps: an admitted message (decided by {@link As2Admission} before the route,
 * see {@link As2Door}) becomes a {@link FeedDelivery}; the pipeline's result becomes the
 * {@link As2Outcome} the MDN reports.
 */
@Component(As2InboxRoute.MESSAGES)
@ConditionalOnProperty(name = "ingest.as2.enabled", havingValue = "true", matchIfMissing = true)
public class As2Messages {
    /** HTTP context attributes shared with {@link As2Door}. */
    static final String ADMITTED = "pts.as2.admitted";
    static final String CONTENT_FILE = "pts.as2.content";
    static final String OUTCOME = "pts.as2.outcome";

    private final Path uploads;
    private final ReceiptFiles receipts;

    public As2Messages(IngestProperties properties, ReceiptFiles receipts) {
        this.uploads = properties.workDir().resolve("as2");
        this.receipts = receipts;
    }

    public FeedDelivery delivery(Exchange exchange) throws IOException {
        HttpContext context = interchange(exchange);
        if (!(context.getAttribute(ADMITTED) instanceof As2Admission.Admitted admitted)) {
            // Fail closed: only messages the admission check let through may become feeds.
            throw new IllegalStateException("AS2 message reached the route without passing the admission check");
        }
        Files.createDirectories(uploads);
        Path content = Files.createTempFile(uploads, "as2-", ".payload");
        context.setAttribute(CONTENT_FILE, content);
        Files.write(content, admitted.payload());
        return new FeedDelivery(admitted.partner().providerId(), Channel.AS2, admitted.format(), admitted.fileName(),
                DeliveryKey.as2(admitted.partner().providerId(), admitted.messageId()), content, Instant.now(), false);
    }

    public void disposition(Exchange exchange) throws IOException {
        var in = exchange.getIn();
        FeedResult result = in.getHeader(IngestFeedRoute.RESULT, FeedResult.class);
        if (!result.isJudged()) {
            throw new DeliveryNotJudged(result); // the door answers it: 503 while retried, a negative MDN once quarantined
        }
        long feedId = in.getHeader(IngestFeedRoute.FEED_ID, Long.class);
        String code = in.getHeader(IngestFeedRoute.REJECTION_CODE, String.class);
        As2Outcome outcome = As2Outcome.of(feedId, FeedStatus.valueOf(in.getHeader(IngestFeedRoute.FEED_STATUS, String.class)),
                code == null || code.isEmpty() ? null : OutcomeCode.valueOf(code),
                Boolean.TRUE.equals(in.getHeader(IngestFeedRoute.RETRIED, Boolean.class)));
        interchange(exchange).setAttribute(OUTCOME, outcome);
        receipts.discard(feedId); // the receipt is fetched over HTTPS; the MDN says where
    }

    private static HttpContext interchange(Exchange exchange) {
        return exchange.getProperty(AS2Constants.AS2_INTERCHANGE, HttpContext.class);
    }
}
