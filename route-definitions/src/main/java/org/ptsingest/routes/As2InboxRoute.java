package org.ptsingest.routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.pipeline.DeliveryNotJudged;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * AS2 channel: a partner's signed, encrypted message → feed pipeline → MDN. Camel's AS2 server
 * decrypts and answers the MDN; who the sender is, whether its signature verifies against its own
 * registered certificate and what the MDN says are decided by the service ({@value #MESSAGES} bean,
 * and the admission check in front of the component, which refuses a message before it gets here).
 * A delivery that could not be judged (retried after a failure that is not the message's) answers 503
 * without an MDN, so the partner sends again, and the same Message-ID is then answered with what the
 * delivery became; a quarantined one gets a negative MDN. A delivery that could not even be recorded
 * (database down) answers 500 without an MDN.
 */
@Component
@ConditionalOnProperty(name = "ingest.as2.enabled", havingValue = "true", matchIfMissing = true)
public class As2InboxRoute extends RouteBuilder {
    public static final String ROUTE_ID = "as2-inbox";
    /** Bean with {@code delivery(Exchange)} (admitted message → FeedDelivery) and {@code disposition(Exchange)}. */
    public static final String MESSAGES = "as2Messages";

    private final IngestProperties properties;

    public As2InboxRoute(IngestProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        // A delivery that is not judged (FAILED, QUARANTINED) leaves the route for the door's answer (503, or
        // a negative MDN); the delivery's own record and log line say why, so no error is logged here.
        onException(DeliveryNotJudged.class).handled(false).logExhausted(false).logStackTrace(false);

        from(As2Endpoints.inbox(properties)).routeId(ROUTE_ID)
                .bean(MESSAGES, "delivery").id("as2-to-delivery")
                .log(LoggingLevel.INFO, "AS2 message ${body.key} from ${body.providerId} (${body.format})")
                .to(IngestFeedRoute.ENDPOINT).id("as2-ingest")
                .bean(MESSAGES, "disposition").id("as2-disposition")
                .log(LoggingLevel.INFO, "AS2 feed ${header.ptsFeedId}: ${header.ptsFeedStatus}");
    }
}
