package org.ptsingest.service.web;

import static org.ptsingest.service.persistence.jooq.Tables.FEED;
import static org.ptsingest.service.persistence.jooq.Tables.READING_OUTCOME;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Channel;
import org.ptsingest.feed.FeedFormat;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.pipeline.FeedDelivery;
import org.ptsingest.pipeline.DeliveryKey;
import org.ptsingest.pipeline.FeedResult;
import org.ptsingest.service.ingest.Deliveries;
import org.ptsingest.service.ingest.FeedSystems;
import org.ptsingest.service.persistence.jooq.tables.records.FeedRecord;
import org.ptsingest.service.security.ProviderApiKeys;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * PTS-compatible endpoints: a DAS client that already reports to PTS points its existing client here.
 * The payloads are translated at the edge (ArDataReader, PtsJsonReader) and go through the same
 * ingest route, rules, dedup and receipts as every other feed; the answer is given per system in the
 * shape the client expects ({@code Results/ARSystemResults}, or a JSON result per system), and the
 * full receipt stays available at /api/v1/feeds/{feed_id}/receipt.
 */
@RestController
class PtsCompatController {
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();
    private static final JsonFactory JSON = new JsonFactory();

    private final FeedGateway gateway;
    private final Deliveries deliveries;
    private final DSLContext dsl;
    private final ProviderApiKeys apiKeys;
    private final PtsMeterReads meterReads;
    private final FeedSystems feedSystems;
    private final Path uploads;
    private final long maxBytes;

    PtsCompatController(FeedGateway gateway, Deliveries deliveries, DSLContext dsl, ProviderApiKeys apiKeys,
            PtsMeterReads meterReads, FeedSystems feedSystems, IngestProperties properties) {
        this.gateway = gateway;
        this.deliveries = deliveries;
        this.dsl = dsl;
        this.apiKeys = apiKeys;
        this.meterReads = meterReads;
        this.feedSystems = feedSystems;
        this.uploads = properties.workDir().resolve("https-upload");
        this.maxBytes = properties.https().maxFeedSize().toBytes();
    }

    /** The ARData document (the body of PTS's postdata call), answered with Results/ARSystemResults. */
    @PostMapping(path = "/pts/v1/ardata", consumes = {"application/xml", "text/xml"})
    void arData(HttpServletRequest request, HttpServletResponse response, Authentication provider) throws Exception {
        Outcome outcome = ingest(request, provider, FeedFormat.PTS_ARDATA);
        if (outcome.notJudged() != null) {
            DeliveryAnswers.notJudged(outcome.notJudged(), response);
            return;
        }
        response.setStatus(outcome.httpStatus().value());
        response.setContentType(MediaType.APPLICATION_XML_VALUE);
        writeXml(outcome, response.getOutputStream());
    }

