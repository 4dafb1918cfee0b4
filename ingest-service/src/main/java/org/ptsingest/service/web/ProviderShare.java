package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.ConcurrentHashMap;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.security.SecurityConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * At most {@code ingest.https.max-concurrent-per-provider} feed posts of one provider in process at once. A
 * provider's feeds are judged one after another anyway (its advisory lock), so a client that opened hundreds of
 * posts at once (a retry loop gone wrong) held as many of the server's request threads while they waited their
 * turn, and every other provider's post waited for a thread. One more is answered 429 with {@code Retry-After}
 * before its body is read; the SOAP call, whose provider is known only from its body, is not counted.
 */
@Component
class ProviderShare implements HandlerInterceptor, WebMvcConfigurer {
    private static final Logger log = LoggerFactory.getLogger(ProviderShare.class);
    /** Seconds a provider is asked to wait: about one feed's judging. */
    static final String RETRY_AFTER_SECONDS = "10";
    private static final String HELD = ProviderShare.class.getName() + ".held";

    private final int max;
    private final ConcurrentHashMap<String, Integer> inProcess = new ConcurrentHashMap<>();

    ProviderShare(IngestProperties properties) {
        this.max = properties.https().maxConcurrentPerProvider();
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/v1/feeds", "/pts/v1/readings", "/pts/v1/ardata");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (!"POST".equals(request.getMethod()) || caller == null || caller.getAuthorities().stream()
                .noneMatch(a -> a.getAuthority().equals("ROLE_" + SecurityConfig.ROLE_PROVIDER))) {
            return true;
        }
        String provider = caller.getName();
        boolean[] taken = {false};
        inProcess.compute(provider, (k, n) -> {
            int now = n == null ? 0 : n;
            taken[0] = now < max;
            return taken[0] ? now + 1 : (now == 0 ? null : now);
        });
        if (!taken[0]) {
            log.warn("feed post of {} answered 429: {} of its posts in process", provider, max);
            throw new Busy(provider, max);
        }
        request.setAttribute(HELD, provider);
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (request.getAttribute(HELD) instanceof String provider) {
            request.removeAttribute(HELD);
            inProcess.computeIfPresent(provider, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** 429 with Retry-After, as a problem document. */
    static final class Busy extends ResponseStatusException {
        Busy(String provider, int max) {
            super(HttpStatus.TOO_MANY_REQUESTS, provider + " has " + max + " feed posts in process, as many as one "
                    + "provider may (ingest.https.max-concurrent-per-provider); send this one again after "
                    + RETRY_AFTER_SECONDS + " s");
        }

        @Override
        public HttpHeaders getHeaders() {
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            return headers;
        }
    }
}
