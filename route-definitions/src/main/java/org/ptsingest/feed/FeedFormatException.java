package org.ptsingest.feed;

/**
 * A structural problem that rejects the feed whole (code SCHEMA_VIOLATION). The message always
 * names the line, and the column where there is one.
 */
public class FeedFormatException extends Exception {
    private final long line;

    public FeedFormatException(long line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    public FeedFormatException(long line, String message, Throwable cause) {
        super("line " + line + ": " + message, cause);
        this.line = line;
    }

    public long line() {
        return line;
    }
}