    /** The PTS REST body ({@code APIKey}, {@code systems[]}), answered with a result per system. */
    @PostMapping(path = "/pts/v1/readings", consumes = "application/json")
    void readings(HttpServletRequest request, HttpServletResponse response, Authentication provider) throws Exception {
        Outcome outcome = ingest(request, provider, FeedFormat.PTS_JSON);
        if (outcome.notJudged() != null) {
            DeliveryAnswers.notJudged(outcome.notJudged(), response);
            return;
        }
        response.setStatus(outcome.httpStatus().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        writeJson(outcome, response.getOutputStream());
    }

    private record SystemResult(String systemId, int inserted, boolean success, List<String> messages) {}

    /** The judged feed and its per-system results, or (feed null) the delivery that could not be judged. */
    private record Outcome(FeedRecord feed, List<SystemResult> systems, FeedResult notJudged) {
        HttpStatus httpStatus() {
            HttpStatus rejected = FeedUploadController.rejectionStatus(feed.getRejectionCode());
            return rejected != null ? rejected : HttpStatus.OK;
        }
    }

    /**
     * PTS's SOAP service as its clients call it: {@code postdata} (or {@code testpostdata}, which judges
     * and answers the same but stores nothing) carrying the ARData document as escaped text in
     * {@code xmldata}, credentials in the {@code cAuthentication} header (UserName = provider id,
     * Password = the provider's API key). The answer is {@code postdataResult} with the escaped
     * {@code Results} document, or a SOAP fault. The read calls {@code GetLastMeterDate} and
     * {@code GetMeterValue} are answered by {@link #read}.
     */
    @PostMapping(path = "/pts/v1/soap", consumes = {"text/xml", "application/soap+xml"})
    void soap(HttpServletRequest request, HttpServletResponse response) throws Exception {
        Files.createDirectories(uploads);
        Path body = Files.createTempFile(uploads, "pts-soap-", ".xml");
        try {
            PtsSoap.Call call;
            try (var in = limited(request)) {
                call = PtsSoap.read(in, body);
            } catch (IllegalArgumentException e) {
                PtsSoap.fault(response, HttpStatus.BAD_REQUEST, "soap:Client", e.getMessage());
                return;
            } catch (ResponseStatusException e) { // too large, or a Content-Encoding not taken
                PtsSoap.fault(response, HttpStatus.valueOf(e.getStatusCode().value()), "soap:Client", e.getReason());
                return;
            }
            String provider = apiKeys.authenticate(call.password()).orElse(null);
            if (provider == null || !provider.equals(call.userName())) {
                PtsSoap.fault(response, HttpStatus.UNAUTHORIZED, "soap:Client", "cAuthentication: unknown user or key");
                return;
            }
            if (!call.posts()) {
                read(call, provider, response);
                return;
            }
            Outcome outcome = ingest(body, provider, FeedFormat.PTS_ARDATA, call.test());
            if (outcome.notJudged() != null) {
                response.setHeader("Retry-After", Long.toString(
                        DeliveryAnswers.retryAfterSeconds(outcome.notJudged().nextAttemptAt())));
                PtsSoap.fault(response, HttpStatus.SERVICE_UNAVAILABLE, "soap:Server", "delivery "
                        + outcome.notJudged().deliveryId() + " could not be judged now ("
                        + outcome.notJudged().state() + "); it is retried, or send it again later");
                return;
            }
            java.io.ByteArrayOutputStream results = new java.io.ByteArrayOutputStream();
            writeXml(outcome, results);
            PtsSoap.result(response, call.operation(), results.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /**
     * GetLastMeterDate(PTSSystemID) and GetMeterValue(PTSSystemID, MeterYear, MeterMonth, MeterDay), for
     * systems the provider reports or reported. Any other system id, registered or not, gets the same
     * 404 fault, so a provider learns nothing about systems that are not its own. Without a reading the
     * Result element is left out.
     */
    private void read(PtsSoap.Call call, String provider, HttpServletResponse response) throws IOException {
        String system = call.parameters().get("PTSSystemID");
        if (system == null || system.isEmpty()) {
            PtsSoap.fault(response, HttpStatus.BAD_REQUEST, "soap:Client", call.operation() + ": PTSSystemID is missing");
            return;
        }
        if (!meterReads.readable(provider, system)) {
            PtsSoap.fault(response, HttpStatus.NOT_FOUND, "soap:Client", "PTSSystemID "
                    + org.ptsingest.feed.Echo.quote(system) + " is not a system " + provider + " reports");
            return;
        }
        if (call.operation().equals(PtsSoap.GET_LAST_METER_DATE)) {
            PtsSoap.result(response, call.operation(), meterReads.lastMeterDate(system).orElse(null));
            return;
        }
        java.time.LocalDate day;
        try {
            day = java.time.LocalDate.of(Integer.parseInt(call.parameters().getOrDefault("MeterYear", "")),
                    Integer.parseInt(call.parameters().getOrDefault("MeterMonth", "")),
                    Integer.parseInt(call.parameters().getOrDefault("MeterDay", "")));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            day = null;
        }
        // Java's calendar runs to year ±999,999,999, PostgreSQL's timestamps to 4713 BC and 294276 AD: a day
        // outside years 1 to 9999 failed in the query as a 500
        if (day == null || day.getYear() < 1 || day.getYear() > 9999) {
            PtsSoap.fault(response, HttpStatus.BAD_REQUEST, "soap:Client",
                    "GetMeterValue: MeterYear, MeterMonth and MeterDay must name a calendar day of the years 1 to 9999");
            return;
        }
        PtsSoap.result(response, call.operation(), meterReads.meterValue(system, day).orElse(null));
    }

    private Outcome ingest(HttpServletRequest request, Authentication provider, FeedFormat format) throws Exception {
        Files.createDirectories(uploads);
        Path body = Files.createTempFile(uploads, "pts-", ".body");
        try {
            try (var in = limited(request)) {
                Files.copy(in, body, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return ingest(body, provider.getName(), format, false);
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /** The request's body (decompressed when gzip) through the feed size cap. */
    private InputStream limited(HttpServletRequest request) throws IOException {
        return BodyLimit.open(request, maxBytes);
    }

    /**
     * One delivery through the ingest route; a dry run ({@code testpostdata}) takes the pipeline's one
     * dry-run path, which renders these results before everything is rolled back.
     */
    private Outcome ingest(Path body, String provider, FeedFormat format, boolean dryRun) throws Exception {
        Instant receivedAt = Instant.now();
        FeedDelivery delivery = new FeedDelivery(provider, Channel.HTTPS, format,
                format.name().toLowerCase(java.util.Locale.ROOT) + "-" + receivedAt.toString().replace(":", ""),
                DeliveryKey.https(UUID.randomUUID()), body, receivedAt, dryRun);
        if (dryRun) {
            return deliveries.dryRun(delivery, this::outcome);
        }
        FeedGateway.Delivered done = gateway.deliver(delivery);
        if (done.receipt() != null) {
            Files.deleteIfExists(done.receipt().toPath());
        }
        return done.result().isJudged() ? outcome(done.result().feedId()) : new Outcome(null, List.of(), done.result());
    }

    private Outcome outcome(long feedId) {
        FeedRecord feed = dsl.fetchSingle(FEED, FEED.FEED_ID.eq(feedId));
        // a replay answers with the results of the feed that was judged
        long judged = feed.getDuplicateOf() != null ? feed.getDuplicateOf() : feedId;
        return new Outcome(feed, results(judged), null);
    }

    /** Per system: readings stored by the feed, and every reading that was not plainly accepted. */
    private List<SystemResult> results(long feedId) {
        Map<String, Integer> inserted = feedSystems.stored(feedId);
        Map<String, List<String>> messages = new TreeMap<>();
        Map<String, Boolean> rejected = new TreeMap<>();
        dsl.select(READING_OUTCOME.SYSTEM_ID, READING_OUTCOME.RECORD_NO, READING_OUTCOME.CODE, READING_OUTCOME.MESSAGE,
                        READING_OUTCOME.LINE_NO)
                .from(READING_OUTCOME).where(READING_OUTCOME.FEED_ID.eq(feedId)).orderBy(READING_OUTCOME.RECORD_NO)
                .forEach(r -> {
                    String system = r.value1() == null ? "" : r.value1();
                    messages.computeIfAbsent(system, k -> new ArrayList<>())
                            .add("record " + r.value2() + " (line " + r.value5() + ") " + r.value3() + ": " + r.value4());
                    rejected.merge(system, OutcomeCode.valueOf(r.value3()).rejects(), Boolean::logicalOr);
                });
        TreeMap<String, SystemResult> all = new TreeMap<>();
        for (String system : inserted.keySet()) {
            all.put(system, null);
        }
        for (String system : messages.keySet()) {
            all.put(system, null);
        }
        List<SystemResult> out = new ArrayList<>();
        for (String system : all.keySet()) {
            out.add(new SystemResult(system, inserted.getOrDefault(system, 0), !rejected.getOrDefault(system, false),
                    messages.getOrDefault(system, List.of())));
        }
        return out;
    }

    private static void writeXml(Outcome o, OutputStream out) throws IOException {
        try {
            XMLStreamWriter x = XML.createXMLStreamWriter(out, "UTF-8");
            x.writeStartDocument("UTF-8", "1.0");
            x.writeStartElement("Results");
            x.writeAttribute("FeedID", String.valueOf(o.feed().getFeedId()));
            x.writeAttribute("Status", o.feed().getStatus());
            if (o.feed().getRejectionCode() != null && o.feed().getDuplicateOf() == null) {
                system(x, new SystemResult("", 0, false,
                        List.of(o.feed().getRejectionCode() + ": " + o.feed().getRejectionMessage())));
            }
            for (SystemResult s : o.systems()) {
                system(x, s);
            }
            x.writeEndElement();
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }

    private static void system(XMLStreamWriter x, SystemResult s) throws XMLStreamException {
        x.writeStartElement("ARSystemResults");
        x.writeAttribute("SystemID", s.systemId());
        element(x, "Success", String.valueOf(s.success()));
        element(x, "RecordsInserted", String.valueOf(s.inserted()));
        element(x, "Messages", String.join("; ", s.messages()));
        x.writeEndElement();
    }

    private static void element(XMLStreamWriter x, String name, String text) throws XMLStreamException {
        x.writeStartElement(name);
        x.writeCharacters(text);
        x.writeEndElement();
    }

    private static void writeJson(Outcome o, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("feed_id", o.feed().getFeedId());
            g.writeStringField("status", o.feed().getStatus());
            if (o.feed().getRejectionCode() != null) {
                g.writeObjectFieldStart("rejection");
                g.writeStringField("code", o.feed().getRejectionCode());
                g.writeStringField("message", o.feed().getRejectionMessage());
                g.writeEndObject();
            }
            g.writeArrayFieldStart("results");
            for (SystemResult s : o.systems()) {
                g.writeStartObject();
                g.writeStringField("fk_System", s.systemId());
                g.writeBooleanField("success", s.success());
                g.writeNumberField("records_inserted", s.inserted());
                g.writeArrayFieldStart("messages");
                for (String m : s.messages()) {
                    g.writeString(m);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }
}
