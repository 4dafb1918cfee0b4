package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.service.IngestItSupport;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The delivery worker judges deliveries of different providers at once: while one provider's delivery is held (here
 * by its advisory lock, which the test takes, as a long judge of that provider's feed elsewhere would), another
 * provider's delivery, due after it, is judged. With one thread it waited until the first was through.
 */
class DeliveryWorkerThreadsIT extends IngestItSupport {
    @Autowired
    Deliveries deliveries;
    @Autowired
    DataSource dataSource;

    @Test
    void aDeliveryOfAnotherProviderIsJudgedWhileTheFirstProvidersIsHeld() throws Exception {
        loadSampleRegistry();
        Path feed = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv");
        try (Connection held = dataSource.getConnection()) {
            lock(held, "pg_advisory_lock");
            long first = deliveries.receiveForBackground(delivery("sunwatch", feed)); // due first: taken first
            long second = deliveries.receiveForBackground(delivery("another-das", feed));

            await().atMost(Duration.ofSeconds(30)).until(() -> state(second).equals("JUDGED"));
            assertThat(state(first)).as("held by its provider's lock").isEqualTo("RECEIVED");

            lock(held, "pg_advisory_unlock");
            await().atMost(Duration.ofSeconds(30)).until(() -> state(first).equals("JUDGED"));
        }
    }

    /** The provider lock the judge takes, {@code pg_advisory_xact_lock(hashtextextended('sunwatch', 0))}, as a session lock. */
    private static void lock(Connection c, String function) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(hashtextextended(?, 0))")) {
            s.setString(1, "sunwatch");
            s.execute();
        }
    }

    private static FeedDelivery delivery(String provider, Path content) {
        return new FeedDelivery(provider, Channel.HTTPS, FeedFormat.CSV_V1, "baseline.csv",
                DeliveryKey.https(UUID.randomUUID()), content, Instant.now(), false);
    }

    private String state(long deliveryId) {
        return dsl.select(DELIVERY.STATE).from(DELIVERY).where(DELIVERY.DELIVERY_ID.eq(deliveryId)).fetchOne(DELIVERY.STATE);
    }
}
