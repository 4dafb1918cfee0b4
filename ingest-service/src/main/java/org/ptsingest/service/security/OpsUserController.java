package org.ptsingest.service.security;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Ops manage named console/API users (OPS only, like the rest of /api). */
@RestController
class OpsUserController {
    private final OpsUsers users;

    OpsUserController(OpsUsers users) {
        this.users = users;
    }

    /** Body {@code {"password": "...", "role": "OPS"|"VIEWER"}}. */
    @PutMapping("/api/v1/ops-users/{username}")
    Map<String, Object> save(@PathVariable String username, @RequestBody Map<String, String> body, Authentication who) {
        users.save(username, body.get("password"), body.get("role"), who.getName());
        return Map.of("username", username, "role", body.get("role"));
    }

    @GetMapping("/api/v1/ops-users")
    List<Map<String, Object>> list() {
        return users.list();
    }

    @DeleteMapping("/api/v1/ops-users/{username}")
    ResponseEntity<Void> disable(@PathVariable String username) {
        if (!users.disable(username)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no enabled user " + username);
        }
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(OpsUsers.Refused.class)
    ProblemDetail refused(OpsUsers.Refused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
