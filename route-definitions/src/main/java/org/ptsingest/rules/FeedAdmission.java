package org.ptsingest.rules;

import java.time.Instant;
import java.time.LocalDate;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;

/**
 * The decisions about a feed as a whole, before any of its readings is looked at, in the order they
 * apply: the same bytes from the same provider again (DUPLICATE_FEED, answered with the original), an
 * unknown provider, a provider not approved on the day the feed was received (a self-reporter needs no
 * approval, but reports on the /report pages only, and a DAS provider never there), a file name that is
 * not allowed. The persistence code gathers the facts and records the answer; it decides nothing.
 */
public final class FeedAdmission {
    private FeedAdmission() {}

    /** Why a feed stops here: its status, code and the message its receipt carries. */
    public record Refusal(FeedStatus status, OutcomeCode code, String message) {}

    /** An earlier feed of the same provider with the same bytes. */
    public record EarlierFeed(long feedId, String fileName, Instant receivedAt) {}

    /**
     * @param sameBytes the provider's earlier feed with these bytes, or null (always null for a reprocess,
     *     which runs bytes already received on purpose)
     * @param history the provider's registry history, or null when it is not registered
     * @param nameProblem why the file name is not allowed ({@code FeedFileName.problem}), or null
     * @return the refusal, or null when the feed goes on to have its readings judged
     */
    public static Refusal judge(String providerId, Channel channel, EarlierFeed sameBytes, ProviderHistory history,
            LocalDate receivedOn, String nameProblem) {
        if (sameBytes != null) {
            return new Refusal(FeedStatus.DUPLICATE_FEED, OutcomeCode.DUPLICATE_FEED, "the same bytes were received "
                    + "as feed " + sameBytes.feedId() + " (" + sameBytes.fileName() + ") at " + sameBytes.receivedAt()
                    + "; nothing was reprocessed");
        }
        if (history == null) {
            return new Refusal(FeedStatus.REJECTED, OutcomeCode.UNKNOWN_PROVIDER,
                    "provider " + providerId + " is not registered");
        }
        boolean manual = channel == Channel.MANUAL;
        if (history.kind() == ReporterKind.SELF_REPORTER || manual) {
            if (history.kind() != ReporterKind.SELF_REPORTER || !manual) {
                return new Refusal(FeedStatus.REJECTED, OutcomeCode.PROVIDER_NOT_APPROVED, manual
                        ? providerId + " is a DAS provider: it delivers over SFTP, HTTPS or AS2, not on the /report pages"
                        : providerId + " is a self-reporter: it reports on the /report pages, not over " + channel);
            }
        } else if (!history.approvedOn(receivedOn)) {
            ProviderStatus status = history.statusOn(receivedOn);
            return new Refusal(FeedStatus.REJECTED, OutcomeCode.PROVIDER_NOT_APPROVED, "provider " + providerId
                    + (status == null ? " has no approval" : " is " + status) + " on " + receivedOn);
        }
        if (nameProblem != null) {
            return new Refusal(FeedStatus.REJECTED, OutcomeCode.FILE_NAME_NOT_ALLOWED, nameProblem);
        }
        return null;
    }
}
