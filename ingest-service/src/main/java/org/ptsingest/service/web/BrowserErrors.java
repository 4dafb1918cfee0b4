package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.ModelAndView;

/**
 * The browser realms (the ops console, the owners' self-reporting pages) answer a refused request with their
 * error page ({@code templates/error.html}: the status in words, what was wrong, a way back), where Spring Boot
 * answered a problem document — raw JSON in an ops user's browser tab — or its "Whitelabel Error Page". The
 * statuses are unchanged; the API's controllers keep their problem documents ({@link BadParameters}).
 */
@ControllerAdvice(basePackages = {"org.ptsingest.service.console", "org.ptsingest.service.report"})
@Order(Ordered.HIGHEST_PRECEDENCE) // before BadParameters, which answers the API
class BrowserErrors {

    @ExceptionHandler(ResponseStatusException.class)
    ModelAndView refused(ResponseStatusException e, HttpServletRequest request) {
        return page(e.getStatusCode(), e.getReason(), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ModelAndView mismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return page(HttpStatus.BAD_REQUEST, BadParameters.mismatchDetail(e), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ModelAndView missing(MissingServletRequestParameterException e, HttpServletRequest request) {
        return page(HttpStatus.BAD_REQUEST, e.getParameterName() + " is required", request);
    }

    /** The model Spring Boot's error view has (status, error, path, timestamp), and what was wrong, in our words. */
    private static ModelAndView page(HttpStatusCode status, String detail, HttpServletRequest request) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("status", status.value());
        HttpStatus known = HttpStatus.resolve(status.value());
        model.put("error", known == null ? "Error" : known.getReasonPhrase());
        model.put("path", request.getRequestURI());
        model.put("timestamp", new Date());
        model.put("detail", detail);
        return new ModelAndView("error", model, status);
    }
}
