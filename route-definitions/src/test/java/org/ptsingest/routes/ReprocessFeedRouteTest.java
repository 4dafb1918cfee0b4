package org.ptsingest.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedPipeline;

/**
 * Reprocessing with the SFTP producer replaced: an SFTP feed's new receipt goes to the provider's
 * receipts folder under the original file name; a failed upload does not fail the reprocess (the
 * feed is committed) but is reported; HTTPS and AS2 feeds upload nothing.
 */
class ReprocessFeedRouteTest {
    @TempDir
    Path dir;

    CamelContext camel;
    MockEndpoint sftp;

    @BeforeEach
    void start() throws Exception {
        IngestProperties properties = StubPipeline.properties(dir);
        StubPipeline pipeline = new StubPipeline(77);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("pipeline", FeedPipeline.class, pipeline);
        camel.getRegistry().bind("receiptFiles", new ReceiptFiles(pipeline, properties));
        camel.addRoutes(new ReprocessFeedRoute(properties));
        camel.addRoutes(new IngestFeedRoute());
        AdviceWith.adviceWith(camel, ReprocessFeedRoute.ROUTE_ID, a -> a.mockEndpointsAndSkip("sftp:*"));
        camel.start();
        sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    Exchange reprocess(Channel channel) throws IOException {
        Path raw = Files.writeString(dir.resolve("raw.csv"), "system_id,meter_serial,read_at,register_kwh\n");
        FeedDelivery d = new FeedDelivery("acme", channel, FeedFormat.CSV_V1, "june.csv", "k#reprocess", raw,
                Instant.now(), false, 41L);
        return camel.createProducerTemplate().request(ReprocessFeedRoute.ENDPOINT, e -> e.getMessage().setBody(d));
    }

    @Test
    void anSftpFeedsNewReceiptReplacesTheOldOneInTheReceiptsFolder() throws Exception {
        sftp.expectedMessageCount(1);
        sftp.expectedHeaderReceived(SftpDeliveries.PROVIDER_ID, "acme");
        sftp.expectedHeaderReceived(SftpDeliveries.FEED_FILE_NAME, "june.csv");

        Exchange done = reprocess(Channel.SFTP);

        assertThat(done.getException()).isNull();
        sftp.assertIsSatisfied();
        assertThat(done.getMessage().getHeader(IngestFeedRoute.FEED_ID)).isEqualTo(77L);
        assertThat(done.getMessage().getHeader(ReprocessFeedRoute.RECEIPT_DELIVERY, String.class))
                .startsWith("written to the provider's SFTP receipts folder");
    }

    @Test
    void aFailedUploadIsReportedNotThrown() throws Exception {
        sftp.whenAnyExchangeReceived(e -> {
            throw new IOException("connection refused");
        });

        Exchange done = reprocess(Channel.SFTP);

        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getHeader(ReprocessFeedRoute.RECEIPT_DELIVERY, String.class))
                .contains("SFTP upload failed (connection refused)");
    }

    @Test
    void httpsAndAs2FeedsUploadNothing() throws Exception {
        sftp.expectedMessageCount(0);

        Exchange done = reprocess(Channel.AS2);

        sftp.assertIsSatisfied();
        assertThat(done.getMessage().getHeader(ReprocessFeedRoute.RECEIPT_DELIVERY, String.class)).startsWith("on the API");
    }
}
