package org.ptsingest.pipeline;

import java.time.Instant;
import java.util.UUID;

/**
 * A delivery's identity, one format for every channel: {@code <kind>:<value>}. The same identity again
 * is the same delivery (a retry, answered with what it became); other bytes under an identity that is
 * not {@linkplain #withContent content-addressed} are refused ({@link DeliveryIdentityConflict}).
 *
 * <ul>
 *   <li>{@code sftp:{providerId}/inbox/{file}@{size}@{mtime}@{sha256}} — a dropped file has no identity
 *       of its own, so its bytes are part of it;</li>
 *   <li>{@code https:{uuid}} — each post is a delivery;</li>
 *   <li>{@code as2:{providerId}:{Message-ID}} — one delivery per partner and Message-ID;</li>
 *   <li>{@code reprocess:{feedId}@{instant}} — ops ran a feed's bytes again;</li>
 *   <li>{@code manual:{reporterId}:{month}:{systemId, URL-encoded}#{attempt}} — a self-reporter's reading:
 *       the form for a system and month carries the number of its attempt (1, then one more after each
 *       rejected reading), so a double click, a reload or a resent form is the same delivery.</li>
 * </ul>
 */
public record DeliveryKey(Kind kind, String value) {

    public enum Kind {
        SFTP, HTTPS, AS2, REPROCESS, MANUAL;

        String prefix() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static DeliveryKey sftp(String relativePath, long size, long modified) {
        return new DeliveryKey(Kind.SFTP, relativePath + "@" + size + "@" + modified);
    }

    public static DeliveryKey https(UUID post) {
        return new DeliveryKey(Kind.HTTPS, post.toString());
    }

    public static DeliveryKey as2(String providerId, String messageId) {
        return new DeliveryKey(Kind.AS2, providerId + ":" + messageId);
    }

    public static DeliveryKey reprocess(long feedId, Instant requestedAt) {
        return new DeliveryKey(Kind.REPROCESS, feedId + "@" + requestedAt);
    }

    public static DeliveryKey manual(String reporterId, java.time.YearMonth month, String systemId, int attempt) {
        return parse(manualPrefix(reporterId, month, systemId) + attempt);
    }

    /**
     * What the text of every manual key of the reporter, month and system starts with, {@code manual:} included
     * (no system id's prefix is another's: '#' is encoded).
     */
    public static String manualPrefix(String reporterId, java.time.YearMonth month, String systemId) {
        return Kind.MANUAL.prefix() + ":" + reporterId + ":" + month + ":"
                + java.net.URLEncoder.encode(systemId, java.nio.charset.StandardCharsets.UTF_8) + "#";
    }

    /** The SFTP identity completed with the bytes' SHA-256; other kinds are identified without it. */
    public DeliveryKey withContent(String sha256) {
        return kind == Kind.SFTP ? new DeliveryKey(kind, value + "@" + sha256) : this;
    }

    public static DeliveryKey parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a delivery key: " + text);
        }
        return new DeliveryKey(Kind.valueOf(text.substring(0, colon).toUpperCase(java.util.Locale.ROOT)),
                text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return kind.prefix() + ":" + value;
    }
}
