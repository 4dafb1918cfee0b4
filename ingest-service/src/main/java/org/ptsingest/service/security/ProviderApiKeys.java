package org.ptsingest.service.security;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_API_KEY;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Optional;
import org.jooq.DSLContext;
import org.springframework.stereotype.Service;

/**
 * API keys for providers' software on the HTTPS feed API: {@code pts_<keyId>_<secret>}. Issued and
 * revoked by ops; the key is returned once, only the SHA-256 of the secret is stored, and checks
 * compare digests in constant time.
 */
@Service
public class ProviderApiKeys {
    private static final String PREFIX = "pts_";

    private final DSLContext dsl;

    public ProviderApiKeys(DSLContext dsl) {
        this.dsl = dsl;
    }

    public record Issued(String keyId, String apiKey) {}

    public Issued issue(String providerId) {
        String keyId = HexFormat.of().formatHex(SecretTokens.random(6));
        String secret = SecretTokens.newToken();
        dsl.insertInto(PROVIDER_API_KEY).set(PROVIDER_API_KEY.KEY_ID, keyId)
                .set(PROVIDER_API_KEY.PROVIDER_ID, providerId).set(PROVIDER_API_KEY.SECRET_SHA256, SecretTokens.sha256(secret))
                .execute();
        return new Issued(keyId, PREFIX + keyId + "_" + secret);
    }

    /** True when an active key of that provider was revoked now. */
    public boolean revoke(String providerId, String keyId) {
        return dsl.update(PROVIDER_API_KEY).set(PROVIDER_API_KEY.REVOKED_AT, OffsetDateTime.now())
                .where(PROVIDER_API_KEY.KEY_ID.eq(keyId), PROVIDER_API_KEY.PROVIDER_ID.eq(providerId),
                        PROVIDER_API_KEY.REVOKED_AT.isNull())
                .execute() == 1;
    }

    /** The provider an active key belongs to. */
    public Optional<String> authenticate(String apiKey) {
        if (apiKey == null || !apiKey.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int sep = apiKey.indexOf('_', PREFIX.length());
        if (sep < 0) {
            return Optional.empty();
        }
        String keyId = apiKey.substring(PREFIX.length(), sep);
        String secret = apiKey.substring(sep + 1);
        var row = dsl.select(PROVIDER_API_KEY.PROVIDER_ID, PROVIDER_API_KEY.SECRET_SHA256).from(PROVIDER_API_KEY)
                .where(PROVIDER_API_KEY.KEY_ID.eq(keyId), PROVIDER_API_KEY.REVOKED_AT.isNull())
                .fetchOne();
        if (row == null || !MessageDigest.isEqual(row.value2().getBytes(StandardCharsets.US_ASCII),
                SecretTokens.sha256(secret).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        return Optional.of(row.value1());
    }

}
