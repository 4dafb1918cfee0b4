package org.ptsingest.service.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.Echo;
import org.ptsingest.feed.FeedFileName;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.service.ingest.Deliveries;
import org.ptsingest.service.ingest.FeedIngestion;
import org.ptsingest.service.ingest.ReceiptWriter;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * HTTPS channel: a provider's software posts a CSV feed with its API key and gets the receipt in
 * the answer. The body is streamed to a local file (feeds can be larger than memory), then handed to
 * the same Camel ingest route as SFTP deliveries.
 *
 * <p>Answers: 202 with a URL to poll for a body over {@code ingest.https.async-above} (recorded, and
 * judged in the background by the delivery worker); 201 with the receipt and its Location once the feed is stored and judged (even when
 * readings were rejected); 200 with the duplicate receipt (which carries the original) for bytes sent
 * before, and for a dry run; 422 for a feed rejected whole as malformed; 403 when the provider is not
 * approved; 413 over {@code ingest.https.max-feed-size}; 422 with the receipt for a file name that is not
 * allowed ({@code FILE_NAME_NOT_ALLOWED}); 400 for a Content-Disposition that cannot be parsed; 408 for a
 * body that stops arriving; 503 with {@code Retry-After} when judging failed for a reason that is not the
 * feed's (it is retried; its delivery URL in {@code Location} answers the receipt once judged) or the
 * delivery could not even be recorded (send it again); see {@link DeliveryAnswers}.
 */
@RestController
class FeedUploadController {
    private final FeedGateway gateway;
    private final Deliveries deliveries;
    private final ReceiptWriter receipts;
    private final long asyncAbove;
    private final Path uploads;
    private final long maxBytes;

    FeedUploadController(FeedGateway gateway, Deliveries deliveries, ReceiptWriter receipts,
            IngestProperties properties) {
        this.gateway = gateway;
        this.deliveries = deliveries;
        this.receipts = receipts;
        this.asyncAbove = properties.https().asyncAbove().toBytes();
        this.uploads = properties.workDir().resolve("https-upload");
        this.maxBytes = properties.https().maxFeedSize().toBytes();
    }

    @PostMapping(path = "/api/v1/feeds", consumes = {"text/csv", "application/xml", "text/xml", "application/json"})
    void post(HttpServletRequest request, HttpServletResponse response, Authentication provider,
            @RequestParam(defaultValue = "false") boolean dryRun,
            @RequestHeader(name = "Content-Disposition", required = false) String disposition,
            @RequestHeader(name = "Accept", required = false) String accept) throws Exception {
        // read before the feed: an Accept header that cannot be read is refused with nothing stored
        boolean xml = wantsXml(accept);
        Instant receivedAt = Instant.now();
        String fileName = fileName(disposition, receivedAt);
        Files.createDirectories(uploads);
        Path body = Files.createTempFile(uploads, "feed-", ".body");
        try {
            // the cap (a declared length over it before a byte is read) and gzip are BodyLimit's
            copy(BodyLimit.open(request, maxBytes), body);
            String type = request.getContentType();
            FeedFormat format = type.contains("xml") ? FeedFormat.XML_V1
                    : type.contains("json") ? FeedFormat.JSON_V1 : FeedFormat.CSV_V1;
            FeedDelivery delivery = new FeedDelivery(provider.getName(), Channel.HTTPS, format, fileName,
                    DeliveryKey.https(UUID.randomUUID()), body, receivedAt, dryRun);
            // A name that is not allowed is answered FILE_NAME_NOT_ALLOWED before anything is read, so
            // even a large feed gets that answer at once, and the name is never stored unescaped.
            if (!dryRun && Files.size(body) > asyncAbove && FeedFileName.allowed(fileName)) {
                // Too large to judge within the request: recorded with its bytes first, then 202; the
                // delivery worker judges it.
                long id = recordForBackground(delivery);
                response.setStatus(HttpStatus.ACCEPTED.value());
                response.setHeader("Location", DeliveryAnswers.url(id));
                DeliveryAnswers.writeState(response, id, "RECEIVED", null, null, null);
                return;
            }
            FeedGateway.Delivered done = gateway.deliver(delivery);
            if (!done.result().isJudged() && done.result().dryRunReceipt() == null) {
                DeliveryAnswers.notJudged(done.result(), response);
                return;
            }
            File receipt = done.receipt();
            long feedId = done.result().feedId();
            HttpStatus status = status(done.result().rejectionCode(), dryRun);
            // Written on the request thread (no async dispatch).
            response.setStatus(status.value());
            response.setContentType(xml ? MediaType.APPLICATION_XML_VALUE : MediaType.APPLICATION_JSON_VALUE);
            if (status == HttpStatus.CREATED) {
                response.setHeader("Location", "/api/v1/feeds/" + feedId + "/receipt");
            }
            Path xmlReceipt = FeedIngestion.xmlTwin(receipt.toPath());
            try {
                if (!xml) {
                    Files.copy(receipt.toPath(), response.getOutputStream());
                } else if (dryRun) {
                    Files.copy(xmlReceipt, response.getOutputStream());
                } else {
                    receipts.writeXml(feedId, response.getOutputStream());
                }
            } finally {
                Files.deleteIfExists(receipt.toPath());
                Files.deleteIfExists(xmlReceipt);
            }
        } finally {
            Files.deleteIfExists(body);
        }
    }

