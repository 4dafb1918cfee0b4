package org.ptsingest.service.notify;

import org.ptsingest.service.report.SelfReporters;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The pages an owner reaches without logging in: choosing a password through a one-time link (invitation
 * or forgotten password), and asking for such a link. Every POST answers with a redirect; a link that
 * expired or was used shows a plain explanation, never an error page.
 */
@Controller
class ReporterAccountController {
    private final SelfReporters reporters;
    private final AccountMails mails;

    ReporterAccountController(SelfReporters reporters, AccountMails mails) {
        this.reporters = reporters;
        this.mails = mails;
    }

    @GetMapping("/report/password")
    String password(@RequestParam(required = false) String token, Model model) {
        model.addAttribute("token", token);
        model.addAttribute("owner", reporters.linkOwner(token).orElse(null));
        return "report/password";
    }

    @PostMapping("/report/password")
    String setPassword(@RequestParam(required = false) String token, @RequestParam(required = false) String password,
            @RequestParam(required = false) String repeated, RedirectAttributes redirect) {
        try {
            reporters.setPassword(token, password, repeated);
            return "redirect:/report/login?password";
        } catch (SelfReporters.Refused e) {
            redirect.addFlashAttribute("problem", e.getMessage());
            if (token != null) {
                redirect.addAttribute("token", token);
            }
            return "redirect:/report/password";
        }
    }

    @GetMapping("/report/forgot")
    String forgot() {
        return "report/forgot";
    }

    /** The same answer whether or not an account exists (and whether or not it is enabled). */
    @PostMapping("/report/forgot")
    String askForLink(@RequestParam(required = false) String who) {
        mails.forgot(who);
        return "redirect:/report/forgot?sent";
    }
}
