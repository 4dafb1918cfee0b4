package org.ptsingest.service.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION;
import static org.ptsingest.service.persistence.jooq.Tables.REMINDER_RUN;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.persistence.jooq.tables.records.NotificationRecord;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * E-mail through a real SMTP server in the test (GreenMail): invitations and password links followed to a
 * working login, window-opening reminders decided by two instances at once, the missing-report notice
 * with its CSV, and an SMTP outage. A context of its own (the only one with {@code spring.mail.host}), on
 * free ports, with its background work other than e-mail kept out of the way; never closed before the end
 * of the run (see As2TransportIT: closing a context closes the JVM's AS2 servers; this one has none).
 */
class NotificationMailIT extends IngestItSupport {
    static final int SMTP_PORT = freePort();
    static final String BASE_URL = "https://pts.example";
    static final Pattern LINK = Pattern.compile(Pattern.quote(BASE_URL) + "/report/password\\?token=([A-Za-z0-9_-]+)");
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    static final Path FIXTURES = SAMPLES.resolve("registry/reminders");
    static final String PASSWORD = "correct horse battery";

    @DynamicPropertySource
    static void mail(DynamicPropertyRegistry registry) {
        int sftpPort = freePort();
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("ingest.notifications.base-url", () -> BASE_URL);
        registry.add("ingest.notifications.from", () -> "pts-ingest@pts.example");
        registry.add("ingest.notifications.worker-delay", () -> "200ms");
        registry.add("ingest.notifications.first-retry", () -> "500ms");
        registry.add("ingest.notifications.max-retry-interval", () -> "1s");
        // a message that keeps failing gives up after about 4.5 s (0 + 0.5 + 1 + 1 + 1 + 1)
        registry.add("ingest.notifications.max-attempts", () -> "6");
        // the rest of the service keeps out of the shared context's way (same database)
        registry.add("ingest.data-dir", () -> "target/it-data/mail");
        registry.add("ingest.sftp.port", () -> sftpPort);
        registry.add("ingest.sftp.poll-delay", () -> "1d");
        registry.add("ingest.delivery.worker-delay", () -> "1d");
        registry.add("ingest.production.worker-delay", () -> "1d");
        registry.add("ingest.as2.enabled", () -> "false");
        registry.add("camel.component.as2.enabled", () -> "false");
    }

    @Autowired
    Reminders reminders;

    @Autowired
    Outbox outbox;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    org.springframework.core.env.Environment environment;

    GreenMail smtp;

    @BeforeEach
    void startSmtpAndRegister() throws Exception {
        smtp = new GreenMail(new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        for (String table : new String[] {"providers", "self-reporters", "systems", "designations"}) {
            var result = importRegistry(table, FIXTURES.resolve(table + ".csv"));
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        }
    }

    @AfterEach
    void stopSmtp() {
        smtp.stop();
    }

    // ---- (a) invitation, password, login ----

    @Test
    void anInvitationsLinkSetsThePasswordOnceAndTheOwnerLogsIn() throws Exception {
        HttpResponse<String> invited = post(asOps("/api/v1/self-reporters/owner-ada/invitation"));
        assertThat(invited.statusCode()).as(invited.body()).isEqualTo(201);
        assertThat(JSON.readTree(invited.body()).get("state").asText()).isEqualTo("PENDING");

        MimeMessage mail = awaitMails(1).get(0);
        assertThat(to(mail)).isEqualTo("ada@owners.example");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("pts-ingest@pts.example");
        assertThat(mail.getSubject()).isEqualTo("Your account for reporting solar production");
        String body = text(mail);
        assertThat(body).contains("Hello Ada Lovelace", "reporter ID, to log in with: owner-ada");
        String token = token(body);

        HttpClient owner = browser();
        HttpResponse<String> page = get(owner, "/report/password?token=" + token);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"owner\">owner-ada<");
        // too short: explained on the same page, the link still works
        HttpResponse<String> tooShort = form(owner, "/report/password", csrf(page),
                "token", token, "password", "short", "repeated", "short");
        assertThat(tooShort.statusCode()).isEqualTo(302);
        HttpResponse<String> explained = get(owner, path(tooShort));
        assertThat(explained.body()).contains("at least 12 characters", "id=\"password-form\"");

        HttpResponse<String> set = form(owner, "/report/password", csrf(explained),
                "token", token, "password", PASSWORD, "repeated", PASSWORD);
        assertThat(set.statusCode()).isEqualTo(302);
        assertThat(path(set)).isEqualTo("/report/login?password");

        // (the login page itself is ReportController's; any /report form gives this session its CSRF token)
        HttpClient later = browser();
        HttpResponse<String> loggedIn = form(later, "/report/login", csrf(get(later, "/report/forgot")),
                "username", "owner-ada", "password", PASSWORD);
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        assertThat(path(loggedIn)).isEqualTo("/report");

        // the link is used up: a plain explanation, and a second POST changes nothing
        HttpResponse<String> again = get(browser(), "/report/password?token=" + token);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("id=\"link-unusable\"").doesNotContain("id=\"password-form\"");
        HttpClient replay = browser();
        HttpResponse<String> replayed = form(replay, "/report/password", csrf(get(replay, "/report/forgot")),
                "token", token, "password", "another password 123", "repeated", "another password 123");
        assertThat(replayed.statusCode()).isEqualTo(302);
        assertThat(get(replay, path(replayed)).body()).contains("expired or was already used");
        HttpClient oldPassword = browser();
        HttpResponse<String> stillOld = form(oldPassword, "/report/login", csrf(get(oldPassword, "/report/forgot")),
                "username", "owner-ada", "password", PASSWORD);
        assertThat(path(stillOld)).isEqualTo("/report");

        NotificationRecord n = dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("owner-ada"));
        assertThat(n.getState()).isEqualTo("SENT");
        assertThat(n.getAttempts()).isEqualTo(1);
        // sent: the database keeps the message, not a working link
        assertThat(n.getBody()).doesNotContain(token).contains("/report/password?token=(removed)");
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    /** 72 hours later the link explains itself instead of offering a form; the password is not set. */
    @Test
    void anExpiredLinkIsExplained() throws Exception {
        Instant now = Instant.now();
        clock.set(now);
        assertThat(post(asOps("/api/v1/self-reporters/owner-grace/invitation")).statusCode()).isEqualTo(201);
        String token = token(text(awaitMails(1).get(0)));
        clock.set(now.plus(Duration.ofHours(72)));
        HttpClient owner = browser();
        HttpResponse<String> page = get(owner, "/report/password?token=" + token);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"link-unusable\"", "cannot be used any more")
                .doesNotContain("id=\"password-form\"");
        HttpResponse<String> posted = form(owner, "/report/password", csrf(get(owner, "/report/forgot")),
                "token", token, "password", PASSWORD, "repeated", PASSWORD);
        assertThat(get(owner, path(posted)).body()).contains("id=\"link-unusable\"");
        assertThat(JSON.readTree(send(asOps("/api/v1/self-reporters").GET().build()).body()).findValuesAsText("state"))
                .containsExactly("NOT_INVITED", "INVITED", "NOT_INVITED", "NOT_INVITED");
    }

    @Test
    void invitationsOfUnknownOrDisabledSelfReportersAreRefused() throws Exception {
        assertThat(post(asOps("/api/v1/self-reporters/nobody/invitation")).statusCode()).isEqualTo(404);
        assertThat(post(asOps("/api/v1/self-reporters/sunwatch/invitation")).statusCode()).isEqualTo(404);
        HttpResponse<String> disabled = post(asOps("/api/v1/self-reporters/owner-off/disable"));
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        assertThat(JSON.readTree(disabled.body()).get("state").asText()).isEqualTo("DISABLED");
        assertThat(post(asOps("/api/v1/self-reporters/owner-off/invitation")).statusCode()).isEqualTo(409);
        HttpResponse<String> listed = send(asOps("/api/v1/self-reporters").GET().build());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).findValuesAsText("reporter_id"))
                .containsExactly("owner-ada", "owner-grace", "owner-idle", "owner-off");
        assertThat(post(asOps("/api/v1/self-reporters/owner-off/enable")).statusCode()).isEqualTo(200);
        assertThat(post(asOps("/api/v1/self-reporters/owner-off/invitation")).statusCode()).isEqualTo(201);
        assertThat(to(awaitMails(1).get(0))).isEqualTo("hedy@owners.example");
    }

    /** The same answer for an account and for none; only the account's owner gets a link, which works. */
    @Test
    void aForgottenPasswordLinkGoesOnlyToAnExistingAccount() throws Exception {
        HttpClient someone = browser();
        HttpResponse<String> nobody = form(someone, "/report/forgot", csrf(get(someone, "/report/forgot")),
                "who", "nobody@owners.example");
        HttpResponse<String> grace = form(someone, "/report/forgot", csrf(get(someone, "/report/forgot")),
                "who", "GRACE@owners.example");
        assertThat(path(nobody)).isEqualTo("/report/forgot?sent").isEqualTo(path(grace));
        assertThat(get(someone, "/report/forgot?sent").body()).contains("If an account exists");

        MimeMessage mail = awaitMails(1).get(0);
        assertThat(to(mail)).isEqualTo("grace@owners.example");
        String token = token(text(mail));
        HttpClient owner = browser();
        HttpResponse<String> set = form(owner, "/report/password",
                csrf(get(owner, "/report/password?token=" + token)), "token", token, "password", PASSWORD,
                "repeated", PASSWORD);
        assertThat(path(set)).isEqualTo("/report/login?password");
        // the sentinel proves the worker ran after the unknown address was asked for: still only Grace's mail
        post(asOps("/api/v1/self-reporters/owner-idle/invitation"));
        awaitMails(2);
        assertThat(dsl.fetchCount(NOTIFICATION)).isEqualTo(2);
    }

    // ---- (b) window-opening reminders, two jobs at once ----

    /**
     * A second instance of the service (its own SpringApplication, data directory and ports, the same
     * database and SMTP server) beside this one: both decide October's window-opening reminders at the same
     * moment, and both send e-mail. Each self-reporter owing a close gets one e-mail.
     */
    @Test
    void windowOpeningRemindersAreSentOnceWithTwoInstancesRunning() throws Exception {
        assertThat(post(asOps("/api/v1/self-reporters/owner-off/disable")).statusCode()).isEqualTo(200);
        Instant opens = Instant.parse("2025-10-27T04:00:00Z"); // 27 October 2025 00:00 EDT: October's window opens
        clock.set(opens);
        try (ConfigurableApplicationContext second = secondInstance()) {
            // its own clock, set to the same moment
            second.getBean(org.ptsingest.service.TestClock.class).set(opens);
            Reminders other = second.getBean(Reminders.class);
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> together(together, reminders::check));
            CompletableFuture<Integer> byOther = CompletableFuture.supplyAsync(() -> together(together, other::check));
            assertThat(first.get() + byOther.get()).isEqualTo(2);
            checkWindowReminders();
        }
    }

    private void checkWindowReminders() throws Exception {
        List<MimeMessage> mails = awaitMails(2);
        Map<String, String> byRecipient = new LinkedHashMap<>();
        for (MimeMessage m : mails) {
            byRecipient.put(to(m), text(m));
            assertThat(m.getSubject()).isEqualTo("Reporting window open: your meter reading for October 2025");
        }
        assertThat(byRecipient).containsOnlyKeys("ada@owners.example", "grace@owners.example");
        assertThat(byRecipient.get("ada@owners.example")).contains(
                "from Monday 27 October 2025 to Wednesday 5 November 2025 (inclusive, America/New_York time)",
                "  - SR-201\n  - SR-202\n", BASE_URL + "/report (reporter ID owner-ada)");
        assertThat(byRecipient.get("grace@owners.example")).contains("  - SR-203\n").doesNotContain("SR-201");

        // Even if both instances had computed the run (its marker gone), the outbox's key records nothing twice.
        dsl.deleteFrom(REMINDER_RUN).execute();
        clock.set(Instant.parse("2025-10-30T12:00:00Z"));
        assertThat(reminders.check()).isZero();
        assertThat(dsl.fetchCount(NOTIFICATION, NOTIFICATION.KIND.eq("WINDOW_OPEN"))).isEqualTo(2);
        // sentinel: the worker ran after that; still two reminders sent
        post(asOps("/api/v1/self-reporters/owner-idle/invitation"));
        awaitMails(3);
        assertThat(Arrays.stream(smtp.getReceivedMessages()).filter(m -> subject(m).startsWith("Reporting window")))
                .hasSize(2);
    }

    // ---- (c) the missing-report notice ----

    @Test
    void aDasProviderWithTenOrMoreMissingSystemsGetsTheNoticeWithTheList() throws Exception {
        clock.set(Instant.parse("2025-11-04T05:00:00Z")); // 4 November 00:00 EST: two days before the close
        reminders.check();

        // sunwatch's notice; the window reminders of Ada, Grace and Hedy (enabled here)
        List<MimeMessage> mails = awaitMails(4);
        List<MimeMessage> notices = mails.stream().filter(m -> subject(m).startsWith("Missing")).toList();
        assertThat(notices).hasSize(1);
        MimeMessage notice = notices.get(0);
        assertThat(to(notice)).isEqualTo("ops@sunwatch.example");
        assertThat(notice.getSubject()).isEqualTo("Missing production reports: 11 systems for October 2025");
        assertThat(text(notice)).contains("11 of the systems designated to you have no reading in the reporting "
                + "window for October 2025, which closes at the end of Wednesday 5 November 2025");
        Part csv = attachment(notice);
        assertThat(csv.getFileName()).isEqualTo("missing-reports-2025-10.csv");
        assertThat(csv.getContentType()).startsWith("text/csv");
        List<String> lines = new String(csv.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        List<String> expected = new ArrayList<>(List.of("system_id,provider_id,last_close_month"));
        for (int i = 101; i <= 111; i++) {
            expected.add("SW-" + i + ",sunwatch,");
        }
        assertThat(lines).isEqualTo(expected);

        // gridsense (10 missing) has no contact_email: recorded, not sendable; brightmeter (9): nothing. The mail
        // server has the message a moment before the outbox's transaction marks it SENT: wait for that commit.
        await("the notice marked SENT").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                dsl.select(NOTIFICATION.RECIPIENT_ID, NOTIFICATION.STATE).from(NOTIFICATION)
                        .where(NOTIFICATION.KIND.eq("MISSING_REPORTS"))
                        .fetchMap(NOTIFICATION.RECIPIENT_ID, NOTIFICATION.STATE))
                .containsOnly(Map.entry("sunwatch", "SENT"), Map.entry("gridsense", "NO_ADDRESS")));
        assertThat(dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("gridsense")).getBody())
                .contains("10 of the systems");
    }

    // ---- (d) SMTP down, then up ----

    @Test
    void aMessageFailsWhileSmtpIsDownAndIsSentOnceWhenItIsBack() throws Exception {
        smtp.stop();
        assertThat(post(asOps("/api/v1/self-reporters/owner-ada/invitation")).statusCode()).isEqualTo(201);

        NotificationRecord failed = await("a failed attempt").atMost(Duration.ofSeconds(30))
                .until(() -> dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("owner-ada")),
                        n -> n.getState().equals("FAILED"));
        assertThat(failed.getLastError()).isNotBlank();
        assertThat(failed.getNextAttemptAt()).isAfter(failed.getCreatedAt());
        assertThat(failed.getSentAt()).isNull();
        await("a second failed attempt, later").atMost(Duration.ofSeconds(30))
                .until(() -> dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("owner-ada")).getAttempts() >= 2);

        smtp = new GreenMail(new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        NotificationRecord sent = await("sent once the server is back").atMost(Duration.ofSeconds(30))
                .until(() -> dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("owner-ada")),
                        n -> n.getState().equals("SENT"));
        assertThat(sent.getSentAt()).isNotNull();
        // sentinel: a later message went out after it, and Ada's arrived exactly once
        post(asOps("/api/v1/self-reporters/owner-grace/invitation"));
        List<MimeMessage> mails = awaitMails(2);
        assertThat(mails.stream().map(NotificationMailIT::to).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("ada@owners.example", "grace@owners.example");
        assertThat(mails.get(0).getMessageID()).startsWith("<pts-notification-" + sent.getNotificationId() + "-");
    }

    /** A message no SMTP server can take (its address does not parse) is tried max-attempts times, then GAVE_UP. */
    @Test
    void aMessageThatKeepsFailingGivesUpAfterMaxAttempts() throws Exception {
        long id = tx.execute(status -> outbox.record(new Outbox.Message(Outbox.Kind.WINDOW_OPEN, "owner-ada",
                "ada at owners", java.time.YearMonth.of(2025, 10), "subject", "body", null))).orElseThrow();

        NotificationRecord gaveUp = await("given up").atMost(Duration.ofSeconds(30))
                .until(() -> dsl.fetchOne(NOTIFICATION, NOTIFICATION.NOTIFICATION_ID.eq(id)),
                        n -> n.getState().equals("GAVE_UP"));
        assertThat(gaveUp.getAttempts()).isEqualTo(6);
        assertThat(gaveUp.getLastError()).isNotBlank();
        assertThat(gaveUp.getSentAt()).isNull();
        // the same (kind, recipient, window) again is not recorded a second time
        java.util.Optional<Long> again = tx.execute(status -> outbox.record(new Outbox.Message(
                Outbox.Kind.WINDOW_OPEN, "owner-ada", "ada@owners.example", java.time.YearMonth.of(2025, 10), "subject",
                "body", null)));
        assertThat(again).isEmpty();
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    // ---- helpers ----

    /** Another instance on the same database and SMTP server; the caller closes it (it has no AS2 server). */
    ConfigurableApplicationContext secondInstance() {
        return new SpringApplicationBuilder(org.ptsingest.service.IngestServiceApplication.class,
                org.ptsingest.service.TestClock.Config.class).profiles("it")
                .run("--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                        "--server.port=0", "--ingest.data-dir=target/it-data/mail-second",
                        "--ingest.sftp.port=" + freePort(), "--ingest.sftp.poll-delay=1d",
                        "--ingest.delivery.worker-delay=1d", "--ingest.production.worker-delay=1d",
                        "--ingest.as2.enabled=false", "--camel.component.as2.enabled=false",
                        "--spring.mail.host=127.0.0.1", "--spring.mail.port=" + SMTP_PORT,
                        "--ingest.notifications.base-url=" + BASE_URL, "--ingest.notifications.worker-delay=200ms");
    }

    List<MimeMessage> awaitMails(int n) {
        await("%d e-mail(s)".formatted(n)).atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= n);
        return List.of(smtp.getReceivedMessages());
    }

    static String to(MimeMessage m) {
        try {
            Address[] to = m.getRecipients(RecipientType.TO);
            assertThat(to).hasSize(1);
            return to[0].toString();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The plain-text body (the first text part of a multipart message). */
    static String text(Part p) throws Exception {
        Object content = p.getContent();
        if (content instanceof String s) {
            return s.replace("\r\n", "\n");
        }
        Multipart parts = (Multipart) content;
        for (int i = 0; i < parts.getCount(); i++) {
            Part part = parts.getBodyPart(i);
            if (part.getFileName() == null && (part.isMimeType("text/plain") || part.isMimeType("multipart/*"))) {
                return text(part);
            }
        }
        throw new IllegalStateException("no text part");
    }

    static Part attachment(Part p) throws Exception {
        Multipart parts = (Multipart) p.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            Part part = parts.getBodyPart(i);
            if (part.getFileName() != null) {
                return part;
            }
            if (part.isMimeType("multipart/*")) {
                Part inner = attachment(part);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    static String token(String body) {
        Matcher m = LINK.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }

    static <T> T together(CyclicBarrier barrier, java.util.function.Supplier<T> job) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return job.get();
    }

    /** A browser's worth of HTTP: its own cookies (session, CSRF), no redirects followed. */
    HttpClient browser() throws Exception {
        return HttpClient.newBuilder().sslContext(tls()).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(url(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> form(HttpClient client, String path, String csrf, String... fields) throws Exception {
        StringBuilder body = new StringBuilder("_csrf=").append(URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        for (int i = 0; i < fields.length; i += 2) {
            body.append('&').append(fields[i]).append('=').append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        return client.send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(HttpRequest.Builder request) throws Exception {
        return send(request.POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as("a CSRF token in " + page.body()).isTrue();
        return m.group(1);
    }

    /** A redirect's target, as a path with its query. */
    static String path(HttpResponse<String> redirect) {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        java.net.URI uri = java.net.URI.create(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
}
