package org.ptsingest.service.security;

import java.time.Clock;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import jakarta.servlet.DispatcherType;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.report.SelfReporters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.server.ConfigurableServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.ExceptionMappingAuthenticationFailureHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * HTTPS everywhere; ops authenticate with HTTP Basic as user {@code ops}, providers' software with
 * an API key ({@code Bearer}). Provider keys reach only the feed endpoints. Health and Prometheus
 * metrics are open so monitoring can scrape them without credentials.
 */
@Configuration
public class SecurityConfig {
    public static final String OPS_USER = "ops";
    public static final String ROLE_OPS = "OPS";
    public static final String ROLE_PROVIDER = "PROVIDER";
    public static final String ROLE_VIEWER = "VIEWER";
    public static final String VIEWER_USER = "viewer";
    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    /**
     * The ops console: form login, a session (expires after {@code server.servlet.session.timeout}),
     * CSRF tokens on every form. OPS act, VIEWER read. Provider API keys are not understood here, and
     * SFTP accounts are SSH keys: neither reaches a page.
     */
    @Bean
    @Order(1)
    SecurityFilterChain console(HttpSecurity http) throws Exception {
        return http
                .securityMatcher("/ops", "/ops/**")
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/ops/login", "/ops/ops.css").permitAll()
                        .requestMatchers(HttpMethod.GET, "/ops", "/ops/**").hasAnyRole(ROLE_OPS, ROLE_VIEWER)
                        .anyRequest().hasRole(ROLE_OPS))
                .formLogin(f -> f.loginPage("/ops/login").defaultSuccessUrl("/ops", true)
                        .failureHandler(loginFailure()))
                .logout(l -> l.logoutUrl("/ops/logout").logoutSuccessUrl("/ops/login?logout"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'")))
                .build();
    }

    /**
     * The self-reporters' pages: their own form login and accounts ({@link SelfReporters}, not the ops
     * users), their own session attribute (an owner and an ops user in one browser do not log each other
     * out), CSRF tokens on every form, logins throttled as ops'. The one-time-link pages (set a password,
     * forgotten password) are open: the link is the credential.
     */
    @Bean
    @Order(0)
    SecurityFilterChain report(HttpSecurity http, SelfReporters reporters, PasswordEncoder encoder,
            IngestProperties properties) throws Exception {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(reporters);
        passwords.setPasswordEncoder(encoder);
        IngestProperties.Ops ops = properties.ops();
        var authentication = new ProviderManager(new ThrottledAuthentication(passwords, new LoginThrottle(
                ops.loginMaxFailures(), ops.loginFailureWindow(), ops.loginLock(), ops.loginMaxLock(), Clock.systemUTC())));
        var contexts = new HttpSessionSecurityContextRepository();
        contexts.setSpringSecurityContextKey("PTS_REPORT_SECURITY_CONTEXT");
        var failure = new ExceptionMappingAuthenticationFailureHandler();
        failure.setDefaultFailureUrl("/report/login?error");
        failure.setExceptionMappings(Map.of(ThrottledAuthentication.Throttled.class.getName(),
                "/report/login?error&throttled"));
        return http
                .securityMatcher("/report", "/report/**")
                .authenticationManager(authentication)
                .securityContext(c -> c.securityContextRepository(contexts))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/report/login", "/report/report.css", "/report/password",
                                "/report/forgot").permitAll()
                        .anyRequest().hasRole(SelfReporters.ROLE_REPORTER))
                .formLogin(f -> f.loginPage("/report/login").defaultSuccessUrl("/report", true)
                        .failureHandler(failure).securityContextRepository(contexts))
                .logout(l -> l.logoutUrl("/report/logout").logoutSuccessUrl("/report/login?logout"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'")))
                .build();
    }

    @Bean
    SelfReporters selfReporters(DSLContext dsl, PasswordEncoder encoder, Clock clock) {
        return new SelfReporters(dsl, encoder, clock);
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(HttpSecurity http, ProviderApiKeys keys) throws Exception {
        return http
                .addFilterBefore(new ProviderApiKeyFilter(keys), BasicAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        // Streamed answers (receipts) finish on an ASYNC dispatch, errors on an ERROR
                        // dispatch, of a request that was already authorised; the stateless API keeps no
                        // session to re-authenticate them from.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/prometheus", "/actuator/info").permitAll()
                        // PTS SOAP clients authenticate inside the envelope (cAuthentication); checked there.
                        .requestMatchers(HttpMethod.POST, "/pts/v1/soap").permitAll()
                        // The published contracts (OpenAPI, feed and receipt schemas) are public.
                        .requestMatchers(HttpMethod.GET, "/api/v1/openapi.yaml", "/api/v1/*.json", "/api/v1/*.xsd",
                                "/api/v1/*.md").permitAll()
                        // What AS2 partners configure: the service's AS2 identity, URL and certificate.
                        .requestMatchers(HttpMethod.GET, "/api/v1/as2", "/api/v1/as2/certificate").permitAll()
                        // Providers post feeds and read their own (checked per feed); everything else is ops'.
                        .requestMatchers(HttpMethod.POST, "/api/v1/feeds", "/pts/v1/ardata", "/pts/v1/readings")
                                .hasRole(ROLE_PROVIDER)
                        .requestMatchers(HttpMethod.GET, "/api/v1/feeds/*", "/api/v1/feeds/*/receipt",
                                "/api/v1/deliveries/*", "/api/v1/as2/receipt")
                                .hasAnyRole(ROLE_OPS, ROLE_PROVIDER)
                        // A provider reads the production of the systems it reports or reported (checked per system).
                        .requestMatchers(HttpMethod.GET, "/api/v1/systems/*/production",
                                "/api/v1/systems/*/production/*/revisions")
                                .hasAnyRole(ROLE_OPS, ROLE_PROVIDER)
                        .requestMatchers("/api/**").hasRole(ROLE_OPS)
                        .anyRequest().denyAll())
                .httpBasic(Customizer.withDefaults())
                // A stateless API authenticated on every request carries no CSRF risk; no session cookie.
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /** Every chain's firewall: Spring's strict one, also refusing a NUL in a parameter, answered as a problem. */
    @Bean
    WebSecurityCustomizer requestFirewall() {
        return web -> web.httpFirewall(RequestFirewall.firewall()).requestRejectedHandler(RequestFirewall::reject);
    }

    /** A wrong password says so; a locked user name or address says "too many attempts". */
    private static AuthenticationFailureHandler loginFailure() {
        var handler = new ExceptionMappingAuthenticationFailureHandler();
        handler.setDefaultFailureUrl("/ops/login?error");
        handler.setExceptionMappings(Map.of(ThrottledAuthentication.Throttled.class.getName(),
                "/ops/login?error&throttled"));
        return handler;
    }

    /**
     * The one way ops passwords are checked, for the console's form and the API's HTTP Basic alike
     * (as the only AuthenticationProvider bean it backs Spring's global AuthenticationManager, which
     * both filter chains use): Spring's DaoAuthenticationProvider behind a {@link LoginThrottle}.
     */
    @Bean
    ThrottledAuthentication opsAuthentication(OpsUsers users, PasswordEncoder encoder, IngestProperties properties) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
        passwords.setPasswordEncoder(encoder);
        IngestProperties.Ops ops = properties.ops();
        return new ThrottledAuthentication(passwords, new LoginThrottle(ops.loginMaxFailures(),
                ops.loginFailureWindow(), ops.loginLock(), ops.loginMaxLock(), Clock.systemUTC()));
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    OpsUsers opsUsers(IngestProperties properties, PasswordEncoder encoder, DSLContext dsl) {
        String password = properties.ops().password();
        if (password == null || password.isBlank()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            String banner = "\n\n    Ops user (API, and the console at /ops): " + OPS_USER + "   password: " + password
                    + "\n    (generated because INGEST_OPS_PASSWORD is not set; it changes at every start)\n";
            log.warn(banner);
        }
        Map<String, UserDetails> bootstrap = new HashMap<>();
        bootstrap.put(OPS_USER, User.withUsername(OPS_USER).password(encoder.encode(password)).roles(ROLE_OPS).build());
        String viewer = properties.ops().viewerPassword();
        if (viewer != null && !viewer.isBlank()) {
            bootstrap.put(VIEWER_USER,
                    User.withUsername(VIEWER_USER).password(encoder.encode(viewer)).roles(ROLE_VIEWER).build());
        }
        return new OpsUsers(dsl, encoder, Map.copyOf(bootstrap));
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableServletWebServerFactory> selfSignedTls(IngestProperties properties) {
        return factory -> {
            if (!properties.https().selfSigned()) {
                return;
            }
            factory.setSsl(ServiceTls.selfSigned(properties));
        };
    }
}
