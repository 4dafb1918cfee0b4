package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;
import org.ptsingest.feed.XmlReferenceLimits;
import org.springframework.http.HttpStatus;

/**
 * The SOAP 1.1 envelope of PTS's AR service: reading a call (postdata/testpostdata with the escaped ARData
 * in xmldata; GetLastMeterDate/GetMeterValue with PTSSystemID and MeterYear, MeterMonth, MeterDay),
 * writing the answer ({@code {operation}Response/{operation}Result}) or a fault.
 */
final class PtsSoap {
    static final String SERVICE_NS = "https://ar.masscec-pts.com/";
    static final String SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";

    static final String GET_LAST_METER_DATE = "GetLastMeterDate";
    static final String GET_METER_VALUE = "GetMeterValue";
    private static final Set<String> OPERATIONS = Set.of("postdata", "testpostdata", GET_LAST_METER_DATE, GET_METER_VALUE);
    private static final Set<String> PARAMETERS = Set.of("PTSSystemID", "MeterYear", "MeterMonth", "MeterDay");

    /**
     * One call; {@code parameters} holds the read calls' PTSSystemID, MeterYear, MeterMonth, MeterDay as sent. A post's
     * ARData went to the file given to {@link #read}.
     */
    record Call(String operation, String userName, String password, Map<String, String> parameters) {
        boolean test() {
            return operation.equals("testpostdata");
        }

        boolean posts() {
            return operation.equals("postdata") || operation.equals("testpostdata");
        }
    }

    private PtsSoap() {}

    /**
     * Reads a call; a post's {@code xmldata} text (the ARData document, unescaped by the parser) is streamed into
     * {@code xmlData} as it is read, never held whole: a body of 100,000 systems is over 100 million characters.
     */
    static Call read(InputStream in, Path xmlData) throws IOException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // The ARData arrives escaped: two references per tag, a postdata of a few thousand systems was refused.
        XmlReferenceLimits.lift(factory);
        String operation = null;
        boolean hasXmlData = false;
        String user = null;
        String password = null;
        Map<String, String> parameters = new HashMap<>();
        try {
            XMLStreamReader x = factory.createXMLStreamReader(in);
            while (x.hasNext()) {
                int event = x.next();
                if (event == XMLStreamConstants.DTD) {
                    throw new IllegalArgumentException("DTDs are not allowed");
                }
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                String name = x.getLocalName();
                if (OPERATIONS.contains(name)) {
                    operation = name;
                } else if (PARAMETERS.contains(name)) {
                    parameters.put(name, shortText(x, name));
                } else {
                    switch (name) {
                        case "xmldata" -> {
                            copyText(x, xmlData);
                            hasXmlData = true;
                        }
                        case "UserName" -> user = shortText(x, name);
                        case "Password" -> password = shortText(x, name);
                        default -> { }
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not a SOAP envelope: " + e.getMessage(), e);
        }
        if (operation == null) {
            throw new IllegalArgumentException("expected a postdata, testpostdata, GetLastMeterDate or GetMeterValue call");
        }
        if ((operation.equals("postdata") || operation.equals("testpostdata")) && !hasXmlData) {
            throw new IllegalArgumentException("expected a postdata or testpostdata call with xmldata");
        }
        return new Call(operation, user, password, Map.copyOf(parameters));
    }

    /** The longest a parameter or credential may be: they are ids, numbers and keys, read into memory. */
    static final int MAX_SHORT_TEXT = 1000;

    /**
     * The text of the element just started, stripped, at most {@link #MAX_SHORT_TEXT} characters: read whole
     * ({@code getElementText}), a gigabyte of "MeterYear" was held in memory before it was found to be no year.
     */
    private static String shortText(XMLStreamReader x, String name) throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        for (int event = x.next(); event != XMLStreamConstants.END_ELEMENT; event = x.next()) {
            switch (event) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (text.length() + x.getTextLength() > MAX_SHORT_TEXT) {
                        throw new IllegalArgumentException(name + " is longer than " + MAX_SHORT_TEXT + " characters");
                    }
                    text.append(x.getTextCharacters(), x.getTextStart(), x.getTextLength());
                }
                case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> { }
                case XMLStreamConstants.START_ELEMENT -> throw new IllegalArgumentException(
                        name + " must hold text, not elements (<" + x.getLocalName() + ">)");
                default -> throw new IllegalArgumentException(name + " ended unexpectedly");
            }
        }
        return text.toString().strip();
    }

    /** The text of the element just started, chunk by chunk into {@code target}, up to its end tag. */
    private static void copyText(XMLStreamReader x, Path target) throws XMLStreamException, IOException {
        try (Writer out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (int event = x.next(); event != XMLStreamConstants.END_ELEMENT; event = x.next()) {
                switch (event) {
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
                            out.write(x.getTextCharacters(), x.getTextStart(), x.getTextLength());
                    case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> { }
                    case XMLStreamConstants.START_ELEMENT -> throw new IllegalArgumentException(
                            "xmldata must hold the ARData document as escaped text, not as elements (<"
                                    + x.getLocalName() + ">)");
                    default -> throw new IllegalArgumentException("xmldata ended unexpectedly");
                }
            }
        }
    }

    /** The answer {@code {operation}Response/{operation}Result}; a null result leaves the Result element out. */
    static void result(HttpServletResponse response, String operation, String result) throws IOException {
        envelope(response, HttpStatus.OK, w -> {
            w.writeStartElement("", operation + "Response", SERVICE_NS);
            w.writeDefaultNamespace(SERVICE_NS);
            if (result != null) {
                w.writeStartElement(SERVICE_NS, operation + "Result");
                w.writeCharacters(result); // postdata's Results document as escaped text, as PTS answers
                w.writeEndElement();
            }
            w.writeEndElement();
        });
    }

    static void fault(HttpServletResponse response, HttpStatus status, String code, String message) throws IOException {
        envelope(response, status, w -> {
            w.writeStartElement("soap", "Fault", SOAP_NS);
            w.writeStartElement("faultcode");
            w.writeCharacters(code);
            w.writeEndElement();
            w.writeStartElement("faultstring");
            w.writeCharacters(message);
            w.writeEndElement();
            w.writeEndElement();
        });
    }

    private interface BodyContent {
        void write(XMLStreamWriter w) throws XMLStreamException;
    }

    private static void envelope(HttpServletResponse response, HttpStatus status, BodyContent content)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType("text/xml;charset=UTF-8");
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(response.getOutputStream(), "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeStartElement("soap", "Envelope", SOAP_NS);
            w.writeNamespace("soap", SOAP_NS);
            w.writeStartElement("soap", "Body", SOAP_NS);
            content.write(w);
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }
}
