package org.ptsingest.rules;

/**
 * Who may be a system's designated reporter: an approved DAS provider, delivering over SFTP, HTTPS or
 * AS2, or the owner of a small system reporting its own meter on the /report pages (channel MANUAL). One
 * id space: a designation, a feed and a reading name either kind by its id.
 */
public enum ReporterKind {
    DAS_PROVIDER("DAS provider"),
    SELF_REPORTER("self-reporter");

    private final String label;

    ReporterKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
