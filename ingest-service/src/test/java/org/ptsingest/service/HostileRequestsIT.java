package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.report.SelfReporters;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every endpoint the service maps, sent what a careless or hostile client sends, one input at a time: each path
 * variable, query or form parameter a NUL, 3,000 characters, a number past 64 bits, years Java has and PostgreSQL
 * does not, invalid UTF-8, path tricks; each header it reads junk; each body it reads (JSON, CSV, XML, text) broken,
 * empty, holding a NUL or a 5,000-digit number — the other inputs meanwhile sane, so a hostile value gets as deep as
 * it can. None may answer 5xx: each is a 4xx that says why (the precise answers are asserted in RequestInputIT and
 * the endpoints' own tests). A script doing this by hand found 29 such 500s.
 *
 * <p>The endpoints are not listed here: they are read from Spring's handler mapping, with their parameters from the
 * handler methods' annotations, so a new endpoint or parameter is sent the same without anyone remembering to add it.
 * Each request goes in as its realm's user (ops over the API, the logged-in console with its CSRF token, a logged-in
 * owner on the self-reporting pages, a provider's key for feeds), and every endpoint must have been reached past the
 * login at least once, or the test would pass by never getting in.
 */
class HostileRequestsIT extends IngestItSupport {
    /**
     * 3,000 random letters: a value PostgreSQL cannot compress under an index entry's limit (about 2,700 bytes),
     * where "xxx…" compresses to a few bytes and passes.
     */
    static final String LETTERS = new java.util.Random(3000).ints(3000, 'a', 'z' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();

    /** As they are written in a URL or a form body (percent-encoded where they must be). */
    static final List<String> VALUES = List.of("%00", "a%00b", "x".repeat(3000), LETTERS, "99999999999999999999", "-1", "0",
            "%2B999999999-12", "-999999999-01", "-999999999-01-01", "0000-01", "2025-13", "2025Q9", "999999999Q1",
            "%FF%FE", "%C0%AF", "..", "%2e%2e", "%E2%80%AE", "1e99999", "NaN", "a%0D%0ABcc:%20x@example.com",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E");

    /** What {@link #VALUES}' last value is once decoded: no HTML page may hold it unescaped. */
    static final String SCRIPT = "<script>alert(1)</script>";

    /** For an input Spring converts to a number, date, enum or boolean: what tries the converter, and what gets past it. */
    static final List<String> TYPED_VALUES = List.of("%00", "x".repeat(3000), "99999999999999999999", "-1", "0",
            "-999999999-01-01", "%FF%FE", "1e99999");

    /** An Accept header no media type parser takes, sent to every endpoint that does not read Accept itself. */
    static final List<String> ACCEPT_VALUES = List.of("*/*;q=NaN", ",,,;;;", "x".repeat(3000));

    static final List<String> HEADER_VALUES = List.of("", "x".repeat(3000), "*/*;q=NaN", "application/json;q=2",
            "text/csv; charset=\"nope\"", "attachment; filename=\"../../etc/passwd\"",
            "attachment; filename*=UTF-8''%00%FF", "attachment; filename=\"" + "a".repeat(3000) + "\"", ",,,;;;",
            "application/xml, application/json;q=0.5, */*;q=-1");

    /** Every key a JSON body of the service is read for. */
    static final List<String> JSON_KEYS = List.of("reason", "kwh", "password", "role", "as2_id", "certificate",
            "decision", "feed_id", "system_id", "meter_serial", "read_at", "readings", "month");

    static final List<String> JSON_BODIES = jsonBodies();

    static final List<String> XML_BODIES = List.of("", "<", "<a/>", "\u0000", "<a>" + "9".repeat(5000) + "</a>",
            "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
            "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b \"bbbbbbbbbb\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
                    + "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]><a>&e;</a>",
            "<a>".repeat(100_000), "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>");

    static final List<String> TEXT_BODIES = List.of("", "\n", "\u0000", "ssh-rsa", "ssh-ed25519 " + "A".repeat(5000),
            "x".repeat(100_000), "ssh-rsa AAAA\u0000 comment");

    /** Owner of MA-2001 .. MA-2003 (sample-feeds/registry/self-reporting), for the /report pages. */
    static final String OWNER = "owner-2001";
    static final String OWNER_PASSWORD = "sunny-meadow-2001";

    /** A sane value for a string input, by its name, so a hostile value in another input is not refused first. */
    static final Map<String, String> SANE = Map.ofEntries(Map.entry("systemId", "MA-1001"), Map.entry("system", "MA-1001"),
            Map.entry("id", "MA-2001"), Map.entry("month", "2026-11"), Map.entry("from", "2025-01"),
            Map.entry("to", "2025-12"), Map.entry("quarter", "2025Q1"), Map.entry("providerId", "sunwatch"),
            Map.entry("provider", "sunwatch"), Map.entry("username", "hostile-user"), Map.entry("keyId", "1"),
            Map.entry("contract", "openapi.yaml"), Map.entry("reason", "hostile requests"), Map.entry("kwh", "100"),
            Map.entry("read_at", "2026-11-30T12:00"), Map.entry("requested_at", "2026-11-30T12:00:00Z"),
            Map.entry("attempt", "1"), Map.entry("meterSerial", "SN-1001-A"), Map.entry("q", "MA"),
            Map.entry("who", "owner-2001"), Map.entry("message_id", "<hostile@example.com>"));

    enum Kind { PATH, PARAMETER, HEADER, BODY, /** an Accept header the handler does not read itself */ ACCEPT,
        /** of a request with a body */ CONTENT_TYPE, /** of a request with a body */ CONTENT_ENCODING }

    /** Sent as the Content-Type of a sane body. */
    static final List<String> CONTENT_TYPE_VALUES = List.of("text/csv; charset=nope", "text/csv;;;",
            "application/json; charset=utf-16", "TEXT/CSV", "application/xml; charset=\"", "x".repeat(3000));

    /** Sent as the Content-Encoding of a sane (not encoded) body. */
    static final List<String> CONTENT_ENCODING_VALUES = List.of("gzip", "br", "gzip, gzip", "identity",
            "x".repeat(3000));

    record Input(Kind kind, String name, Class<?> type) {
    }

    /** A value for one input; for a body, the type it is sent as. */
    record Hostile(String value, MediaType type) {
    }

    record Endpoint(RequestMethod method, String pattern, List<Input> inputs, List<MediaType> consumes) {
        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Autowired
    SelfReporters reporters;

    HttpClient console;
    String consoleCsrf;
    HttpClient owner;
    String ownerCsrf;
    String providerKey;

    @BeforeEach
    void realms() throws Exception {
        loadSampleRegistry();
        Path selfReporting = SAMPLES.resolve("registry/self-reporting");
        for (String table : new String[] {"self-reporters", "systems", "designations"}) {
            JsonNode result = importRegistry(table, selfReporting.resolve(table + ".csv"));
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        }
        reporters.setPassword(reporters.newLink(OWNER, SelfReporters.Purpose.INVITATION).token(), OWNER_PASSWORD,
                OWNER_PASSWORD);
        // 1 December 2026 in New York: November's reporting window is open, so the owner's forms are live
        clock.set(Instant.parse("2026-12-01T15:00:00Z"));
        console = opsConsole();
        consoleCsrf = csrfToken(console, "/ops");
        owner = loggedIn("/report", OWNER, OWNER_PASSWORD);
        ownerCsrf = csrfToken(owner, "/report");
        providerKey = issueKey("sunwatch");
    }

    @Test
    void noHostileRequestToAnyEndpointIsAnsweredWithAServerError() throws Exception {
        List<Endpoint> endpoints = endpoints();
        // the mapping is read, not assumed: every realm is in it
        assertThat(endpoints).extracting(Endpoint::pattern).anyMatch(p -> p.startsWith("/api/"))
                .anyMatch(p -> p.startsWith("/ops/")).anyMatch(p -> p.startsWith("/report/"))
                .anyMatch(p -> p.startsWith("/pts/"));
        List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        Set<String> unescaped = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // registry imports last: a hostile row that is taken changes the registry the other requests lean on
        endpoints.sort((a, b) -> Boolean.compare(a.pattern().startsWith("/api/v1/registry/"),
                b.pattern().startsWith("/api/v1/registry/")));
        // two at a time: the API's Basic authentication hashes the password on every request (most of the time)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (Endpoint endpoint : endpoints) {
                List<java.util.concurrent.Callable<Void>> requests = new ArrayList<>();
                for (Input input : endpoint.inputs()) {
                    for (Hostile value : hostile(endpoint, input)) {
                        requests.add(() -> {
                            HttpResponse<String> r = send(endpoint, input, value);
                            // a redirect without a Location goes nowhere (Tomcat drops a header it cannot encode)
                            if (r.statusCode() >= 500 || (r.statusCode() / 100 == 3
                                    && r.headers().firstValue("Location").isEmpty())) {
                                serverErrors.add(endpoint + " " + input.kind() + " " + input.name() + "="
                                        + cut(value.value()) + " -> " + r.statusCode() + " " + cut(r.body()));
                            }
                            if (pastTheLogin(r)) {
                                reached.add(endpoint.toString());
                            }
                            if (r.body() != null && r.body().contains(SCRIPT) && r.headers().firstValue("Content-Type")
                                    .orElse("").startsWith("text/html")) {
                                unescaped.add(endpoint + " " + input.kind() + " " + input.name());
                            }
                            return null;
                        });
                    }
                }
                for (java.util.concurrent.Future<Void> done : pool.invokeAll(requests)) {
                    done.get(); // a request that could not be sent fails the test
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(serverErrors).isEmpty();
        // what was stored on the way (a registry row, a reason, a note) is shown escaped on every page after
        Set<String> shownEscaped = new TreeSet<>();
        for (Endpoint page : endpoints) {
            boolean browser = page.pattern().startsWith("/ops") || page.pattern().startsWith("/report");
            if (browser && page.method() == RequestMethod.GET && page.inputs().stream().noneMatch(i -> i.kind() == Kind.PATH)) {
                HttpResponse<String> r = (page.pattern().startsWith("/ops") ? console : owner).send(
                        HttpRequest.newBuilder(url(page.pattern())).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.body().contains(SCRIPT)) {
                    unescaped.add("GET " + page.pattern() + " afterwards");
                }
                if (r.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;")) {
                    shownEscaped.add(page.pattern());
                }
            }
        }
        assertThat(unescaped).as("pages holding a script as it was sent").isEmpty();
        assertThat(shownEscaped).as("pages showing the stored script, escaped (else nothing was checked)").isNotEmpty();
        assertThat(new TreeSet<>(reached)).as("endpoints reached past the login")
                .containsExactlyInAnyOrderElementsOf(endpoints.stream().map(Endpoint::toString).toList());
        // and the realms' sessions were never lost on the way (else later requests only met the login)
        assertThat(console.send(HttpRequest.newBuilder(url("/ops")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        assertThat(owner.send(HttpRequest.newBuilder(url("/report")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    /**
     * Every request that changes something, sent three times at once with sane inputs, as a double click or a
     * client's retry does: two ops setting the same month at once collided on its one-adjustment-in-force
     * constraint (a 500) until they took turns. Each may be answered as done, or refused as already done, but
     * never 5xx.
     */
    @Test
    void aChangeSentThreeTimesAtOnceIsNeverAServerError(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        OpenSshClient.keygen(tmp.resolve("id_ed25519"), "sunwatch@three-times");
        existing.put("text", Files.readString(tmp.resolve("id_ed25519.pub")));
        long feedId = ingest("sunwatch", "csv-v1/sunwatch/05-invalid-values.csv").get("feed_id").asLong();
        existing.put("feedId", Long.toString(feedId));
        existing.put("deliveryId", Long.toString(dsl.fetchValue(
                org.ptsingest.service.persistence.jooq.Tables.FEED.DELIVERY_ID,
                org.ptsingest.service.persistence.jooq.Tables.FEED.FEED_ID.eq(feedId))));
        String certificate = send(HttpRequest.newBuilder(url("/api/v1/as2/certificate")).GET().build()).body();
        existing.put("json", JSON.writeValueAsString(Map.of("reason", "sent three times", "kwh", "100",
                "password", "three-times-at-once", "role", "VIEWER", "as2_id", "THREE-TIMES", "certificate", certificate)));
        List<Endpoint> changes = endpoints().stream().filter(e -> e.method() != RequestMethod.GET).toList();
        List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService three = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            for (Endpoint endpoint : changes) {
                List<java.util.concurrent.Callable<Void>> requests = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    requests.add(() -> {
                        HttpResponse<String> r = send(endpoint, null, null);
                        if (r.statusCode() >= 500) {
                            serverErrors.add(endpoint + " -> " + r.statusCode() + " " + cut(r.body()));
                        }
                        return null;
                    });
                }
                for (java.util.concurrent.Future<Void> done : three.invokeAll(requests)) {
                    done.get();
                }
            }
        } finally {
            three.shutdownNow();
        }
        assertThat(changes).extracting(Endpoint::toString).contains("PUT /api/v1/systems/{systemId}/production/{month}/adjustment",
                "POST /ops/systems/{systemId}/production/adjustment", "POST /report/system/reading");
        assertThat(serverErrors).isEmpty();
    }

    /**
     * What a browser gets for a refused page: the realm's own error page with its status in words and a way
     * back, not Spring's "Whitelabel Error Page". The API keeps its problem documents.
     */
    @Test
    void aBrowserIsShownItsRealmsErrorPageWithAWayBack() throws Exception {
        Map<String, HttpClient> pages = new LinkedHashMap<>();
        pages.put("/ops/feeds/999999999", console);
        pages.put("/ops/systems/MA-1001/production/2025-13", console);
        pages.put("/report/system/summary?id=MA-2001&month=2026-10", owner);
        pages.put("/report/feeds/999999999/receipt", owner);
        for (Map.Entry<String, HttpClient> page : pages.entrySet()) {
            HttpResponse<String> r = page.getValue().send(HttpRequest.newBuilder(url(page.getKey()))
                    .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(page.getKey()).isEqualTo(404);
            String home = page.getKey().startsWith("/report") ? "/report" : "/ops";
            assertThat(r.body()).as(page.getKey()).doesNotContain("Whitelabel")
                    .contains("404 · Not Found", "There is no such page, or nothing with that id.",
                            "id=\"error-home\" href=\"" + home + "\"");
        }
        // a value the page does not take: its error page says which, in the console's words
        HttpResponse<String> bad = console.send(HttpRequest.newBuilder(url("/ops/feeds?status=REJECT"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("400 · Bad Request",
                "status: &#39;REJECT&#39; is not one of ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, DUPLICATE_FEED");
        HttpResponse<String> csrf = console.send(HttpRequest.newBuilder(url("/ops/feeds/1/dismiss"))
                .header("Accept", "text/html").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("reason=no+token")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csrf.statusCode()).isEqualTo(403);
        assertThat(csrf.body()).contains("reload the page and try again");
        // the API answers a problem document as before
        HttpResponse<String> api = send(asOps("/api/v1/feeds/999999999").header("Accept", "application/json").GET().build());
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).startsWith("{");
    }

    /** The service's own handler methods, one endpoint per HTTP method and path pattern, with their inputs. */
    List<Endpoint> endpoints() {
        List<Endpoint> endpoints = new ArrayList<>();
        DefaultParameterNameDiscoverer names = new DefaultParameterNameDiscoverer();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
            HandlerMethod handler = mapping.getValue();
            if (!handler.getBeanType().getPackageName().startsWith("org.ptsingest")) {
                continue; // Spring Boot's /error
            }
            List<Input> inputs = new ArrayList<>();
            for (MethodParameter p : handler.getMethodParameters()) {
                p.initParameterNameDiscovery(names);
                PathVariable path = p.getParameterAnnotation(PathVariable.class);
                RequestParam param = p.getParameterAnnotation(RequestParam.class);
                RequestHeader header = p.getParameterAnnotation(RequestHeader.class);
                if (path != null) {
                    inputs.add(new Input(Kind.PATH, name(path.name(), path.value(), p), p.getParameterType()));
                } else if (param != null) {
                    inputs.add(new Input(Kind.PARAMETER, name(param.name(), param.value(), p), p.getParameterType()));
                } else if (header != null) {
                    inputs.add(new Input(Kind.HEADER, name(header.name(), header.value(), p), p.getParameterType()));
                } else if (p.hasParameterAnnotation(RequestBody.class)) {
                    inputs.add(new Input(Kind.BODY, "body", p.getParameterType()));
                }
            }
            List<MediaType> consumes = new ArrayList<>(mapping.getKey().getConsumesCondition().getConsumableMediaTypes());
            if (!consumes.isEmpty() && inputs.stream().noneMatch(i -> i.kind() == Kind.BODY)) {
                inputs.add(new Input(Kind.BODY, "body", String.class)); // read from the request's stream or Reader
            }
            if (inputs.stream().anyMatch(i -> i.kind() == Kind.BODY)) {
                inputs.add(new Input(Kind.CONTENT_TYPE, "Content-Type", String.class));
                inputs.add(new Input(Kind.CONTENT_ENCODING, "Content-Encoding", String.class));
            }
            if (inputs.stream().noneMatch(i -> i.kind() == Kind.HEADER && i.name().equalsIgnoreCase("Accept"))) {
                inputs.add(new Input(Kind.ACCEPT, "Accept", String.class));
            }
            Set<RequestMethod> methods = mapping.getKey().getMethodsCondition().getMethods();
            for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                for (String pattern : mapping.getKey().getPatternValues()) {
                    endpoints.add(new Endpoint(method, pattern, inputs, consumes));
                }
            }
        }
        return endpoints;
    }

    private static String name(String name, String value, MethodParameter p) {
        return !name.isEmpty() ? name : !value.isEmpty() ? value : p.getParameterName();
    }

    List<Hostile> hostile(Endpoint endpoint, Input input) throws Exception {
        List<Hostile> values = new ArrayList<>();
        switch (input.kind()) {
            case PATH, PARAMETER -> (input.type() == String.class ? VALUES : TYPED_VALUES)
                    .forEach(v -> values.add(new Hostile(v, null)));
            case HEADER -> HEADER_VALUES.forEach(v -> values.add(new Hostile(v, null)));
            case ACCEPT -> ACCEPT_VALUES.forEach(v -> values.add(new Hostile(v, null)));
            case CONTENT_TYPE -> CONTENT_TYPE_VALUES.forEach(v -> values.add(new Hostile(v, null)));
            case CONTENT_ENCODING -> CONTENT_ENCODING_VALUES.forEach(v -> values.add(new Hostile(v, null)));
            case BODY -> {
                for (MediaType type : bodyTypes(endpoint, input)) {
                    bodies(endpoint, type).forEach(v -> values.add(new Hostile(v, type)));
                }
            }
        }
        return values;
    }

    /** The types a body is sent as: each the endpoint consumes, or JSON for a map. */
    private static List<MediaType> bodyTypes(Endpoint endpoint, Input body) {
        if (!endpoint.consumes().isEmpty()) {
            return endpoint.consumes();
        }
        return List.of(body.type() == String.class ? MediaType.TEXT_PLAIN : MediaType.APPLICATION_JSON);
    }

    List<String> bodies(Endpoint endpoint, MediaType type) throws Exception {
        String subtype = type.getSubtype();
        if (subtype.equals("json")) {
            return JSON_BODIES;
        }
        if (subtype.equals("xml") || subtype.equals("soap+xml")) {
            return XML_BODIES;
        }
        if (subtype.equals("csv")) {
            return csvBodies(endpoint);
        }
        return TEXT_BODIES;
    }

    /**
     * For a registry import, its sample file's header with one row in which each column in turn holds each hostile
     * value; for a feed, junk around the CSV feed's header.
     */
    List<String> csvBodies(Endpoint endpoint) throws Exception {
        List<String> bodies = new ArrayList<>(List.of("", "\n", "\u0000", "\uFEFF", "\"unterminated", ",,,,,,,\n,,,,,,,",
                "x".repeat(100_000)));
        Path sample = saneCsv(endpoint);
        List<String> lines = Files.readAllLines(sample);
        String[] columns = lines.get(1).split(",", -1);
        for (int i = 0; i < columns.length; i++) {
            for (String value : VALUES) {
                String[] row = columns.clone();
                row[i] = '"' + decoded(value).replace("\"", "\"\"") + '"';
                bodies.add(lines.get(0) + "\n" + String.join(",", row) + "\n");
            }
        }
        return bodies;
    }

    private static Path saneCsv(Endpoint endpoint) {
        if (endpoint.pattern().startsWith("/api/v1/registry/")) {
            String table = endpoint.pattern().substring("/api/v1/registry/".length());
            Path sample = SAMPLES.resolve("registry").resolve(table + ".csv");
            return Files.exists(sample) ? sample : SAMPLES.resolve("registry/self-reporting").resolve(table + ".csv");
        }
        return SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv");
    }

    String saneBody(Endpoint endpoint, MediaType type) throws Exception {
        return switch (type.getSubtype()) {
            case "json" -> existing.getOrDefault("json", "{\"reason\": \"hostile requests\"}");
            case "csv" -> Files.readString(saneCsv(endpoint));
            case "xml", "soap+xml" -> "<a/>";
            default -> existing.getOrDefault("text", "");
        };
    }

    /** One request: the input under test holds the value, every other input a sane one. */
    HttpResponse<String> send(Endpoint endpoint, Input target, Hostile hostileValue) throws Exception {
        String value = hostileValue == null ? null : hostileValue.value();
        String path = endpoint.pattern();
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String body = null;
        MediaType bodyType = null;
        String contentType = null;
        for (Input input : endpoint.inputs()) {
            boolean hostile = input == target;
            switch (input.kind()) {
                case PATH -> path = path.replaceFirst("\\{" + input.name() + "(:[^}]*)?}",
                        Matcher.quoteReplacement(hostile ? value : encoded(sane(input))));
                case PARAMETER -> parameters.put(input.name(), hostile ? value : encoded(sane(input)));
                case HEADER, ACCEPT, CONTENT_ENCODING -> {
                    if (hostile) {
                        headers.put(input.name(), value);
                    }
                }
                case CONTENT_TYPE -> {
                    if (hostile) {
                        contentType = value;
                    }
                }
                case BODY -> {
                    bodyType = hostile ? hostileValue.type() : bodyTypes(endpoint, input).get(0);
                    body = hostile ? value : saneBody(endpoint, bodyType);
                }
            }
        }
        boolean session = path.startsWith("/ops") || path.startsWith("/report");
        boolean form = body == null && (endpoint.method() == RequestMethod.POST || endpoint.method() == RequestMethod.PUT);
        if (form && session) {
            parameters.put("_csrf", encoded(path.startsWith("/ops") ? consoleCsrf : ownerCsrf));
        }
        String query = parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining("&"));
        HttpRequest.Builder request;
        if (session) {
            request = HttpRequest.newBuilder(url(form || query.isEmpty() ? path : path + "?" + query));
        } else if (path.startsWith("/pts/v1/soap")) {
            request = HttpRequest.newBuilder(url(path));
        } else if (endpoint.method() == RequestMethod.POST && (path.equals("/api/v1/feeds") || path.startsWith("/pts/"))) {
            request = HttpRequest.newBuilder(url(path + (query.isEmpty() ? "" : "?" + query)))
                    .header("Authorization", "Bearer " + providerKey);
        } else {
            request = asOps(form || query.isEmpty() ? path : path + "?" + query);
        }
        headers.forEach(request::header);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null) {
            request.header("Content-Type", contentType != null ? contentType : bodyType.toString());
            publisher = HttpRequest.BodyPublishers.ofString(body);
        } else if (form) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
            publisher = HttpRequest.BodyPublishers.ofString(query);
        }
        request.method(endpoint.method().name(), publisher);
        HttpClient client = path.startsWith("/ops") ? console : path.startsWith("/report") ? owner : http();
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Ids that exist in this test's data, by input name, over {@link #SANE} (set by a test that made them). */
    final Map<String, String> existing = new java.util.HashMap<>();

    private String sane(Input input) {
        if (existing.containsKey(input.name())) {
            return existing.get(input.name());
        }
        return typedSane(input);
    }

    private static String typedSane(Input input) {
        Class<?> type = input.type();
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            return "1";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "false";
        }
        if (type == LocalDate.class) {
            return "2025-01-01";
        }
        if (type == OffsetDateTime.class) {
            return "2025-01-31T00:00:00Z";
        }
        if (type.isEnum()) {
            return ((Enum<?>) type.getEnumConstants()[0]).name();
        }
        return SANE.getOrDefault(input.name(), "x");
    }

    /** Past the realm's door: not the login's 401, a refusal of the user or the CSRF token, or a redirect to a login page. */
    private static boolean pastTheLogin(HttpResponse<String> r) {
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            return false;
        }
        return r.statusCode() != 302 || !r.headers().firstValue("Location").orElse("").contains("/login");
    }

    private static List<String> jsonBodies() {
        Set<String> bodies = new LinkedHashSet<>(List.of("", "{", "[]", "null", "\"x\"", "{\"reason\": \"a\\u0000b\"}",
                "{\"reason\": \"x\", \"kwh\": " + "9".repeat(5000) + "}", "{\"reason\": \"x\", \"kwh\": 1e99999}",
                "{\"reason\": " + "[".repeat(2000) + "}", "{\"a\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5001)));
        // every key the service reads holding each hostile value at once, as a string
        for (String value : VALUES) {
            StringBuilder body = new StringBuilder("{");
            for (String key : JSON_KEYS) {
                body.append(body.length() > 1 ? ", " : "").append('"').append(key).append("\": ")
                        .append(JSON.valueToTree(decoded(value)).toString());
            }
            bodies.add(body.append('}').toString());
        }
        return List.copyOf(bodies);
    }

    /** A value as the service receives it: percent-decoded, invalid UTF-8 replaced as a lenient decoder does. */
    private static String decoded(String value) {
        return java.net.URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
