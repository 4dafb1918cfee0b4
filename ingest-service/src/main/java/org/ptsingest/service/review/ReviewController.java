package org.ptsingest.service.review;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The ops review actions on the API (the console posts the same actions as forms). */
@RestController
class ReviewController {
    private final FeedReview review;

    ReviewController(FeedReview review) {
        this.review = review;
    }

    /**
     * Body {@code {"reason": "..."}}; answers 202 at once with the delivery that will judge the feed again
     * (poll it: 202 while it runs, then the new feed's receipt).
     */
    @PostMapping("/api/v1/feeds/{feedId}/reprocess")
    ResponseEntity<Map<String, Object>> reprocess(@PathVariable long feedId, @RequestBody Map<String, String> body,
            Authentication who) throws IOException {
        FeedReview.Reprocessed r = review.reprocess(feedId, who.getName(), body.get("reason"));
        String poll = "/api/v1/deliveries/" + r.deliveryId();
        return ResponseEntity.accepted().header("Location", poll)
                .body(Map.of("delivery_id", r.deliveryId(), "state", "RECEIVED", "reprocess_of", feedId, "poll", poll));
    }

    /** Body {@code {"reason": "..."}}: a FAILED or QUARANTINED delivery is due again at once, attempts from zero. */
    @PostMapping("/api/v1/deliveries/{deliveryId}/retry")
    Map<String, Object> retry(@PathVariable long deliveryId, @RequestBody Map<String, String> body, Authentication who) {
        review.retryDelivery(deliveryId, who.getName(), body.get("reason"));
        return Map.of("delivery_id", deliveryId, "state", "FAILED", "poll", "/api/v1/deliveries/" + deliveryId);
    }

    /** Body {@code {"reason": "..."}}: a FAILED or QUARANTINED delivery is given up, with the reason. */
    @PostMapping("/api/v1/deliveries/{deliveryId}/discard")
    Map<String, Object> discard(@PathVariable long deliveryId, @RequestBody Map<String, String> body,
            Authentication who) {
        review.discardDelivery(deliveryId, who.getName(), body.get("reason"));
        return Map.of("delivery_id", deliveryId, "state", "DISCARDED");
    }

    @PostMapping("/api/v1/feeds/{feedId}/dismiss")
    Map<String, Object> dismiss(@PathVariable long feedId, @RequestBody Map<String, String> body, Authentication who) {
        review.dismiss(feedId, who.getName(), body.get("reason"));
        return Map.of("feed_id", feedId, "dismissed", true);
    }

    /** Body {@code {"system_id", "meter_serial", "read_at", "decision": "APPROVED"|"REJECTED", "reason"}}. */
    @PostMapping("/api/v1/flagged-readings/decision")
    Map<String, Object> decide(@RequestBody Map<String, String> body, Authentication who) {
        FeedReview.ReadingKey key = new FeedReview.ReadingKey(body.get("system_id"), body.get("meter_serial"),
                OffsetDateTime.parse(body.get("read_at")));
        FeedReview.Decision decision = FeedReview.Decision.valueOf(body.get("decision"));
        review.decide(key, decision, who.getName(), body.get("reason"));
        return Map.of("reading", key.toString(), "decision", decision.name());
    }

    @ExceptionHandler(FeedReview.Refused.class)
    ProblemDetail refused(FeedReview.Refused e) {
        return ProblemDetail.forStatusAndDetail(e.notFound() ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT,
                e.getMessage());
    }

    @ExceptionHandler({IllegalArgumentException.class, java.time.format.DateTimeParseException.class,
        NullPointerException.class})
    ProblemDetail badRequest(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "system_id, meter_serial, read_at (ISO-8601 with offset), decision (APPROVED or REJECTED) and reason "
                        + "are required");
    }
}
