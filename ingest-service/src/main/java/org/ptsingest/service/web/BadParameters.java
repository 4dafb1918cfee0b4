package org.ptsingest.service.web;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.ptsingest.feed.Echo;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * A query parameter or path segment that does not convert to what the endpoint takes, for the API and the
 * console alike: a 400 problem document that names the parameter, quotes the value (escaped, capped) and says
 * what it must be — for a code, every code it may be. Spring's own answer ("Failed to convert 'status' with
 * value: 'REJECT'") leaves a caller guessing; before these filters were typed, an unknown status or channel
 * was not refused at all and listed nothing, which reads as "no such feeds". A JSON body whose text holds a
 * NUL ({@link NulFreeJson}) is answered here too, naming the field.
 */
@ControllerAdvice
// before Spring Boot's ProblemDetailsExceptionHandler, which answers these too; after BrowserErrors (the console's pages)
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class BadParameters {

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    @ResponseBody
    ProblemDetail mismatch(MethodArgumentTypeMismatchException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, mismatchDetail(e));
    }

    /** "status: 'REJECT' is not one of …": the parameter, its value quoted, what it must be (also the console's). */
    static String mismatchDetail(MethodArgumentTypeMismatchException e) {
        Object value = e.getValue();
        return e.getName() + ": " + Echo.quote(value == null ? null : value.toString()) + " is not "
                + expected(e.getRequiredType());
    }

    /**
     * A body that is not JSON of the expected shape stays Spring's 400; a NUL in its text says which field, and
     * a missing body says so (Spring's words for it, "Failed to read request", sent people looking at their JSON).
     */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    @ResponseBody
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NulFreeJson.NulInText nul) {
                // the path is complete once the exception has unwound through the body's objects
                return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                        nul.field() + ": text holds a NUL character (\\u0000), which is not allowed");
            }
        }
        if (String.valueOf(e.getMessage()).startsWith("Required request body is missing")) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the request has no body, and needs one");
        }
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "Failed to read request");
    }

    /**
     * An Accept header a handler could not read. The problem's type is set here, not negotiated: negotiating it
     * would read the same header again and fail.
     */
    @ExceptionHandler(AcceptHeader.Unreadable.class)
    ResponseEntity<ProblemDetail> unreadableAccept(AcceptHeader.Unreadable e) {
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "Accept: " + Echo.quote(e.header())
                        + " is not a list of media types (" + Echo.escape(e.getMessage()) + ")"));
    }

    static String expected(Class<?> type) {
        if (type == null) {
            return "a value this parameter takes";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        if (type == int.class || type == Integer.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == long.class || type == Long.class) {
            return "a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == LocalDate.class) {
            return "a date (YYYY-MM-DD)";
        }
        if (type == OffsetDateTime.class) {
            return "a date and time with its offset (ISO 8601, e.g. 2025-03-01T12:00:00-05:00)";
        }
        return "a valid " + type.getSimpleName();
    }
}
