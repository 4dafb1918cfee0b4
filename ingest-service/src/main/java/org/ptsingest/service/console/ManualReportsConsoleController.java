package org.ptsingest.service.console;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import org.ptsingest.service.report.ManualReadings;
import org.ptsingest.service.web.Months;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Self-reported months for ops: per reporting month, each system's manual reading (its feed is in the feed
 * list like any other), the owner's operational experience, and correction requests first — an owner cannot
 * change an accepted reading, so ops decide (reprocess, an adjustment of the month, or nothing).
 */
@Controller
class ManualReportsConsoleController {
    private final ManualReadings manual;

    ManualReportsConsoleController(ManualReadings manual) {
        this.manual = manual;
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
