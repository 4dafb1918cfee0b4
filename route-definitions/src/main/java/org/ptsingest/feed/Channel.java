package org.ptsingest.feed;

/** How a feed reached the service. */
public enum Channel {
    /**
     * A file in a drop box has no identity of its own: where it lay, its size and mtime, and its bytes.
     * The pipeline adds the bytes' SHA-256 (computed anyway while archiving) to the channel's source key,
     * so new bytes under an old name, size and mtime are a new delivery, the same file again a retry.
     */
    SFTP(true),
    /** Each post is its own delivery. */
    HTTPS(false),
    /** A message is identified by its Message-ID: other bytes under the same one are refused, not a new feed. */
    AS2(false),
    /**
     * A reading a self-reporter entered on the /report pages; identified by the one-time form it was
     * entered on, so a double click or a resent form is the same delivery.
     */
    MANUAL(false);

    private final boolean identifiedByContent;

    Channel(boolean identifiedByContent) {
        this.identifiedByContent = identifiedByContent;
    }

    public boolean identifiedByContent() {
        return identifiedByContent;
    }
}
