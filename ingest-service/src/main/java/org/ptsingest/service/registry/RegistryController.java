package org.ptsingest.service.registry;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;

import java.io.Reader;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.ptsingest.rules.ReporterKind;
import org.ptsingest.service.security.ProviderApiKeys;
import org.ptsingest.service.sftp.SshKeys;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Ops API for the registry: CSV imports (upsert), providers' SFTP keys and API keys. */
@RestController
class RegistryController {
    private final RegistryImport imports;
    private final DSLContext dsl;
    private final ProviderApiKeys apiKeys;

    RegistryController(RegistryImport imports, DSLContext dsl, ProviderApiKeys apiKeys) {
        this.imports = imports;
        this.dsl = dsl;
        this.apiKeys = apiKeys;
    }

    @PostMapping(path = "/api/v1/registry/providers", consumes = "text/csv")
    RegistryImportResult providers(Reader body) {
        return imports.providers(body);
    }

    @PostMapping(path = "/api/v1/registry/self-reporters", consumes = "text/csv")
    RegistryImportResult selfReporters(Reader body) {
        return imports.selfReporters(body);
    }

    @PostMapping(path = "/api/v1/registry/systems", consumes = "text/csv")
    RegistryImportResult systems(Reader body) {
        return imports.systems(body);
    }

    @PostMapping(path = "/api/v1/registry/designations", consumes = "text/csv")
    RegistryImportResult designations(Reader body) {
        return imports.designations(body);
    }

    @PostMapping(path = "/api/v1/registry/meter-exchanges", consumes = "text/csv")
    RegistryImportResult meterExchanges(Reader body) {
        return imports.meterExchanges(body);
    }

    /** Replaces the provider's SFTP keys with the OpenSSH public key lines of the body. */
    @PutMapping(path = "/api/v1/providers/{providerId}/ssh-keys", consumes = "text/plain")
    @Transactional
    ResponseEntity<?> sshKeys(@PathVariable String providerId, @RequestBody String body) {
        ResponseEntity<ProblemDetail> notADasProvider = notADasProvider(providerId);
        if (notADasProvider != null) {
            return notADasProvider;
        }
        List<SshKeys.ParsedKey> keys;
        try {
            keys = SshKeys.parseAll(body);
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, "INVALID_VALUE", e.getMessage());
        }
        dsl.deleteFrom(PROVIDER_SSH_KEY).where(PROVIDER_SSH_KEY.PROVIDER_ID.eq(providerId)).execute();
        for (SshKeys.ParsedKey k : keys) {
            dsl.insertInto(PROVIDER_SSH_KEY).set(PROVIDER_SSH_KEY.PROVIDER_ID, providerId)
                    .set(PROVIDER_SSH_KEY.FINGERPRINT, k.fingerprint()).set(PROVIDER_SSH_KEY.PUBLIC_KEY, k.line())
                    .onConflictDoNothing().execute();
        }
        return ResponseEntity.ok(Map.of("provider_id", providerId,
                "fingerprints", keys.stream().map(SshKeys.ParsedKey::fingerprint).distinct().toList()));
    }

    /** Issues an API key for the provider's software on the HTTPS feed API; the key is shown only here. */
    @PostMapping("/api/v1/providers/{providerId}/api-keys")
    ResponseEntity<?> issueApiKey(@PathVariable String providerId) {
        ResponseEntity<ProblemDetail> notADasProvider = notADasProvider(providerId);
        if (notADasProvider != null) {
            return notADasProvider;
        }
        ProviderApiKeys.Issued key = apiKeys.issue(providerId);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(Map.of("provider_id", providerId, "key_id", key.keyId(), "api_key", key.apiKey()));
    }

    @DeleteMapping("/api/v1/providers/{providerId}/api-keys/{keyId}")
    ResponseEntity<?> revokeApiKey(@PathVariable String providerId, @PathVariable String keyId) {
        return apiKeys.revoke(providerId, keyId) ? ResponseEntity.noContent().build()
                : problem(HttpStatus.NOT_FOUND, "UNKNOWN_KEY", "no active key " + keyId + " for " + providerId);
    }

    /**
     * SSH and API keys are for DAS providers' software; a self-reporter reports on the /report pages with a
     * password (a key would only reach channels whose feeds it may not send).
     */
    private ResponseEntity<ProblemDetail> notADasProvider(String providerId) {
        String kind = dsl.select(PROVIDER.KIND).from(PROVIDER).where(PROVIDER.PROVIDER_ID.eq(providerId))
                .fetchOne(PROVIDER.KIND);
        if (kind == null) {
            return problem(HttpStatus.NOT_FOUND, "UNKNOWN_PROVIDER", "provider " + providerId + " is not registered");
        }
        if (!ReporterKind.DAS_PROVIDER.name().equals(kind)) {
            return problem(HttpStatus.CONFLICT, "SELF_REPORTER", providerId + " is a self-reporter: it reports on "
                    + "the /report pages with a password, not with keys");
        }
        return null;
    }

    @ExceptionHandler(RegistryCsv.HeaderException.class)
    ResponseEntity<ProblemDetail> header(RegistryCsv.HeaderException e) {
        return problem(HttpStatus.BAD_REQUEST, "SCHEMA_VIOLATION", e.getMessage());
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String message) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, message);
        p.setTitle(code);
        p.setProperty("code", code);
        return ResponseEntity.status(status).body(p);
    }

}
