package org.ptsingest.service.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the published contracts from schemas/ exactly as they are in the repository: the provider
 * API's OpenAPI document and the feed and receipt schemas it refers to (relative references resolve).
 */
@RestController
class ContractController {
    private static final Map<String, MediaType> CONTRACTS = Map.of(
            "openapi.yaml", MediaType.parseMediaType("application/yaml"),
            "receipt-v1.schema.json", MediaType.APPLICATION_JSON,
            "json-feed-v1.schema.json", MediaType.APPLICATION_JSON,
            "feed-v1.xsd", MediaType.APPLICATION_XML,
            "csv-feed-v1.md", MediaType.TEXT_MARKDOWN,
            "csv-feed-v1.tableschema.json", MediaType.APPLICATION_JSON);

    @GetMapping("/api/v1/{contract:openapi\\.yaml|.+\\.json|.+\\.xsd|.+\\.md}")
    ResponseEntity<byte[]> contract(@PathVariable String contract) throws IOException {
        MediaType type = CONTRACTS.get(contract);
        String resource = "/schemas/" + (contract.equals("openapi.yaml") ? "openapi-provider-v1.yaml" : contract);
        try (InputStream in = type == null ? null : getClass().getResourceAsStream(resource)) {
            if (in == null) {
                return ResponseEntity.notFound().build();
            }
            return ResponseEntity.ok().contentType(type).body(in.readAllBytes());
        }
    }
}
