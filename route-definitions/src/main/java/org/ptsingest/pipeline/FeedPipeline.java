package org.ptsingest.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The steps every channel hands a feed to. Implemented by the service's persistence layer; routes only
 * call it.
 */
public interface FeedPipeline {

    /**
     * Records the delivery with its bytes (or finds it, when it is a retry), then judges every reading and
     * commits readings, outcomes and feed record together. A failure that is not the input's is recorded
     * on the delivery and answered as FAILED or QUARANTINED, not thrown; only when even that cannot be
     * recorded (the database is unreachable) does this throw, and the channel asks for the delivery again.
     * A dry run stores nothing and answers the receipt a real delivery would have got.
     */
    FeedResult ingest(FeedDelivery delivery) throws IOException;

    /** Writes the receipt of a feed (schemas/receipt-v1.schema.json). */
    void writeReceipt(long feedId, OutputStream out) throws IOException;
}
