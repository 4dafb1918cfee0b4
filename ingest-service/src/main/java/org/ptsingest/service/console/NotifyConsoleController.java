package org.ptsingest.service.console;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.notify.AccountMails;
import org.ptsingest.service.notify.Outbox;
import org.ptsingest.service.persistence.jooq.tables.records.NotificationRecord;
import org.ptsingest.service.report.SelfReporters;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The console's self-reporters (invite, disable, enable) and notifications (the e-mail outbox). */
@Controller
class NotifyConsoleController {
    static final int NOTIFICATIONS_PAGE = 200;

    private final SelfReporters reporters;
    private final AccountMails mails;
    private final Outbox outbox;
    private final IngestProperties properties;

    NotifyConsoleController(SelfReporters reporters, AccountMails mails, Outbox outbox, IngestProperties properties) {
        this.reporters = reporters;
        this.mails = mails;
        this.outbox = outbox;
        this.properties = properties;
    }

    @GetMapping("/ops/self-reporters")
    String selfReporters(Model model) {
        model.addAttribute("accounts", reporters.list().stream()
                .map(a -> Map.of("account", a, "state", AccountMails.state(a).name())).toList());
        model.addAttribute("zone", properties.rules().zone());
        model.addAttribute("sending", outbox.sending());
        return "ops/self-reporters";
    }

    @PostMapping("/ops/self-reporters/{id}/invite")
    String invite(@PathVariable String id, RedirectAttributes flash) {
        try {
            AccountMails.Invitation i = mails.invite(id);
            flash.addFlashAttribute("notice", "Invitation for " + id + " recorded (notification " + i.notificationId()
                    + ", " + i.state() + "); its link works until " + i.expiresAt());
        } catch (AccountMails.NotFound | AccountMails.Disabled e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/ops/self-reporters";
    }

    @PostMapping("/ops/self-reporters/{id}/disable")
    String disable(@PathVariable String id, Authentication who, RedirectAttributes flash) {
        flash.addFlashAttribute(reporters.disable(id, who.getName()) ? "notice" : "problem",
                reporters.account(id).isPresent() ? id + " is disabled: it cannot log in; its reports stay"
                        : "no self-reporter " + id);
        return "redirect:/ops/self-reporters";
    }

    @PostMapping("/ops/self-reporters/{id}/enable")
    String enable(@PathVariable String id, RedirectAttributes flash) {
        flash.addFlashAttribute(reporters.enable(id) ? "notice" : "problem",
                reporters.account(id).isPresent() ? id + " is enabled" : "no self-reporter " + id);
        return "redirect:/ops/self-reporters";
    }

    @GetMapping("/ops/notifications")
    String notifications(@RequestParam(required = false) String state, Model model) {
        Outbox.State filter = Arrays.stream(Outbox.State.values()).filter(s -> s.name().equals(state)).findFirst()
                .orElse(null);
        List<NotificationRecord> rows = outbox.list(filter, NOTIFICATIONS_PAGE);
        model.addAttribute("notifications", rows);
        model.addAttribute("states", Outbox.State.values());
        model.addAttribute("state", filter == null ? null : filter.name());
        model.addAttribute("sending", outbox.sending());
        model.addAttribute("zone", properties.rules().zone());
        return "ops/notifications";
    }

    /** The body as stored; a one-time link (in a message not sent yet) only for OPS, who may hand it over. */
    @GetMapping("/ops/notifications/{id}")
    String notification(@PathVariable long id, Authentication who, Model model) {
        NotificationRecord n = outbox.find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        boolean ops = who.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + org.ptsingest.service.security.SecurityConfig.ROLE_OPS));
        model.addAttribute("n", n);
        model.addAttribute("body", ops ? n.getBody() : Outbox.withoutLinks(n.getBody()));
        model.addAttribute("zone", properties.rules().zone());
        return "ops/notification";
    }

    @GetMapping("/ops/notifications/{id}/attachment")
    ResponseEntity<byte[]> attachment(@PathVariable long id) {
        NotificationRecord n = outbox.find(id).filter(r -> r.getAttachment() != null)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(n.getAttachmentContentType()))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(n.getAttachmentName()).build().toString())
                .body(n.getAttachment());
    }
}
