package org.ptsingest.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random secrets handed out once (API keys, one-time links) and the digest that is stored in their place.
 * They carry 256 random bits, so a fast hash is as safe as a slow one and keeps every check cheap.
 */
public final class SecretTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretTokens() {}

    public static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }

    /** 32 random bytes, URL-safe Base64 without padding. */
    public static String newToken() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
    }

    /** Lower-case hex SHA-256 of the text's UTF-8 bytes: what is stored instead of the secret. */
    public static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
