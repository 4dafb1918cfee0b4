package org.ptsingest.service.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.feed.OutcomeCode;
import org.springframework.stereotype.Component;

/**
 * Counters ops watch: {@code ingest_feeds_total{channel,status}} and
 * {@code ingest_readings_total{outcome}}, counted after commit only, so they match the database; dry
 * runs ({@code ingest_dry_runs_total{channel}}), failed attempts
 * ({@code ingest_delivery_failures_total}) and quarantined deliveries
 * ({@code ingest_deliveries_quarantined_total}) in series of their own.
 */
@Component
class IngestMetrics {
    private final MeterRegistry registry;
    private final Counter failures;
    private final Counter quarantined;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Register every series up front so dashboards and alerts see zeros, not gaps.
        for (Channel channel : Channel.values()) {
            for (FeedStatus status : FeedStatus.values()) {
                feeds(channel, status);
            }
        }
        for (Channel channel : Channel.values()) {
            dryRuns(channel);
        }
        failures = Counter.builder("ingest.delivery.failures")
                .description("Attempts to judge a delivery that failed for a reason other than its content")
                .register(registry);
        quarantined = Counter.builder("ingest.deliveries.quarantined")
                .description("Deliveries quarantined after their last failed attempt").register(registry);
        for (OutcomeCode code : OutcomeCode.values()) {
            if (code.scope() == OutcomeCode.Scope.READING) {
                readings(code);
            }
        }
    }

    void feedDone(Channel channel, FeedStatus status, Map<OutcomeCode, Integer> counts) {
        feeds(channel, status).increment();
        counts.forEach((code, n) -> readings(code).increment(n));
    }

    void dryRun(Channel channel) {
        dryRuns(channel).increment();
    }

    void failedAttempt() {
        failures.increment();
    }

    void quarantined() {
        quarantined.increment();
    }

    private Counter dryRuns(Channel channel) {
        return Counter.builder("ingest.dry.runs").description("Dry runs judged (nothing stored), by channel")
                .tag("channel", channel.name()).register(registry);
    }

    private Counter feeds(Channel channel, FeedStatus status) {
        return Counter.builder("ingest.feeds").description("Feeds processed, by channel and final status")
                .tag("channel", channel.name()).tag("status", status.name()).register(registry);
    }

    private Counter readings(OutcomeCode code) {
        return Counter.builder("ingest.readings").description("Readings judged, by outcome code")
                .tag("outcome", code.name()).register(registry);
    }
}
