package org.ptsingest.service.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedResult;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * How the HTTPS endpoints answer a delivery that has no feed (yet), in one form:
 * <ul>
 *   <li>FAILED (judging failed for a reason that is not the feed's; it is retried): 503 with
 *       {@code Retry-After} (seconds to the next attempt) and {@code Location} (the delivery's URL, which
 *       answers the receipt once it is judged, or says QUARANTINED);</li>
 *   <li>QUARANTINED (every attempt failed) or DISCARDED: 500 with the same body; ops have it;</li>
 *   <li>not even recorded (the database is unreachable): 503 with {@code Retry-After}; send it again.</li>
 * </ul>
 * The body is {@code {"delivery_id", "state", "attempts", "error", "next_attempt_at", "poll"}}.
 */
@RestControllerAdvice
class DeliveryAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Retry-After when nothing was recorded: about how long a database restart takes. */
    static final long NOT_RECORDED_RETRY_SECONDS = 30;

    static String url(long deliveryId) {
        return "/api/v1/deliveries/" + deliveryId;
    }

    static void notJudged(FeedResult result, HttpServletResponse response) throws IOException {
        boolean retrying = result.state() == DeliveryState.FAILED || result.state() == DeliveryState.RECEIVED;
        response.setStatus(retrying ? HttpStatus.SERVICE_UNAVAILABLE.value() : HttpStatus.INTERNAL_SERVER_ERROR.value());
        if (retrying) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds(result.nextAttemptAt())));
        }
        response.setHeader("Location", url(result.deliveryId()));
        writeState(response, result.deliveryId(), result.state().name(), null, result.error(), result.nextAttemptAt());
    }

    static long retryAfterSeconds(Instant nextAttempt) {
        if (nextAttempt == null) {
            return 1;
        }
        long seconds = Duration.between(Instant.now(), nextAttempt).toSeconds() + 1;
        return Math.max(1, seconds);
    }

    static void writeState(HttpServletResponse response, long deliveryId, String state, Integer attempts, String error,
            Instant nextAttempt) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("delivery_id", deliveryId);
        body.put("state", state);
        if (attempts != null) {
            body.put("attempts", attempts);
        }
        body.put("error", error);
        body.put("next_attempt_at", nextAttempt == null ? null : nextAttempt.toString());
        body.put("poll", url(deliveryId));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), body);
    }

    @ExceptionHandler(FeedGateway.NotRecorded.class)
    void notRecorded(FeedGateway.NotRecorded e, HttpServletResponse response) throws IOException {
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setHeader("Retry-After", Long.toString(NOT_RECORDED_RETRY_SECONDS));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 503);
        body.put("title", "Service Unavailable");
        body.put("detail", "the delivery could not be recorded now; nothing was kept; send it again");
        JSON.writeValue(response.getOutputStream(), body);
    }
}
