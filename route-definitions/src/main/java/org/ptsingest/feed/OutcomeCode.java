package org.ptsingest.feed;

/**
 * Every stable code the service can put in a receipt. The receipt schema
 * ({@code schemas/receipt-v1.schema.json}) lists the same codes; {@code OutcomeCodeSchemaTest} keeps
 * the two in step. Reading codes are declared in precedence order: when several apply to one
 * reading, the first declared wins ({@link #ACCEPTED} and {@link #HIGH_PRODUCTION} aside, which
 * only apply when nothing else does).
 */
public enum OutcomeCode {
    // Feed level: the whole feed is judged at once.
    UNKNOWN_PROVIDER(Scope.FEED, Disposition.REJECTED, "The sender is not a registered DAS provider."),
    PROVIDER_NOT_APPROVED(Scope.FEED, Disposition.REJECTED, "The provider was not APPROVED at receipt time, or the sender used a channel its kind may not (a self-reporter outside /report, a DAS provider on it)."),
    FILE_NAME_NOT_ALLOWED(Scope.FEED, Disposition.REJECTED, "The feed's file name has characters or a length the service does not take."),
    SCHEMA_VIOLATION(Scope.FEED, Disposition.REJECTED, "The feed does not follow its format."),
    DUPLICATE_FEED(Scope.FEED, Disposition.NO_OP, "The provider sent exactly these bytes before."),

    // Reading level, in precedence order.
    INVALID_VALUE(Scope.READING, Disposition.REJECTED, "A value of the record cannot be read."),
    UNKNOWN_SYSTEM(Scope.READING, Disposition.REJECTED, "system_id is not in the registry."),
    NOT_DESIGNATED_REPORTER(Scope.READING, Disposition.REJECTED, "The provider was not the system's designated reporter at read_at."),
    DAS_MANDATE(Scope.READING, Disposition.REJECTED, "System above the DAS threshold reported by a reporter that was not an approved DAS provider at read_at."),
    FUTURE_READING(Scope.READING, Disposition.REJECTED, "read_at is after the feed was received."),
    BEFORE_INTERCONNECTION(Scope.READING, Disposition.REJECTED, "read_at is before the system's interconnection date."),
    METER_NOT_INSTALLED(Scope.READING, Disposition.REJECTED, "meter_serial is not the meter installed on the system at read_at (registered meter and meter exchanges)."),
    DUPLICATE(Scope.READING, Disposition.NO_OP, "Identical to a stored reading or an earlier record."),
    CONFLICTING_READING(Scope.READING, Disposition.REJECTED, "Different value for a stored reading's system, meter and time; the stored one stands."),
    REGISTER_DECREASED(Scope.READING, Disposition.REJECTED, "The register goes backwards against a neighbouring reading."),
    CAPACITY_EXCEEDED(Scope.READING, Disposition.REJECTED, "Implied production exceeds DC capacity x hours."),
    HIGH_PRODUCTION(Scope.READING, Disposition.FLAGGED, "Accepted, flagged for review: capacity factor above the ceiling."),
    ACCEPTED(Scope.READING, Disposition.ACCEPTED, "Stored.");

    public enum Scope { FEED, READING }

    /** What a code means for the data: stored, stored and flagged, nothing to do, or refused. */
    public enum Disposition { ACCEPTED, FLAGGED, NO_OP, REJECTED }

    private final Scope scope;
    private final Disposition disposition;
    private final String meaning;

    OutcomeCode(Scope scope, Disposition disposition, String meaning) {
        this.scope = scope;
        this.disposition = disposition;
        this.meaning = meaning;
    }

    public Scope scope() {
        return scope;
    }

    public Disposition disposition() {
        return disposition;
    }

    public String meaning() {
        return meaning;
    }

    /** Stored in the readings table (plainly or flagged). */
    public boolean stores() {
        return disposition == Disposition.ACCEPTED || disposition == Disposition.FLAGGED;
    }

    public boolean rejects() {
        return disposition == Disposition.REJECTED;
    }
}
