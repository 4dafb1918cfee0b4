package org.ptsingest.feed.xml;

import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Unmarshaller;
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
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.sax.SAXSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedEncoding;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.TextValues;
import org.ptsingest.feed.csv.CsvFeedContract;
import org.ptsingest.feed.xml.v1.FeedHeader;
import org.ptsingest.feed.xml.v1.Reading;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

/**
 * XML feed v1 ({@code schemas/feed-v1.xsd}) in two streaming passes over the local file, memory flat:
 * <ol>
 *   <li>validation against the XSD by a SAX parser that refuses any DOCTYPE, so external entities
 *       (XXE) and entity expansion ("billion laughs") are rejected before anything is resolved or
 *       expanded; a violation rejects the feed whole, naming line and column;</li>
 *   <li>StAX walks the document and JAXB unmarshals one {@code reading} at a time into the generated
 *       classes; values go through the same {@link ReadingValues} rules as CSV.</li>
 * </ol>
 */
public final class XmlFeedReader implements FeedReader {
    public static final String SCHEMA_RESOURCE = "/schemas/feed-v1.xsd";
    private static final Schema SCHEMA = schema();
    private static final JAXBContext JAXB = jaxb();

    private final String expectedProvider;
    private final ReadingValues values = CsvFeedContract.v1().newValues();

    /** @param expectedProvider the provider delivering the feed; the header must name it (null: not checked) */
    public XmlFeedReader(String expectedProvider) {
        this.expectedProvider = expectedProvider;
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        FeedEncoding.requireUtf8Xml(feed);
        validate(feed);
        try (InputStream in = Files.newInputStream(feed)) {
            XMLStreamReader xml = staxFactory().createXMLStreamReader(in);
            Unmarshaller unmarshaller = JAXB.createUnmarshaller();
            int count = 0;
            int event = xml.getEventType();
            while (true) {
                // JAXB leaves the reader on the event right after the element it unmarshalled: in a
                // minified document that is already the next <reading>, so it is looked at before
                // advancing (a plain next() loop would skip every other reading).
                if (event == XMLStreamConstants.START_ELEMENT && isFeedElement(xml.getLocalName())) {
                    int line = xml.getLocation().getLineNumber();
                    if (xml.getLocalName().equals("header")) {
                        checkHeader(unmarshaller.unmarshal(xml, FeedHeader.class).getValue(), line);
                    } else {
                        Reading r = unmarshaller.unmarshal(xml, Reading.class).getValue();
                        count++;
                        values.emit(count, line, TextValues.trimSpace(r.getSystemId()), TextValues.trimSpace(r.getMeterSerial()), TextValues.trimSpace(r.getReadAt()),
                                TextValues.trimSpace(r.getRegisterKwh()), sink);
                    }
                    event = xml.getEventType();
                    continue;
                }
                if (!xml.hasNext()) {
                    break;
                }
                event = xml.next();
            }
            return count;
        } catch (XMLStreamException | JAXBException e) {
            // Validation passed, so this is an I/O-level problem with the file itself.
            throw new IOException("cannot read validated XML feed " + feed + ": " + e.getMessage(), e);
        }
    }

    private static boolean isFeedElement(String name) {
        return name.equals("header") || name.equals("reading");
    }

    private void checkHeader(FeedHeader header, int line) throws FeedFormatException {
        if (expectedProvider != null && !expectedProvider.equals(TextValues.trimSpace(header.getProviderId()))) {
            throw new FeedFormatException(line, "header provider_id " + Echo.quote(header.getProviderId())
                    + " is not the sending provider " + expectedProvider);
        }
    }

    private static void validate(Path feed) throws FeedFormatException, IOException {
        try (InputStream in = Files.newInputStream(feed)) {
            Validator validator = SCHEMA.newValidator();
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            validator.validate(new SAXSource(secureSaxReader(), new InputSource(in)));
        } catch (SAXParseException e) {
            String message = e.getMessage();
            if (message != null && message.contains("DOCTYPE")) {
                message = "DTDs and entity declarations are not allowed in feeds";
            }
            throw new FeedFormatException(Math.max(1, e.getLineNumber()),
                    "column " + Math.max(1, e.getColumnNumber()) + ": " + message, e);
        } catch (SAXException e) {
            throw new FeedFormatException(1, "not a valid XML feed: " + e.getMessage(), e);
        } catch (CharConversionException | UnsupportedEncodingException e) {
            // Xerces reports bytes its decoder refuses as an IOException subclass, not a parse error.
            throw new FeedFormatException(1, "the feed is not valid UTF-8: " + e.getMessage(), e);
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
            return factory.newSAXParser().getXMLReader();
        } catch (ParserConfigurationException e) {
            throw new SAXException(e);
        }
    }

    private static XMLInputFactory staxFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
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

    private static JAXBContext jaxb() {
        try {
            return JAXBContext.newInstance(Reading.class, FeedHeader.class);
        } catch (JAXBException e) {
            throw new IllegalStateException(e);
        }
    }
}
