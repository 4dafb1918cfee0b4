package org.ptsingest.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The steps every channel hands a feed to: judge and store it in one transaction, then render its
 * receipt. Implemented by the service's persistence layer; routes only call it.
 */
public interface FeedPipeline {

    /** Archives the raw bytes, judges every reading and commits readings, outcomes and feed record together. */
    FeedResult ingest(FeedDelivery delivery) throws IOException;

    /** Writes the receipt of a feed (schemas/receipt-v1.schema.json). */
    void writeReceipt(long feedId, OutputStream out) throws IOException;
}
