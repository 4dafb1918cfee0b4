package org.ptsingest.service.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * What Spring Security's firewall refuses before any controller runs, and how it answers.
 * <p>
 * On top of its defaults (encoded slashes, {@code ..}, control characters in the path, unknown methods), a request
 * parameter whose value holds a NUL is refused: PostgreSQL text cannot hold one, so a filter, a search term or an
 * AS2 message id with {@code %00} failed deep in a query as a 500. The firewall checks parameters when they are
 * read, query string and form alike, so nothing is parsed earlier than it would be.
 * <p>
 * The answer is a 400 problem document ({@code application/problem+json}) saying what was refused, where Spring's
 * own handler sends an empty 400.
 */
final class RequestFirewall {
    private static final Logger log = LoggerFactory.getLogger(RequestFirewall.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestFirewall() {}

    static StrictHttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedParameterValues(value -> value.indexOf('\0') < 0);
        return firewall;
    }

    /** A {@link org.springframework.security.web.firewall.RequestRejectedHandler}. */
    static void reject(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        // one line per refusal, for ops watching for a careless or hostile client (values escaped: no forged lines)
        log.info("request refused by the firewall: {} {} from {}: {}", request.getMethod(),
                Echo.message(request.getRequestURI(), 200), request.getRemoteAddr(), Echo.message(e.getMessage(), 300));
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(HttpStatus.BAD_REQUEST.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", "Bad Request");
        body.put("status", 400);
        // the firewall's own words name the parameter or the part of the URL; a NUL comes back escaped
        body.put("detail", Echo.message(e.getMessage(), 300));
        body.put("instance", Echo.message(request.getRequestURI(), 300));
        JSON.writeValue(response.getOutputStream(), body);
    }
}
