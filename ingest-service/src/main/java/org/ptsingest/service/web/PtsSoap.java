package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;
import org.springframework.http.HttpStatus;

/** The SOAP 1.1 envelope of PTS's AR service: reading a postdata/testpostdata call, writing the answer. */
final class PtsSoap {
    static final String SERVICE_NS = "https://ar.masscec-pts.com/";
    static final String SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";

    record Call(String operation, String xmlData, String userName, String password) {
        boolean test() {
            return operation.equals("testpostdata");
        }
    }

    private PtsSoap() {}

    static Call read(InputStream in) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        String operation = null;
        String xmlData = null;
        String user = null;
        String password = null;
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
                switch (x.getLocalName()) {
                    case "postdata", "testpostdata" -> operation = x.getLocalName();
                    case "xmldata" -> xmlData = x.getElementText();
                    case "UserName" -> user = x.getElementText().strip();
                    case "Password" -> password = x.getElementText().strip();
                    default -> { }
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not a SOAP envelope: " + e.getMessage(), e);
        }
        if (operation == null || xmlData == null) {
            throw new IllegalArgumentException("expected a postdata or testpostdata call with xmldata");
        }
        return new Call(operation, xmlData, user, password);
    }

    static void result(HttpServletResponse response, String operation, String resultsXml) throws IOException {
        envelope(response, HttpStatus.OK, w -> {
            w.writeStartElement("", operation + "Response", SERVICE_NS);
            w.writeDefaultNamespace(SERVICE_NS);
            w.writeStartElement(SERVICE_NS, operation + "Result");
            w.writeCharacters(resultsXml); // escaped text, as PTS answers
            w.writeEndElement();
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
