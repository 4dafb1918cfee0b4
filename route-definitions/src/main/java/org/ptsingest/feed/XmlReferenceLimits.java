package org.ptsingest.feed;

import javax.xml.stream.XMLInputFactory;
import org.xml.sax.SAXNotRecognizedException;
import org.xml.sax.SAXNotSupportedException;
import org.xml.sax.XMLReader;

/**
 * The JDK's XML parser counts every built-in or character reference ({@code &amp;}, {@code &lt;}, {@code &#10;})
 * against limits meant for DTD entities, and since JDK 25 {@code jdk.xml.maxGeneralEntitySizeLimit} is 100,000:
 * a well-formed feed with more references than that (an ARData document escaped into SOAP has two per tag; ids
 * with {@code &amp;}) was refused whole ("JAXP00010003 ... exceeds the 100,000 limit"). Every parser of ours
 * refuses DTDs, so no entity can be declared, and a reference expands to one character: these limits guard
 * nothing here, and the document's size is bounded by the channel's own size limit. They are lifted on our
 * parsers only, never JVM-wide.
 */
public final class XmlReferenceLimits {
    private static final String[] LIMITS = {"jdk.xml.maxGeneralEntitySizeLimit", "jdk.xml.totalEntitySizeLimit",
            "jdk.xml.entityExpansionLimit"};

    private XmlReferenceLimits() {}

    /** For a StAX factory that refuses DTDs. */
    public static void lift(XMLInputFactory factory) {
        for (String limit : LIMITS) {
            factory.setProperty(limit, 0);
        }
    }

    /** For a SAX reader that refuses DTDs. */
    public static void lift(XMLReader reader) throws SAXNotRecognizedException, SAXNotSupportedException {
        for (String limit : LIMITS) {
            reader.setProperty(limit, "0");
        }
    }
}
