package org.ptsingest.routes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.FeedStatus;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedPipeline;
import org.ptsingest.pipeline.FeedResult;

/**
 * For route tests: a pipeline that records what it is handed and answers every delivery as one
 * ACCEPTED feed with a fixed id (delivery 8), its receipt being {@code {"feed_id":id}}, or as not judged.
 */
final class StubPipeline implements FeedPipeline {
    final List<FeedDelivery> delivered = new ArrayList<>();
    private final long feedId;

    StubPipeline(long feedId) {
        this.feedId = feedId;
    }

    /** The service's defaults (embedded SFTP on 2222) with its data under {@code dir}. */
    static IngestProperties properties(Path dir) {
        return new IngestProperties(dir,
                new IngestProperties.Sftp(true, "localhost", 2222, "ingest-service", "providers", null, null,
                        Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMinutes(2), 5,
                        org.springframework.util.unit.DataSize.ofMegabytes(64), 8),
                null, null, null, null, null, null, null, null, null);
    }

    /** When set, every delivery is answered as not judged, in this state (delivery 9). */
    DeliveryState notJudged;

    @Override
    public FeedResult ingest(FeedDelivery delivery) {
        delivered.add(delivery);
        if (notJudged != null) {
            return FeedResult.notJudged(9, notJudged, delivery.providerId(), delivery.fileName(),
                    Instant.parse("2030-01-01T00:00:00Z"), "database said no");
        }
        return FeedResult.judged(8, feedId, delivery.providerId(), delivery.fileName(), FeedStatus.ACCEPTED, false, null);
    }

    @Override
    public void writeReceipt(long feedId, OutputStream out) throws IOException {
        out.write(("{\"feed_id\":" + feedId + "}").getBytes(StandardCharsets.UTF_8));
    }
}
