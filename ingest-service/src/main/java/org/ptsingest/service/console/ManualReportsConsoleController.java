package org.ptsingest.service.console;

import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import org.ptsingest.feed.Echo;
import org.ptsingest.service.notify.CorrectionDecisions;
import org.ptsingest.service.report.ManualReadings;
import org.ptsingest.service.web.Months;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Self-reported months for ops: per reporting month, each system's manual reading (its feed is in the feed
 * list like any other), the owner's operational experience, and correction requests first — an owner cannot
 * change an accepted reading, so ops decide (reprocess, an adjustment of the month, or nothing) and record the
 * decision here ({@link CorrectionDecisions}), which tells the owner.
 */
@Controller
class ManualReportsConsoleController {
    private final ManualReadings manual;
    private final CorrectionDecisions corrections;

    ManualReportsConsoleController(ManualReadings manual, CorrectionDecisions corrections) {
        this.manual = manual;
        this.corrections = corrections;
    }

    /** Ops record what they did about a correction request (OPS only, as every console POST); the owner is told. */
    @PostMapping("/ops/manual-reports/correction")
    String decide(@RequestParam String system, @RequestParam String month,
            @RequestParam("requested_at") String requestedAt, @RequestParam CorrectionDecisions.Decision decision,
            @RequestParam(defaultValue = "") String reason, Authentication who, RedirectAttributes flash) {
        YearMonth m;
        try {
            m = Months.parse(month);
        } catch (DateTimeParseException e) {
            flash.addFlashAttribute("problem", "not a month: " + Echo.quote(month) + " (YYYY-MM)");
            return "redirect:/ops/manual-reports";
        }
        try {
            corrections.decide(system, m, Instant.parse(requestedAt), decision, reason, who.getName());
            flash.addFlashAttribute("notice", "The correction of " + system + " " + m + " is recorded as " + decision
                    + "; its owner is told by e-mail");
        } catch (CorrectionDecisions.Refused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        } catch (DateTimeParseException e) {
            flash.addFlashAttribute("problem", "the request's time is not readable; reload the page");
        }
        return "redirect:/ops/manual-reports?month=" + m;
    }

    @GetMapping("/ops/manual-reports")
    String month(@RequestParam(required = false) String month, Model model) {
        YearMonth shown = parse(month);
        model.addAttribute("month", shown);
        model.addAttribute("previous", shown.minusMonths(1));
        model.addAttribute("next", shown.plusMonths(1));
        model.addAttribute("reports", manual.month(shown));
        model.addAttribute("zone", manual.windows().zone());
        return "ops/manual-reports";
    }

    /** The given month, else the month whose window is open, else the last one that closed. */
    private YearMonth parse(String month) {
        if (month != null && !month.isBlank()) {
            try {
                return Months.parse(month.trim());
            } catch (DateTimeParseException e) {
                // fall back to the current window
            }
        }
        YearMonth open = manual.openMonth();
        return open != null ? open : manual.windows().nextWindow(manual.now()).minusMonths(1);
    }
}
