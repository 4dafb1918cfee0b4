package org.ptsingest.service.as2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ptsingest.config.IngestProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * AS2 set-up over HTTPS: what partners configure (the service's AS2 identity, URL and certificate,
 * public) and what ops register for each provider (its AS2 identity and signing certificate).
 */
@RestController
@ConditionalOnProperty(name = "ingest.as2.enabled", havingValue = "true", matchIfMissing = true)
class As2Controller {
    private final As2Identity identity;
    private final As2Partners partners;
    private final IngestProperties properties;

    As2Controller(As2Identity identity, As2Partners partners, IngestProperties properties) {
        this.identity = identity;
        this.partners = partners;
        this.properties = properties;
    }

    /** Everything a partner's AS2 gateway needs, in one answer. */
    private static final String LEGACY_ALGORITHMS_ALLOWED = "legacy_algorithms_allowed";

    @GetMapping("/api/v1/as2")
    Map<String, Object> service() {
        IngestProperties.As2 as2 = properties.as2();
        X509Certificate cert = identity.decryptionCertificate();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("as2_id", as2.as2Id());
        m.put("url", as2.url());
        m.put("certificate_url", "/api/v1/as2/certificate");
        m.put("certificate_subject", cert.getSubjectX500Principal().getName());
        m.put("certificate_serial", cert.getSerialNumber().toString(16));
        m.put("certificate_not_after", cert.getNotAfter().toInstant().toString());
        m.put("message_security", "signed and encrypted (S/MIME), both required");
        m.put("signature_algorithms", List.of("sha-256", "sha-384", "sha-512"));
        m.put("encryption_algorithms", List.of("aes128-cbc", "aes192-cbc", "aes256-cbc"));
        // only for partners registered with legacy_algorithms_allowed (LegacyAlgorithms)
        m.put("legacy_algorithms", List.of("sha-1", "3des"));
        m.put("payloads", Map.of(
                "application/xml", "XML feed v1 (feed-v1.xsd) or PTS ARData document",
                "application/edi-consent", "CSV feed v1 (csv-feed-v1.md)"));
        m.put("mdn", "synchronous, or asynchronous to Receipt-Delivery-Option; signed when requested, with the first "
                + "signed-receipt-micalg the service supports (sha-256 when none)");
        m.put("max_message_size", as2.maxMessageSize().toBytes());
        m.put("receipt_url", "/api/v1/as2/receipt?message_id={Message-ID}");
        return m;
    }

    @GetMapping(path = "/api/v1/as2/certificate", produces = "application/x-pem-file")
    ResponseEntity<String> certificate() throws IOException {
        return ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"" + properties.as2().as2Id() + ".pem\"")
                .body(identity.certificatesPem());
    }

    /**
     * Body: {@code {"as2_id": "...", "certificate": "-----BEGIN CERTIFICATE-----...",
     * "legacy_algorithms_allowed": false}}; the last is optional and defaults to
     * {@code ingest.as2.legacy-algorithms-allowed-by-default}.
     */
    @PutMapping(path = "/api/v1/providers/{providerId}/as2-partner", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> register(@PathVariable String providerId, @RequestBody Map<String, Object> body) {
        Object cert = body.get("certificate");
        Object asId = body.get("as2_id");
        Object legacy = body.get(LEGACY_ALGORITHMS_ALLOWED);
        if (legacy != null && !(legacy instanceof Boolean)) {
            throw new As2Partners.RegistrationException(LEGACY_ALGORITHMS_ALLOWED + " must be true or false", false);
        }
        return view(partners.register(providerId, asId instanceof String s ? s : null,
                cert instanceof String c ? c.getBytes(StandardCharsets.US_ASCII) : null,
                legacy == null ? properties.as2().legacyAlgorithmsAllowedByDefault() : (Boolean) legacy));
    }

    @GetMapping("/api/v1/providers/{providerId}/as2-partner")
    Map<String, Object> partner(@PathVariable String providerId) {
        return view(partners.byProvider(providerId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "provider " + providerId + " has no AS2 partner registration")));
    }

    @GetMapping("/api/v1/as2/partners")
    List<Map<String, Object>> all() {
        return partners.all().stream().map(As2Controller::view).toList();
    }

    @DeleteMapping("/api/v1/providers/{providerId}/as2-partner")
    ResponseEntity<Void> remove(@PathVariable String providerId) {
        if (!partners.remove(providerId)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "provider " + providerId + " has no AS2 partner registration");
        }
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(As2Partners.RegistrationException.class)
    ProblemDetail refused(As2Partners.RegistrationException e) {
        return ProblemDetail.forStatusAndDetail(e.conflict() ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST,
                e.getMessage());
    }

    private static Map<String, Object> view(As2Partners.Partner p) {
        X509Certificate c = p.certificate();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_id", p.providerId());
        m.put("as2_id", p.as2Id());
        m.put("certificate_subject", c.getSubjectX500Principal().getName());
        m.put("certificate_issuer", c.getIssuerX500Principal().getName());
        m.put("certificate_serial", c.getSerialNumber().toString(16));
        m.put("certificate_not_before", c.getNotBefore().toInstant().toString());
        m.put("certificate_not_after", c.getNotAfter().toInstant().toString());
        m.put("registered_at", p.registeredAt().toString());
        m.put(LEGACY_ALGORITHMS_ALLOWED, p.legacyAlgorithmsAllowed());
        return m;
    }
}