    private long recordForBackground(FeedDelivery delivery) {
        try {
            return deliveries.receiveForBackground(delivery);
        } catch (IOException | RuntimeException e) {
            throw new FeedGateway.NotRecorded(e);
        }
    }

    /**
     * 422 for a malformed feed or a file name that is not allowed, 403 for a provider not approved,
     * null when the feed was judged.
     */
    static HttpStatus rejectionStatus(String rejectionCode) {
        if (OutcomeCode.SCHEMA_VIOLATION.name().equals(rejectionCode)
                || OutcomeCode.FILE_NAME_NOT_ALLOWED.name().equals(rejectionCode)) {
            return HttpStatus.UNPROCESSABLE_ENTITY;
        }
        return OutcomeCode.PROVIDER_NOT_APPROVED.name().equals(rejectionCode) ? HttpStatus.FORBIDDEN : null;
    }

    private static HttpStatus status(String rejectionCode, boolean dryRun) {
        HttpStatus rejected = rejectionStatus(rejectionCode);
        if (rejected != null) {
            return rejected;
        }
        if (dryRun || OutcomeCode.DUPLICATE_FEED.name().equals(rejectionCode)) {
            return HttpStatus.OK;
        }
        return HttpStatus.CREATED;
    }

    private static void copy(InputStream in, Path target) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = read(in, buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        }
    }

    /**
     * A body that stops arriving for {@code server.tomcat.connection-timeout} is answered 408: Tomcat
     * then closes the connection at once instead of first trying to read (swallow) the rest.
     */
    private static int read(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SocketTimeoutException) {
                    throw new ResponseStatusException(HttpStatus.REQUEST_TIMEOUT, "the request body stopped arriving");
                }
            }
            throw e;
        }
    }

    /**
     * The feed's name as the provider gave it ({@code filename*} decoded), path and control characters
     * included: the pipeline judges it with {@link FeedFileName} like every channel's names, and
     * answers one that is not allowed with a receipt. A header that cannot be parsed at all is a 400.
     */
    static String fileName(String disposition, Instant receivedAt) {
        if (disposition != null) {
            String name;
            try {
                name = ContentDisposition.parse(disposition).getFilename();
            } catch (IllegalArgumentException e) { // also an unknown charset in filename*
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Content-Disposition "
                        + Echo.quote(disposition) + " cannot be parsed: " + Echo.escape(e.getMessage()));
            }
            if (name != null && !name.isEmpty()) {
                return name;
            }
        }
        return "https-" + receivedAt.toString().replace(":", "");
    }

    /** XML receipts for clients that ask for XML and not JSON first. */
    static boolean wantsXml(String accept) {
        for (MediaType type : AcceptHeader.parse(accept)) {
            if (type.isCompatibleWith(MediaType.APPLICATION_XML) && !type.isWildcardType()) {
                return true;
            }
            if (type.isCompatibleWith(MediaType.APPLICATION_JSON) && !type.isWildcardType()) {
                return false;
            }
        }
        return false;
    }
}
