package org.ptsingest.service.console;

import org.ptsingest.service.security.SecurityConfig;
import org.springframework.security.core.Authentication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every console page's header shows: who is logged in, and whether they may act (OPS) or only look. */
@ControllerAdvice(assignableTypes = {ConsoleController.class, ProductionConsoleController.class,
        ManualReportsConsoleController.class, NotifyConsoleController.class})
class ConsoleModel {

    @ModelAttribute
    void common(Model model, Authentication who) {
        if (who != null) {
            model.addAttribute("user", who.getName());
            model.addAttribute("canAct", who.getAuthorities().stream()
                    .anyMatch(a -> a.getAuthority().equals("ROLE_" + SecurityConfig.ROLE_OPS)));
        }
    }
}
