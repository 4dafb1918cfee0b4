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
 * {@code ingest_readings_total{outcome}}. Counted after commit only, so they match the database.
 */
@Component
class IngestMetrics {
    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Register every series up front so dashboards and alerts see zeros, not gaps.
        for (Channel channel : Channel.values()) {
            for (FeedStatus status : FeedStatus.values()) {
                feeds(channel, status);
            }
        }
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

    private Counter feeds(Channel channel, FeedStatus status) {
        return Counter.builder("ingest.feeds").description("Feeds processed, by channel and final status")
                .tag("channel", channel.name()).tag("status", status.name()).register(registry);
    }

    private Counter readings(OutcomeCode code) {
        return Counter.builder("ingest.readings").description("Readings judged, by outcome code")
                .tag("outcome", code.name()).register(registry);
    }
}
