package org.ptsingest.service.web;

import java.io.File;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.routes.IngestFeedRoute;
import org.springframework.stereotype.Component;

/**
 * How the HTTP endpoints hand a delivery to the ingest route and read what became of it, in one place:
 * the typed result, and the rendered receipt when the delivery was judged.
 */
@Component
public class FeedGateway {

    /** @param receipt the rendered JSON receipt (a work file the caller removes), null when not judged */
    public record Delivered(FeedResult result, File receipt) {}

    /**
     * The delivery could not even be recorded (the database is unreachable): the provider sends it
     * again; answered 503 with {@code Retry-After}.
     */
    public static final class NotRecorded extends RuntimeException {
        NotRecorded(Throwable cause) {
            super("the delivery could not be recorded now (" + cause.getMessage() + "); send it again", cause);
        }
    }

    private final ProducerTemplate camel;

    FeedGateway(ProducerTemplate camel) {
        this.camel = camel;
    }

    public Delivered deliver(FeedDelivery delivery) throws Exception {
        Exchange done = camel.request(IngestFeedRoute.ENDPOINT, e -> e.getMessage().setBody(delivery));
        if (done.getException() != null) {
            Exception e = done.getException();
            if (e instanceof org.springframework.web.server.ResponseStatusException
                    || e instanceof org.ptsingest.pipeline.DeliveryIdentityConflict) {
                throw e;
            }
            throw new NotRecorded(e);
        }
        FeedResult result = done.getMessage().getHeader(IngestFeedRoute.RESULT, FeedResult.class);
        return new Delivered(result, result.isJudged() || result.dryRunReceipt() != null
                ? done.getMessage().getBody(File.class) : null);
    }
}
