package org.ptsingest.feed.xml;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.ValidatorHandler;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedEncoding;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.TextValues;
import org.ptsingest.feed.XmlReferenceLimits;
import org.ptsingest.feed.csv.CsvFeedContract;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * XML feed v1 ({@code schemas/feed-v1.xsd}) in one streaming pass over the local file, memory flat: a
 * SAX parser that refuses any DOCTYPE (so external entities (XXE) and entity expansion ("billion
 * laughs") are rejected before anything is resolved or expanded) feeds the XSD's
 * {@link ValidatorHandler}, which passes the validated events on to {@link Records}. A violation
 * rejects the feed whole, naming line and column. (It used to be two passes, validation and then
 * StAX + JAXB per reading: 3.4–3.6 × {@code psql \copy}. Binding a reading's four text fields
 * through JAXB, even in this one pass, cost as much again as parsing and validating: 6.1 s against
 * 3.1 s for 1,000,000 readings; issue 14.)
 */
public final class XmlFeedReader implements FeedReader {
    public static final String SCHEMA_RESOURCE = "/schemas/feed-v1.xsd";
    private static final Schema SCHEMA = schema();

    private final String expectedProvider;
    private final ReadingValues values = CsvFeedContract.v1().newValues();

    /** @param expectedProvider the provider delivering the feed; the header must name it (null: not checked) */
    public XmlFeedReader(String expectedProvider) {
        this.expectedProvider = expectedProvider;
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        FeedEncoding.requireUtf8Xml(feed);
        Records records = new Records(sink);
        try (InputStream in = Files.newInputStream(feed)) {
            ValidatorHandler validator = SCHEMA.newValidatorHandler();
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            validator.setContentHandler(records);
            XMLReader parser = secureSaxReader();
            parser.setContentHandler(validator);
            parser.parse(new InputSource(in));
        } catch (SAXParseException e) {
            String message = e.getMessage();
            if (message != null && message.contains("DOCTYPE")) {
                message = "DTDs and entity declarations are not allowed in feeds";
            }
            throw new FeedFormatException(Math.max(1, e.getLineNumber()),
                    "column " + Math.max(1, e.getColumnNumber()) + ": " + message, e);
        } catch (SAXException e) {
            if (e.getCause() instanceof FeedFormatException f) {
                throw f;
            }
            if (e.getCause() instanceof IOException io) {
                throw io; // the sink's (the sort's spill files), not the feed's
            }
            throw new FeedFormatException(1, "not a valid XML feed: " + e.getMessage(), e);
        } catch (CharConversionException | UnsupportedEncodingException e) {
            // Xerces reports bytes its decoder refuses as an IOException subclass, not a parse error.
            throw new FeedFormatException(1, "the feed is not valid UTF-8: " + e.getMessage(), e);
        }
        return records.count;
    }

    /**
     * Takes the header and each reading from the events the validator passes on, in the same pass that
     * validates them: the XSD has already checked every element it hands over (a later violation still
     * rejects the whole feed, and nothing of a feed reaches the database before its last byte was read).
     * Values go through {@link ReadingValues} exactly as CSV's.
     */
    private final class Records extends DefaultHandler {
        private final Sink sink;
        private final StringBuilder text = new StringBuilder();
        private Locator locator;
        private int depth;
        private boolean inText;
        private int count;
        private int line;
        private String systemId;
        private String meterSerial;
        private String readAt;
        private String registerKwh;
        private String providerId;

        Records(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            depth++;
            if (depth == 2) {
                line = locator == null ? 1 : Math.max(1, locator.getLineNumber());
                systemId = meterSerial = readAt = registerKwh = providerId = null;
            } else if (depth == 3) {
                text.setLength(0);
                inText = true;
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (inText) {
                text.append(ch, start, length);
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) throws SAXException {
            if (depth == 3) {
                inText = false;
                String value = text.toString();
                switch (localName) {
                    case "system_id" -> systemId = value;
                    case "meter_serial" -> meterSerial = value;
                    case "read_at" -> readAt = value;
                    case "register_kwh" -> registerKwh = value;
                    case "provider_id" -> providerId = value;
                    default -> { } // batch_id: the provider's own reference
                }
            } else if (depth == 2) {
                try {
                    if (localName.equals("header")) {
                        checkHeader(providerId, line);
                    } else {
                        count++;
                        values.emit(count, line, TextValues.trimSpace(systemId), TextValues.trimSpace(meterSerial),
                                TextValues.trimSpace(readAt), TextValues.trimSpace(registerKwh), sink);
                    }
                } catch (FeedFormatException | IOException e) {
                    throw new SAXException(e);
                }
            }
            depth--;
        }
    }

    private void checkHeader(String providerId, int line) throws FeedFormatException {
        if (expectedProvider != null && !expectedProvider.equals(TextValues.trimSpace(providerId))) {
            throw new FeedFormatException(line, "header provider_id " + Echo.quote(providerId)
                    + " is not the sending provider " + expectedProvider);
        }
    }

    private static XMLReader secureSaxReader() throws SAXException {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setXIncludeAware(false);
            XMLReader reader = factory.newSAXParser().getXMLReader();
            XmlReferenceLimits.lift(reader);
            return reader;
        } catch (ParserConfigurationException e) {
            throw new SAXException(e);
        }
    }

    private static Schema schema() {
        try {
            URL xsd = XmlFeedReader.class.getResource(SCHEMA_RESOURCE);
            if (xsd == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is not on the classpath");
            }
            SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newSchema(xsd);
        } catch (SAXException e) {
            throw new IllegalStateException("cannot load " + SCHEMA_RESOURCE, e);
        }
    }
}
