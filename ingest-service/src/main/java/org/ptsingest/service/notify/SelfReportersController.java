package org.ptsingest.service.notify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ptsingest.service.report.SelfReporters;
import org.ptsingest.service.report.SelfReporters.Account;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Ops: self-reporters' accounts (list, invite or invite again, disable, enable). */
@RestController
@RequestMapping("/api/v1/self-reporters")
class SelfReportersController {
    private final SelfReporters reporters;
    private final AccountMails mails;

    SelfReportersController(SelfReporters reporters, AccountMails mails) {
        this.reporters = reporters;
        this.mails = mails;
    }

    @GetMapping
    List<Map<String, Object>> list() {
        return reporters.list().stream().map(this::describe).toList();
    }

    /** 201 with the message's id and state (PENDING, or KEPT without SMTP); 404 unknown, 409 disabled. */
    @PostMapping("/{id}/invitation")
    ResponseEntity<Map<String, Object>> invite(@PathVariable String id) {
        try {
            AccountMails.Invitation i = mails.invite(id);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("reporter_id", i.reporterId());
            out.put("notification_id", i.notificationId());
            out.put("state", i.state().name());
            out.put("link_expires_at", i.expiresAt().toString());
            return ResponseEntity.status(HttpStatus.CREATED).body(out);
        } catch (AccountMails.NotFound e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage());
        } catch (AccountMails.Disabled e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    @PostMapping("/{id}/disable")
    Map<String, Object> disable(@PathVariable String id, Authentication who) {
        account(id);
        reporters.disable(id, who.getName());
        return describe(account(id));
    }

    @PostMapping("/{id}/enable")
    Map<String, Object> enable(@PathVariable String id) {
        account(id);
        reporters.enable(id);
        return describe(account(id));
    }

    private Account account(String id) {
        return reporters.account(id).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "no self-reporter " + id));
    }

    private Map<String, Object> describe(Account a) {
        Map<String, Object> out = new LinkedHashMap<>(reporters.describe(a));
        out.put("state", AccountMails.state(a).name());
        return out;
    }
}
