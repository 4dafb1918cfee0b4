package org.ptsingest.service.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.NOTIFICATION;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;

/**
 * The console's Self-reporters and Notifications pages in headless Chromium, in the default run: no SMTP
 * server is configured, so invitations are recorded KEPT and shown, not sent.
 */
class NotifyConsoleIT extends IngestItSupport {
    static final Path FIXTURES = SAMPLES.resolve("registry/reminders");

    Browser browser;

    @BeforeEach
    void start() throws Exception {
        for (String table : new String[] {"providers", "self-reporters", "systems", "designations"}) {
            var result = importRegistry(table, FIXTURES.resolve(table + ".csv"));
            assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        }
        browser = new Browser("https://localhost:" + port);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void opsInviteDisableAndEnableSelfReportersAndReadTheKeptMessages() throws Exception {
        HttpResponse<String> api = send(asOps("/api/v1/self-reporters/owner-ada/invitation")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(201);
        assertThat(JSON.readTree(api.body()).get("state").asText()).isEqualTo("KEPT");

        browser.logIn("ops", properties.ops().password());
        browser.open("/ops/self-reporters");
        assertThat(browser.find("#not-sending").getText()).contains("No SMTP server is configured");
        assertThat(browser.find("#reporter-owner-ada .status").getText()).isEqualTo("invited");
        assertThat(browser.find("#reporter-owner-ada button.invite").getText()).isEqualTo("Resend invitation");
        assertThat(browser.find("#reporter-owner-grace .status").getText()).isEqualTo("not invited");

        browser.clickAndWait(browser.find("#reporter-owner-grace button.invite"));
        assertThat(browser.find("#notice").getText()).startsWith("Invitation for owner-grace recorded").contains("KEPT");
        assertThat(browser.find("#reporter-owner-grace .status").getText()).isEqualTo("invited");

        browser.clickAndWait(browser.find("#reporter-owner-off button.disable"));
        assertThat(browser.find("#reporter-owner-off .status").getText()).isEqualTo("disabled");
        assertThat(browser.all("#reporter-owner-off button.invite")).isEmpty();
        browser.screenshot("self-reporters");
        browser.clickAndWait(browser.find("#reporter-owner-off button.enable"));
        assertThat(browser.find("#reporter-owner-off .status").getText()).isEqualTo("not invited");

        browser.clickAndWait(browser.find("header.top nav a[href$='/ops/notifications']"));
        assertThat(browser.all("#notifications tr[id^='notification-']")).hasSize(2);
        long grace = dsl.fetchOne(NOTIFICATION, NOTIFICATION.RECIPIENT_ID.eq("owner-grace")).getNotificationId();
        // newest first
        assertThat(browser.all("#notifications tr[id^='notification-']").get(0).getAttribute("id"))
                .isEqualTo("notification-" + grace);
        assertThat(browser.find("#notification-" + grace + " .state").getText()).isEqualTo("KEPT");
        browser.screenshot("notifications");
        browser.clickAndWait(browser.find("#notification-" + grace + " td:nth-child(5) a"));
        assertThat(browser.find("#subject").getText()).isEqualTo("Your account for reporting solar production");
        assertThat(browser.find("#email").getText()).isEqualTo("grace@owners.example");
        assertThat(browser.find("#body").getText()).contains("Hello Grace Hopper",
                properties.notifications().baseUrl() + "/report/password?token=");
    }

    @Test
    void aViewerSeesThePagesWithoutButtonsAndCannotPost() throws Exception {
        browser.logIn("viewer", properties.ops().viewerPassword());
        browser.open("/ops/self-reporters");
        assertThat(browser.find("#reporter-owner-ada .status").getText()).isEqualTo("not invited");
        assertThat(browser.all("#self-reporters button")).isEmpty();
        browser.open("/ops/notifications");
        assertThat(browser.find("#notifications").getText()).contains("None.");
        // a kept invitation: the viewer reads it without its working link
        HttpResponse<String> invited = send(asOps("/api/v1/self-reporters/owner-ada/invitation")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        long id = JSON.readTree(invited.body()).get("notification_id").asLong();
        browser.open("/ops/notifications/" + id);
        assertThat(browser.find("#body").getText()).contains("/report/password?token=(removed)");
        // the API is ops' alone
        String basic = java.util.Base64.getEncoder().encodeToString(("viewer:" + properties.ops().viewerPassword())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> refused = send(HttpRequest.newBuilder(url("/api/v1/self-reporters/owner-ada/invitation"))
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(dsl.fetchCount(NOTIFICATION)).isEqualTo(1);
    }
}
