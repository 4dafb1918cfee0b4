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
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.jooq.DSLContext;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Renders a feed's receipt from the rows its transaction committed, streaming: a receipt listing a
 * million rejected readings never sits in memory. JSON follows schemas/receipt-v1.schema.json, XML
 * (for providers that ask for it) schemas/receipt-v1.xsd; one walk over the rows feeds both. The same
 * rows always give the same receipt, so a re-sent receipt is identical to the first.
 */
@Component
public class ReceiptWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();
    private static final String XML_NS = "urn:ptsingest:receipt:1";
    private static final int FETCH_SIZE = 5_000;

    private final DSLContext dsl;
    private final TransactionTemplate tx;

    ReceiptWriter(DSLContext dsl, TransactionTemplate tx) {
        this.dsl = dsl;
        this.tx = tx;
    }

    public void write(long feedId, OutputStream out) throws IOException {
        inTransaction(() -> {
            try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                g.useDefaultPrettyPrinter();
                receipt(new JsonOut(g), feedId, null);
            }
        });
    }

    public void writeXml(long feedId, OutputStream out) throws IOException {
        inTransaction(() -> {
            try {
                XMLStreamWriter x = XML.createXMLStreamWriter(out, "UTF-8");
                x.writeStartDocument("UTF-8", "1.0");
                receipt(new XmlOut(x), feedId, "receipt");
                x.writeEndDocument();
                x.close();
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        });
    }

    private interface Body {
        void run() throws IOException;
    }

    private void inTransaction(Body body) throws IOException {
        try {
            // joins the caller's transaction if there is one (a dry run renders before rolling back)
            tx.executeWithoutResult(status -> {
                try {
                    body.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void receipt(Out out, long feedId, String name) throws IOException {
        FeedRecord feed = dsl.fetchSingle(FEED, FEED.FEED_ID.eq(feedId));
        out.startReceipt(name);
        out.field("feed_id", feed.getFeedId());
        out.field("provider_id", feed.getProviderId());
        out.field("channel", feed.getChannel());
        out.field("file_name", feed.getFileName());
        out.field("sha256", feed.getSha256());
        out.field("byte_count", feed.getByteCount());
        out.field("format", feed.getFormat());
        out.field("received_at", instant(feed.getReceivedAt()));
        out.field("processed_at", instant(feed.getProcessedAt()));
        out.field("status", feed.getStatus());
        if (feed.getRejectionCode() != null) {
            out.start("rejection");
            out.field("code", feed.getRejectionCode());
            out.field("message", feed.getRejectionMessage());
            out.end();
        }
        if (feed.getDuplicateOf() != null) {
            receipt(out, feed.getDuplicateOf(), "original_receipt");
        }
        out.field("reading_count", feed.getReadingCount());
        out.start("counts");
        // In the codes' documented order, as a dry run's receipt lists them: the rows' own order depends on the
        // plan (insertion order by a sequential scan, the key's by an index scan), and a receipt fetched again
        // must be the same bytes.
        var counts = dsl.select(FEED_OUTCOME_COUNT.CODE, FEED_OUTCOME_COUNT.COUNT).from(FEED_OUTCOME_COUNT)
                .where(FEED_OUTCOME_COUNT.FEED_ID.eq(feedId)).fetch();
        counts.sort(java.util.Comparator.comparingInt(c -> OutcomeCode.valueOf(c.value1()).ordinal()));
        for (var c : counts) {
            out.count(c.value1(), c.value2());
        }
        out.end();
        out.startList("readings");
        try (var rows = dsl.select(READING_OUTCOME.LINE_NO, READING_OUTCOME.SYSTEM_ID, READING_OUTCOME.METER_SERIAL,
                        READING_OUTCOME.READ_AT, READING_OUTCOME.CODE, READING_OUTCOME.MESSAGE, READING_OUTCOME.RECORD_NO)
                .from(READING_OUTCOME)
                .where(READING_OUTCOME.FEED_ID.eq(feedId))
                .orderBy(READING_OUTCOME.RECORD_NO)
                .fetchSize(FETCH_SIZE)
                .fetchLazy()) {
            for (var r : rows) {
                out.startItem("reading");
                out.field("record", r.value7());
                out.field("line", r.value1());
                out.field("system_id", r.value2());
                out.field("meter_serial", r.value3());
                out.field("read_at", r.value4() == null ? null : instant(r.value4()));
                out.field("code", OutcomeCode.valueOf(r.value5()).name());
                out.field("message", r.value6());
                out.end();
            }
        }
        out.end();
        out.end();
    }

    private static String instant(OffsetDateTime t) {
        return t.toInstant().toString();
    }

    /** The few shapes a receipt is made of, written as JSON or XML. */
    private interface Out {
        void startReceipt(String name) throws IOException;

        void start(String name) throws IOException;

        void startList(String name) throws IOException;

        void startItem(String name) throws IOException;

        void field(String name, Object value) throws IOException;

        void count(String code, int n) throws IOException;

        void end() throws IOException;
    }

    private record JsonOut(JsonGenerator g) implements Out {
        @Override
        public void startReceipt(String name) throws IOException {
            if (name != null) {
                g.writeFieldName(name);
            }
            g.writeStartObject();
            g.writeStringField("receipt_version", "1");
        }

        @Override
        public void start(String name) throws IOException {
            g.writeObjectFieldStart(name);
        }

        @Override
        public void startList(String name) throws IOException {
            g.writeArrayFieldStart(name);
        }

        @Override
        public void startItem(String name) throws IOException {
            g.writeStartObject();
        }

        @Override
        public void field(String name, Object value) throws IOException {
            if (value instanceof Number n) {
                g.writeNumberField(name, n.longValue());
            } else {
                g.writeStringField(name, value == null ? null : value.toString());
            }
        }

        @Override
        public void count(String code, int n) throws IOException {
            g.writeNumberField(code, n);
        }

        @Override
        public void end() throws IOException {
            if (g.getOutputContext().inArray()) {
                g.writeEndArray();
            } else {
                g.writeEndObject();
            }
        }
    }

    private record XmlOut(XMLStreamWriter x) implements Out {
        @Override
        public void startReceipt(String name) throws IOException {
            try {
                x.writeStartElement("", name, XML_NS);
                if (name.equals("receipt")) {
                    x.writeDefaultNamespace(XML_NS);
                }
                x.writeAttribute("version", "1");
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void start(String name) throws IOException {
            element(name);
        }

        @Override
        public void startList(String name) throws IOException {
            element(name);
        }

        @Override
        public void startItem(String name) throws IOException {
            element(name);
        }

        @Override
        public void field(String name, Object value) throws IOException {
            if (value == null) {
                return;
            }
            try {
                x.writeStartElement(XML_NS, name);
                x.writeCharacters(value.toString());
                x.writeEndElement();
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void count(String code, int n) throws IOException {
            try {
                x.writeStartElement(XML_NS, "count");
                x.writeAttribute("code", code);
                x.writeCharacters(Integer.toString(n));
                x.writeEndElement();
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void end() throws IOException {
            try {
                x.writeEndElement();
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }

        private void element(String name) throws IOException {
            try {
                x.writeStartElement(XML_NS, name);
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }
    }
}
