package org.ptsingest.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.ptsingest.pipeline.FeedPipeline;

/**
 * The receipt of an SFTP delivery judged in the background, with the SFTP producer replaced: it goes to
 * the provider's receipts folder under the original file name; a failed upload is logged, not thrown
 * (the feed is committed, and its receipt is on the API).
 */
class SftpReceiptRouteTest {
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
        camel.addRoutes(new SftpReceiptRoute(properties));
        AdviceWith.adviceWith(camel, SftpReceiptRoute.ROUTE_ID, a -> a.mockEndpointsAndSkip("sftp:*"));
        camel.start();
        sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    Exchange answer() {
        return camel.createProducerTemplate().request(SftpReceiptRoute.ENDPOINT, e -> {
            e.getMessage().setHeader(IngestFeedRoute.FEED_ID, 77L);
            e.getMessage().setHeader(SftpDeliveries.PROVIDER_ID, "acme");
            e.getMessage().setHeader(SftpDeliveries.FEED_FILE_NAME, "june.csv");
        });
    }

    @Test
    void theReceiptGoesToTheReceiptsFolderUnderTheFilesName() throws Exception {
        sftp.expectedMessageCount(1);
        sftp.expectedHeaderReceived(SftpDeliveries.PROVIDER_ID, "acme");
        sftp.expectedHeaderReceived(SftpDeliveries.RECEIPT_FILE_NAME, "june.csv.receipt.json");
        List<String> uploaded = new ArrayList<>();
        sftp.whenAnyExchangeReceived(e -> uploaded.add(e.getMessage().getBody(String.class)));

        Exchange done = answer();

        assertThat(done.getException()).isNull();
        sftp.assertIsSatisfied();
        assertThat(uploaded).containsExactly("{\"feed_id\":77}");
    }

    @Test
    void aFailedUploadIsLoggedNotThrown() throws Exception {
        sftp.whenAnyExchangeReceived(e -> {
            throw new IOException("connection refused");
        });

        Exchange done = answer();

        assertThat(done.getException()).isNull();
    }
}
