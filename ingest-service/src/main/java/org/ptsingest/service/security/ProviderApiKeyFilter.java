package org.ptsingest.service.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer pts_…} (or {@code Ocp-Apim-Subscription-Key: pts_…}): authenticates a provider's software as that provider with role
 * PROVIDER. A bearer key that is unknown or revoked is answered 401 at once.
 */
class ProviderApiKeyFilter extends OncePerRequestFilter {
    private final ProviderApiKeys keys;

    ProviderApiKeyFilter(ProviderApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        // PTS clients send their key as Ocp-Apim-Subscription-Key; both carry the same provider API key.
        String subscription = request.getHeader("Ocp-Apim-Subscription-Key");
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
                : subscription != null ? subscription.trim() : null;
        if (key != null) {
            var provider = keys.authenticate(key);
            if (provider.isEmpty()) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setContentType("application/problem+json");
                response.getWriter().write("{\"title\":\"UNAUTHORIZED\",\"status\":401,"
                        + "\"detail\":\"unknown or revoked API key\"}");
                return;
            }
            var auth = new UsernamePasswordAuthenticationToken(provider.get(), null,
                    List.of(new SimpleGrantedAuthority("ROLE_" + SecurityConfig.ROLE_PROVIDER)));
            SecurityContextHolder.getContext().setAuthentication(auth);
        }
        chain.doFilter(request, response);
    }
}
