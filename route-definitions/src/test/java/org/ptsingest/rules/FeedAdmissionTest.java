package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.OutcomeCode;

/** Feed-level decisions by reporter kind: a self-reporter needs no approval but reports only on the /report pages. */
class FeedAdmissionTest {
    static final LocalDate DAY = LocalDate.of(2026, 12, 1);
    static final ProviderHistory APPROVED = new ProviderHistory(Map.of(LocalDate.of(2020, 1, 1), ProviderStatus.APPROVED));
    static final ProviderHistory SUSPENDED = new ProviderHistory(Map.of(LocalDate.of(2020, 1, 1), ProviderStatus.SUSPENDED));
    static final ProviderHistory SELF = new ProviderHistory(ReporterKind.SELF_REPORTER, Map.of());

    @Test
    void aSelfReportersManualFeedIsAdmittedWithoutApproval() {
        assertThat(FeedAdmission.judge("owner-2001", Channel.MANUAL, null, SELF, DAY, null)).isNull();
    }

    @Test
    void aSelfReporterOverAProviderChannelIsRefused() {
        for (Channel channel : new Channel[] {Channel.SFTP, Channel.HTTPS, Channel.AS2}) {
            FeedAdmission.Refusal r = FeedAdmission.judge("owner-2001", channel, null, SELF, DAY, null);
            assertThat(r.code()).isEqualTo(OutcomeCode.PROVIDER_NOT_APPROVED);
            assertThat(r.message()).contains("self-reporter", "/report pages", channel.name());
        }
    }

    @Test
    void aDasProviderOnTheManualChannelIsRefusedEvenWhenApproved() {
        FeedAdmission.Refusal r = FeedAdmission.judge("sunwatch", Channel.MANUAL, null, APPROVED, DAY, null);
        assertThat(r.code()).isEqualTo(OutcomeCode.PROVIDER_NOT_APPROVED);
        assertThat(r.message()).contains("DAS provider");
    }

    @Test
    void aDasProviderNeedsApprovalAsBefore() {
        assertThat(FeedAdmission.judge("sunwatch", Channel.SFTP, null, APPROVED, DAY, null)).isNull();
        assertThat(FeedAdmission.judge("oldmeter", Channel.SFTP, null, SUSPENDED, DAY, null).code())
                .isEqualTo(OutcomeCode.PROVIDER_NOT_APPROVED);
        assertThat(FeedAdmission.judge("nobody", Channel.SFTP, null, null, DAY, null).code())
                .isEqualTo(OutcomeCode.UNKNOWN_PROVIDER);
    }

    /** The judge's DAS mandate follows: a self-reporter is never an approved DAS provider. */
    @Test
    void aSelfReporterIsNeverApproved() {
        assertThat(SELF.approvedOn(DAY)).isFalse();
    }
}
