package org.ptsingest.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.FeedPipeline;

/**
 * The SFTP route with its consumer and producer replaced: what it hands the pipeline, where the
 * receipt goes, and that it leaves the file headers the claim key is computed from untouched.
 */
class SftpInboxRouteTest {
    @TempDir
    Path dir;

    CamelContext camel;
    StubPipeline pipeline;
    List<FeedDelivery> delivered;
    /** Deliveries the route handed over to the worker. */
    final List<Long> handedOver = new ArrayList<>();

    /** The hand-over bean's shape ({@link SftpQuarantineRoute#HAND_OVER}). */
    public final class HandOver {
        public void handOver(long deliveryId) {
            handedOver.add(deliveryId);
        }
    }

    @BeforeEach
    void start() throws Exception {
        IngestProperties properties = StubPipeline.properties(dir);
        pipeline = new StubPipeline(41);
        delivered = pipeline.delivered;
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("pipeline", FeedPipeline.class, pipeline);
        camel.getRegistry().bind("receiptFiles", new ReceiptFiles(pipeline, properties));
        camel.getRegistry().bind(SftpQuarantineRoute.HAND_OVER, new HandOver());
        camel.addRoutes(new SftpInboxRoute(properties));
        camel.addRoutes(new SftpQuarantineRoute(properties));
        camel.addRoutes(new IngestFeedRoute());
        AdviceWith.adviceWith(camel, SftpInboxRoute.ROUTE_ID, a -> {
            a.replaceFromWith("direct:drop");
            a.mockEndpointsAndSkip("sftp:*");
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void handsTheDeliveryToThePipelineAndUploadsTheReceiptBesideTheInbox() throws Exception {
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "system_id,meter_serial,read_at,register_kwh\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(1);
        // read the receipt as the SFTP producer would, before the route discards the local file
        List<String> uploaded = new ArrayList<>();
        sftp.whenAnyExchangeReceived(e -> uploaded.add(e.getMessage().getBody(String.class)));

        Exchange done = camel.createProducerTemplate().request("direct:drop", e -> {
            e.getMessage().setBody(local.toFile());
            e.getMessage().setHeaders(Map.of(Exchange.FILE_NAME, "acme/inbox/june.csv",
                    Exchange.FILE_LENGTH, 44L, Exchange.FILE_LAST_MODIFIED, 1_750_000_000_000L));
        });

        assertThat(done.getException()).isNull();
        sftp.assertIsSatisfied();
        FeedDelivery d = delivered.get(0);
        assertThat(d.providerId()).isEqualTo("acme");
        assertThat(d.fileName()).isEqualTo("june.csv");
        assertThat(d.channel()).isEqualTo(Channel.SFTP);
        // path, size and mtime; the pipeline adds the bytes' SHA-256 it computes while archiving, so new bytes
        // under the same name, size and mtime are a new delivery
        assertThat(d.key()).hasToString("sftp:acme/inbox/june.csv@44@1750000000000");
        assertThat(d.identity("ab12")).hasToString("sftp:acme/inbox/june.csv@44@1750000000000@ab12");
        assertThat(uploaded).containsExactly("{\"feed_id\":41}");
        assertThat(sftp.getReceivedExchanges().get(0).getMessage().getHeader(SftpDeliveries.RECEIPT_FILE_NAME))
                .isEqualTo("june.csv.receipt.json");
        assertThat(camel.getRoute(SftpInboxRoute.ROUTE_ID).getEndpoint().getEndpointUri()).isEqualTo("direct://drop");
        // The consumer re-evaluates the claim key from these headers when it confirms the claim.
        assertThat(done.getMessage().getHeader(Exchange.FILE_NAME)).isEqualTo("acme/inbox/june.csv");
        assertThat(done.getMessage().getHeader(Exchange.FILE_LENGTH)).isEqualTo(44L);
        // the rendered receipt file is discarded once delivered
        assertThat(dir.resolve("work/receipts/41.receipt.json")).doesNotExist();
    }

    @Test
    void aNameTheServerShowsEncodedReachesThePipelineAsTheProvidersNameAndIsAnsweredUnderItsSafeForm()
            throws Exception {
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "x\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(1);

        camel.createProducerTemplate().request("direct:drop", e -> {
            e.getMessage().setBody(local.toFile());
            e.getMessage().setHeaders(Map.of(Exchange.FILE_NAME, "acme/inbox/evil%0AFORGED%5C.csv",
                    Exchange.FILE_LENGTH, 2L, Exchange.FILE_LAST_MODIFIED, 1_750_000_000_000L));
        });

        sftp.assertIsSatisfied();
        assertThat(delivered.get(0).fileName()).isEqualTo("evil\nFORGED\\.csv");
        Exchange written = sftp.getReceivedExchanges().get(0);
        assertThat(written.getMessage().getHeader(SftpDeliveries.RECEIPT_FILE_NAME))
                .isEqualTo("evil_FORGED_.csv.receipt.json");
        assertThat(written.getMessage().getHeader(SftpDeliveries.LOGGED_PATH)).isEqualTo("acme/inbox/evil\\nFORGED\\\\.csv");
    }

    @Test
    void aReceiptThatCannotBeWrittenAtItsNameIsWrittenBesideItOnce() throws Exception {
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "x\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(2);
        sftp.whenExchangeReceived(1, e -> {
            throw new org.apache.camel.component.file.GenericFileOperationFailedException("Cannot delete file: x");
        });

        Exchange done = camel.createProducerTemplate().request("direct:drop", e -> {
            e.getMessage().setBody(local.toFile());
            e.getMessage().setHeaders(Map.of(Exchange.FILE_NAME, "acme/inbox/june.csv",
                    Exchange.FILE_LENGTH, 2L, Exchange.FILE_LAST_MODIFIED, 1_750_000_000_000L));
        });

        assertThat(done.getException()).isNull();
        sftp.assertIsSatisfied();
        assertThat(sftp.getReceivedExchanges().get(1).getMessage().getHeader(SftpDeliveries.RECEIPT_FILE_NAME))
                .isEqualTo("june.csv.feed-41.receipt.json");
    }

    /** Judging failed for a reason that is not the file's: recorded, so the file leaves the inbox, and nothing is uploaded. */
    @Test
    void aFailedDeliveryIsHandedOverToTheWorkerAndNothingIsUploaded() throws Exception {
        pipeline.notJudged = org.ptsingest.pipeline.DeliveryState.FAILED;
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "x\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(0);

        Exchange done = drop(local, "acme/inbox/june.csv");

        assertThat(done.getException()).isNull(); // the consumer removes the file from the inbox
        sftp.assertIsSatisfied();
        assertThat(handedOver).containsExactly(9L);
    }

    /** Quarantined: the bytes and an .error.json go to the provider's quarantine folder. */
    @Test
    void aLargeFileRecordedForTheWorkerLeavesTheInboxWithoutAnAnswerFromTheRoute() throws Exception {
        // the pipeline recorded it already handed over (ingest.sftp.async-above): the worker judges and answers
        pipeline.notJudged = org.ptsingest.pipeline.DeliveryState.RECEIVED;
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "x\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(0);

        Exchange done = drop(local, "acme/inbox/big.csv");

        assertThat(done.getException()).isNull(); // the consumer removes the file from the inbox
        sftp.assertIsSatisfied(); // no receipt, nothing to quarantine
        assertThat(handedOver).isEmpty(); // handed over when it was recorded
    }

    @Test
    void aQuarantinedDeliveryGoesToTheQuarantineFolderWithItsErrorFile() throws Exception {
        pipeline.notJudged = org.ptsingest.pipeline.DeliveryState.QUARANTINED;
        Path local = Files.writeString(dir.resolve("downloaded.csv"), "x\n");
        MockEndpoint sftp = camel.getEndpoint("mock:sftp:ingest-service@localhost:2222/providers", MockEndpoint.class);
        sftp.expectedMessageCount(2);
        List<String> bodies = new ArrayList<>();
        sftp.whenAnyExchangeReceived(e -> bodies.add(e.getMessage().getBody(String.class)));

        Exchange done = drop(local, "acme/inbox/june.csv");

        assertThat(done.getException()).isNull();
        sftp.assertIsSatisfied();
        assertThat(sftp.getReceivedExchanges()).extracting(e -> e.getMessage().getHeader("ptsQuarantineFileName"))
                .containsExactly("june.csv", "june.csv.error.json");
        assertThat(bodies.get(0)).isEqualTo("x\n");
        assertThat(bodies.get(1)).contains("\"delivery_id\" : 9", "\"state\" : \"QUARANTINED\"",
                "database said no", "/api/v1/deliveries/9");
        assertThat(handedOver).containsExactly(9L);
    }

    private Exchange drop(Path local, String path) {
        return camel.createProducerTemplate().request("direct:drop", e -> {
            e.getMessage().setBody(local.toFile());
            e.getMessage().setHeaders(Map.of(Exchange.FILE_NAME, path, Exchange.FILE_LENGTH, 2L,
                    Exchange.FILE_LAST_MODIFIED, 1_750_000_000_000L));
        });
    }
}
