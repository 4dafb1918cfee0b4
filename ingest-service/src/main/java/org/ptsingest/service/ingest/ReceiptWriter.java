package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import org.jooq.DSLContext;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Renders a feed's receipt (schemas/receipt-v1.schema.json) straight from the rows its transaction
 * committed, streaming: a receipt listing a million rejected readings never sits in memory. The same
 * rows always give the same receipt, so a re-sent receipt is identical to the first.
 */
@Component
public class ReceiptWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int FETCH_SIZE = 5_000;

    private final DSLContext dsl;
    private final TransactionTemplate tx;

    ReceiptWriter(DSLContext dsl, TransactionTemplate tx) {
        this.dsl = dsl;
        this.tx = tx;
    }

    public void write(long feedId, OutputStream out) throws IOException {
        try {
            tx.executeWithoutResult(status -> {
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    g.useDefaultPrettyPrinter();
                    receipt(g, feedId);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void receipt(JsonGenerator g, long feedId) throws IOException {
        FeedRecord feed = dsl.fetchSingle(FEED, FEED.FEED_ID.eq(feedId));
        g.writeStartObject();
        g.writeStringField("receipt_version", "1");
        g.writeNumberField("feed_id", feed.getFeedId());
        g.writeStringField("provider_id", feed.getProviderId());
        g.writeStringField("channel", feed.getChannel());
        g.writeStringField("file_name", feed.getFileName());
        g.writeStringField("sha256", feed.getSha256());
        g.writeNumberField("byte_count", feed.getByteCount());
        g.writeStringField("format", feed.getFormat());
        g.writeStringField("received_at", instant(feed.getReceivedAt()));
        g.writeStringField("processed_at", instant(feed.getProcessedAt()));
        g.writeStringField("status", feed.getStatus());
        if (feed.getRejectionCode() != null) {
            g.writeObjectFieldStart("rejection");
            g.writeStringField("code", feed.getRejectionCode());
            g.writeStringField("message", feed.getRejectionMessage());
            g.writeEndObject();
        }
        if (feed.getDuplicateOf() != null) {
            g.writeFieldName("original_receipt");
            receipt(g, feed.getDuplicateOf());
        }
        g.writeNumberField("reading_count", feed.getReadingCount());
        g.writeObjectFieldStart("counts");
        for (var c : dsl.select(FEED_OUTCOME_COUNT.CODE, FEED_OUTCOME_COUNT.COUNT).from(FEED_OUTCOME_COUNT)
                .where(FEED_OUTCOME_COUNT.FEED_ID.eq(feedId)).fetch()) {
            g.writeNumberField(c.value1(), c.value2());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("readings");
        try (var rows = dsl.select(READING_OUTCOME.LINE_NO, READING_OUTCOME.SYSTEM_ID, READING_OUTCOME.METER_SERIAL,
                        READING_OUTCOME.READ_AT, READING_OUTCOME.CODE, READING_OUTCOME.MESSAGE)
                .from(READING_OUTCOME)
                .where(READING_OUTCOME.FEED_ID.eq(feedId))
                .orderBy(READING_OUTCOME.LINE_NO)
                .fetchSize(FETCH_SIZE)
                .fetchLazy()) {
            for (var r : rows) {
                g.writeStartObject();
                g.writeNumberField("line", r.value1());
                g.writeStringField("system_id", r.value2());
                g.writeStringField("meter_serial", r.value3());
                g.writeStringField("read_at", r.value4() == null ? null : instant(r.value4()));
                g.writeStringField("code", OutcomeCode.valueOf(r.value5()).name());
                g.writeStringField("message", r.value6());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static String instant(OffsetDateTime t) {
        return t.toInstant().toString();
    }
}
