package org.ptsingest.feed.pts;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.ptsingest.feed.XmlReferenceLimits;
import org.ptsingest.feed.FeedEncoding;
import org.ptsingest.feed.FeedFormatException;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.TextValues;

/**
 * The PTS {@code ARData} document DAS clients already send ({@code ptsSystem/sysID},
 * {@code MonthlyData/PVmonthlyData/kwhRegistry} and {@code regDateTime}, several systems per document),
 * translated at the edge into the service's readings: the local date-time is read in the programme's
 * zone ({@link PtsLocalTime}) and the meter is the one installed on the system at that time. Streamed with StAX;
 * a DOCTYPE rejects the document (no entity is ever resolved or expanded).
 */
public final class ArDataReader implements FeedReader {
    public static final String NAMESPACE = "https://ar.masscec-pts.com/PTS-AR";

    private final PtsReadings readings;

    public ArDataReader(ZoneId zone, MeterAttribution meters) {
        this.readings = new PtsReadings(zone, meters, "sysID", "regDateTime");
    }

    @Override
    public int read(Path feed, Sink sink) throws FeedFormatException, IOException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XmlReferenceLimits.lift(factory);
        FeedEncoding.requireUtf8Xml(feed);
        try (InputStream in = Files.newInputStream(feed)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            boolean root = false;
            String systemId = null;
            String kwh = null;
            String at = null;
            int readingLine = 0;
            int count = 0;
            StringBuilder text = new StringBuilder();
            while (xml.hasNext()) {
                int event = xml.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> throw new FeedFormatException(xml.getLocation().getLineNumber(),
                            "DTDs and entity declarations are not allowed in feeds");
                    case XMLStreamConstants.START_ELEMENT -> {
                        text.setLength(0);
                        String name = xml.getLocalName();
                        if (!root) {
                            if (!name.equals("ARData") || !NAMESPACE.equals(xml.getNamespaceURI())) {
                                throw new FeedFormatException(xml.getLocation().getLineNumber(),
                                        "the document is not an ARData document in namespace " + NAMESPACE);
                            }
                            root = true;
                        } else if (name.equals("ptsSystem")) {
                            systemId = null;
                        } else if (name.equals("PVmonthlyData")) {
                            readingLine = xml.getLocation().getLineNumber();
                            kwh = null;
                            at = null;
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(xml.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        switch (xml.getLocalName()) {
                            case "sysID" -> systemId = TextValues.trimSpace(text.toString());
                            case "kwhRegistry" -> kwh = TextValues.trimSpace(text.toString());
                            case "regDateTime" -> at = TextValues.trimSpace(text.toString());
                            case "PVmonthlyData" -> {
                                count++;
                                readings.emit(count, readingLine, "", systemId, kwh, at, sink);
                            }
                            default -> { }
                        }
                        text.setLength(0);
                    }
                    default -> { }
                }
            }
            if (count == 0) {
                throw new FeedFormatException(1, "the ARData document has no PVmonthlyData readings");
            }
            return count;
        } catch (XMLStreamException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNumber();
            throw new FeedFormatException(Math.max(1, line), "not well-formed XML: " + e.getMessage(), e);
        } catch (CharConversionException e) {
            throw new FeedFormatException(1, "the document is not valid UTF-8: " + e.getMessage(), e);
        }
    }
}
