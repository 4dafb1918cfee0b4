package org.ptsingest.service.as2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.camel.component.as2.api.AS2Header;
import org.apache.camel.component.as2.api.AS2SignatureAlgorithm;
import org.apache.camel.component.as2.api.AS2SignedDataGenerator;
import org.apache.camel.component.as2.api.entity.AS2DispositionModifier;
import org.apache.camel.component.as2.api.entity.AS2DispositionType;
import org.apache.camel.component.as2.api.entity.DispositionMode;
import org.apache.camel.component.as2.api.entity.DispositionNotificationMultipartReportEntity;
import org.apache.camel.component.as2.api.entity.MultipartMimeEntity;
import org.apache.camel.component.as2.api.protocol.ResponseMDN;
import org.apache.camel.component.as2.api.util.AS2Utils;
import org.apache.camel.component.as2.api.util.EntityUtils;
import org.apache.camel.component.as2.api.util.HttpMessageUtils;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.ptsingest.routes.As2Endpoints;

/**
 * MDN content the service writes itself: the human-readable text of every MDN, and the whole signed
 * asynchronous MDN (built with the component's own MDN and signing classes, so synchronous and
 * asynchronous MDNs have the same structure and MIC).
 */
public final class As2Mdns {

    /** A signed (or, when not asked for, unsigned) MDN ready to POST to the partner's URL. */
    public record AsyncMdn(String originalMessageId, String mdnMessageId, String disposition, String contentType,
            byte[] body) {}

    private final As2Identity identity;
    private final String serverFqdn;

    public As2Mdns(As2Identity identity, String serverFqdn) {
        this.identity = identity;
        this.serverFqdn = serverFqdn;
    }

    String text(ClassicHttpRequest request, String outcome) {
        return "MDN from the PTS DAS ingestion service (AS2 " + identity.as2Id() + ")\r\n"
                + "  Original Message-ID: " + header(request, AS2Header.MESSAGE_ID) + "\r\n"
                + "  AS2-From: " + header(request, AS2Header.AS2_FROM) + "\r\n"
                + "  Subject: " + header(request, AS2Header.SUBJECT) + "\r\n"
                + "  Processed at: " + Instant.now() + "\r\n"
                + "  Outcome: " + ascii(outcome) + "\r\n";
    }

    AsyncMdn asynchronous(ClassicHttpRequest request, HttpResponse response, AS2DispositionModifier modifier)
            throws HttpException, IOException {
        String text = HttpMessageUtils.getHeaderValue(request, As2Endpoints.MDN_TEXT_HEADER);
        DispositionNotificationMultipartReportEntity report = new DispositionNotificationMultipartReportEntity(
                request, response, DispositionMode.AUTOMATIC_ACTION_MDN_SENT_AUTOMATICALLY,
                AS2DispositionType.PROCESSED, modifier, null, null, null, null, StandardCharsets.US_ASCII.name(),
                EntityUtils.createBoundaryValue(), true, identity.decryptionKey(), text, null);
        AS2SignedDataGenerator signer = ResponseMDN.createSigningGenerator(request, AS2SignatureAlgorithm.SHA256WITHRSA,
                identity.signingChain(), identity.signingKey());
        MultipartMimeEntity mdn = signer == null ? report : ResponseMDN.prepareSignedReceipt(signer, report);
        String contentType = signer == null ? report.getMainMessageContentType() : mdn.getContentType();
        mdn.setMainBody(true); // its headers travel as HTTP headers
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        mdn.writeTo(body);
        String disposition = DispositionMode.AUTOMATIC_ACTION_MDN_SENT_AUTOMATICALLY + "; "
                + AS2DispositionType.PROCESSED + (modifier == null ? "" : "/" + modifier);
        return new AsyncMdn(header(request, AS2Header.MESSAGE_ID), AS2Utils.createMessageId(serverFqdn), disposition,
                contentType, body.toByteArray());
    }

    private static String header(ClassicHttpRequest request, String name) {
        String value = HttpMessageUtils.getHeaderValue(request, name);
        return value == null ? "" : ascii(value);
    }

    /** The text part is 7-bit US-ASCII: anything else from the partner's headers becomes '?'. */
    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
