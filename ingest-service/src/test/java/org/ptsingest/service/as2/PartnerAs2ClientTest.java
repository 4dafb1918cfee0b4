package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;

import com.helger.as2lib.crypto.ECryptoAlgorithmSign;
import com.helger.as2lib.crypto.ICryptoHelper;
import com.helger.as2lib.util.AS2Helper;
import com.helger.as2lib.util.AS2ResourceHelper;
import com.helger.mail.cte.EContentTransferEncoding;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;

/**
 * Checks {@link PartnerAs2Client} against a local HTTP server that records what it receives and,
 * depending on the mode, answers with a real MDN (decrypt, verify, MIC and MDN signing done with
 * as2-lib's crypto helper), an empty 200, or a 500.
 */
class PartnerAs2ClientTest {

  private static final String PROVIDER_ID = "DAS-PROVIDER-1";
  private static final String SERVICE_ID = "PTS-INGEST";
  private static final byte[] PAYLOAD =
      "<?xml version=\"1.0\"?>\n<readings><r id=\"1\">42</r></readings>\n"
          .getBytes(StandardCharsets.UTF_8);
  private static final String PROCESSED = "automatic-action/MDN-sent-automatically; processed";

  private static Identity provider;
  private static Identity service;
  private static Identity stranger;

  private HttpServer server;
  private ExecutorService executor;
  private String baseUrl;
  private volatile Mode mode = Mode.MDN;
  private final BlockingQueue<Recorded> as2Requests = new LinkedBlockingQueue<>();
  private final BlockingQueue<Recorded> asyncMdns = new LinkedBlockingQueue<>();

  enum Mode { MDN, EMPTY_200, STATUS_500 }

  record Recorded(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  @BeforeAll
  static void identities() throws Exception {
    Instant now = Instant.now();
    provider = PartnerAs2Client.newIdentity(PROVIDER_ID, now.minus(1, ChronoUnit.DAYS),
        now.plus(365, ChronoUnit.DAYS));
    service = PartnerAs2Client.newIdentity(SERVICE_ID, now.minus(1, ChronoUnit.DAYS),
        now.plus(365, ChronoUnit.DAYS));
    stranger = PartnerAs2Client.newIdentity("STRANGER", now.minus(1, ChronoUnit.DAYS),
        now.plus(365, ChronoUnit.DAYS));
  }

  @BeforeEach
  void startServer() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/as2", this::handleAs2);
    server.createContext("/mdn", exchange -> {
      asyncMdns.add(record(exchange));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private PartnerAs2Client client(Identity sender, X509Certificate receiverCert) {
    return new PartnerAs2Client(sender, SERVICE_ID, receiverCert, baseUrl + "/as2");
  }

  @Test
  void signedAndEncryptedWithSignedSyncMdn() throws Exception {
    Mdn mdn = client(provider, service.certificate()).send(PAYLOAD, "readings.xml",
        Options.defaults().withMessageId("msg-1@" + PROVIDER_ID));

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    assertThat(request.header("AS2-From")).isEqualTo(PROVIDER_ID);
    assertThat(request.header("AS2-To")).isEqualTo(SERVICE_ID);
    assertThat(request.header("Message-ID")).isEqualTo("<msg-1@" + PROVIDER_ID + ">");
    assertThat(request.header("Disposition-Notification-To")).isNotBlank();
    assertThat(request.header("Disposition-Notification-Options"))
        .isEqualTo("signed-receipt-protocol=required, pkcs7-signature; "
            + "signed-receipt-micalg=required, sha-256");
    assertThat(request.header("Receipt-Delivery-Option")).isNull();
    assertThat(request.header("Content-Type")).startsWith("application/pkcs7-mime")
        .contains("enveloped-data");

    assertThat(mdn.httpStatus()).isEqualTo(200);
    assertThat(mdn.disposition()).isEqualTo(PROCESSED);
    assertThat(mdn.isProcessed()).isTrue();
    assertThat(mdn.messageId()).isEqualTo("<msg-1@" + PROVIDER_ID + ">");
    assertThat(mdn.originalMessageId()).isEqualTo(mdn.messageId());
    assertThat(mdn.signed()).isTrue();
    assertThat(mdn.signatureVerified()).isTrue();
    assertThat(mdn.sentMic()).endsWith(", sha-256");
    assertThat(mdn.receivedContentMic()).isEqualTo(mdn.sentMic());
    assertThat(mdn.micMatches()).isTrue();
    assertThat(mdn.text()).contains("fake receiver");
    assertThat(mdn.error()).isNull();
  }

  @Test
  void signedOnly() throws Exception {
    Mdn mdn = client(provider, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults().withEncrypt(false));

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.header("Content-Type")).startsWith("multipart/signed")
        .contains("application/pkcs7-signature").contains("sha-256");
    assertThat(new String(request.body(), StandardCharsets.UTF_8))
        .contains("<readings>").contains("filename=readings.xml");
    assertThat(mdn.disposition()).isEqualTo(PROCESSED);
    assertThat(mdn.micMatches()).isTrue();
    assertThat(mdn.signatureVerified()).isTrue();
    assertThat(mdn.messageId()).isNotBlank().isEqualTo(request.header("Message-ID"));
  }

  @Test
  void encryptedOnly() throws Exception {
    Mdn mdn = client(provider, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults().withSign(false));

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.header("Content-Type")).startsWith("application/pkcs7-mime");
    assertThat(mdn.disposition()).isEqualTo(PROCESSED);
    assertThat(mdn.micMatches()).isTrue();
  }

  @Test
  void plainMessageIsReallySentUnsignedAndUnencrypted() throws Exception {
    Mdn mdn = client(provider, service.certificate()).send(PAYLOAD, "readings.xml",
        Options.defaults().withSign(false).withEncrypt(false).withRequestSignedMdn(false)
            .withContentType("application/edi-consent"));

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.header("Content-Type")).isEqualTo("application/edi-consent");
    assertThat(request.body()).isEqualTo(PAYLOAD);
    assertThat(request.header("Disposition-Notification-To")).isNotBlank();
    assertThat(request.header("Disposition-Notification-Options")).isNull();
    // the fake receiver rejects unsecured messages, the client just reports it
    assertThat(mdn.disposition()).endsWith("processed/error: insufficient-message-security");
    assertThat(mdn.isProcessed()).isFalse();
    assertThat(mdn.signed()).isFalse();
    assertThat(mdn.signatureVerified()).isFalse();
    assertThat(mdn.micMatches()).isTrue();
  }

  @Test
  void signedWithTheWrongKey() throws Exception {
    Identity impostor = provider.withKey(stranger.key());
    Mdn mdn = client(impostor, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults());

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.header("Content-Type")).startsWith("application/pkcs7-mime");
    assertThat(mdn.disposition()).endsWith("processed/error: authentication-failed");
    assertThat(mdn.signatureVerified()).isTrue();
  }

  @Test
  void signedWithAnotherPartnersCertificate() throws Exception {
    Identity impostor = new Identity(PROVIDER_ID, stranger.key(), stranger.certificate());
    Mdn mdn = client(impostor, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults().withEncrypt(false));

    assertThat(as2Requests.poll(5, TimeUnit.SECONDS).header("Content-Type"))
        .startsWith("multipart/signed");
    assertThat(mdn.disposition()).endsWith("processed/error: authentication-failed");
  }

  @Test
  void encryptedForTheWrongReceiverCertificate() throws Exception {
    Mdn mdn = client(provider, stranger.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults());

    assertThat(mdn.httpStatus()).isEqualTo(200);
    assertThat(mdn.disposition()).endsWith("processed/error: decryption-failed");
    // the MDN is signed by the real receiver, which is not the certificate the client was given
    assertThat(mdn.signed()).isTrue();
    assertThat(mdn.signatureVerified()).isFalse();
    assertThat(mdn.error()).contains("signature not verified");
  }

  @Test
  void expiredSenderCertificateIsStillUsedForSigning() throws Exception {
    Instant now = Instant.now();
    Identity expired = PartnerAs2Client.newIdentity(PROVIDER_ID,
        now.minus(30, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
    Mdn mdn = client(expired, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults().withEncrypt(false));

    assertThat(as2Requests.poll(5, TimeUnit.SECONDS).header("Content-Type"))
        .startsWith("multipart/signed");
    assertThat(mdn.disposition()).endsWith("processed/error: authentication-failed");
  }

  @Test
  void emptyAnswerIsReportedNotThrown() throws Exception {
    mode = Mode.EMPTY_200;
    Mdn mdn = client(provider, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults());

    assertThat(mdn.httpStatus()).isEqualTo(200);
    assertThat(mdn.disposition()).isNull();
    assertThat(mdn.error()).isNotBlank();
    assertThat(mdn.messageId()).isNotBlank();
  }

  @Test
  void httpErrorIsReportedNotThrown() throws Exception {
    mode = Mode.STATUS_500;
    Mdn mdn = client(provider, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults());

    assertThat(as2Requests.poll(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(as2Requests.poll(300, TimeUnit.MILLISECONDS)).as("no retry").isNull();
    assertThat(mdn.httpStatus()).isEqualTo(500);
    assertThat(mdn.disposition()).isNull();
    assertThat(mdn.error()).contains("500");
  }

  @Test
  void asyncMdn() throws Exception {
    String mdnUrl = baseUrl + "/mdn";
    Mdn sent = client(provider, service.certificate())
        .send(PAYLOAD, "readings.xml", Options.defaults().withAsyncMdnUrl(mdnUrl));

    Recorded request = as2Requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.header("Receipt-Delivery-Option")).isEqualTo(mdnUrl);
    assertThat(request.header("Disposition-Notification-Options")).isNotBlank();
    assertThat(sent.httpStatus()).isEqualTo(200);
    assertThat(sent.disposition()).isNull();
    assertThat(sent.error()).isNull();
    assertThat(sent.sentMic()).endsWith(", sha-256");

    Recorded async = asyncMdns.poll(10, TimeUnit.SECONDS);
    assertThat(async).isNotNull();
    Mdn mdn = PartnerAs2Client.parseMdn(async.headers(), async.body(), service.certificate(),
        sent.sentMic());
    assertThat(mdn.disposition()).isEqualTo(PROCESSED);
    assertThat(mdn.originalMessageId()).isEqualTo(sent.messageId());
    assertThat(mdn.messageId()).isEqualTo(sent.messageId());
    assertThat(mdn.signed()).isTrue();
    assertThat(mdn.signatureVerified()).isTrue();
    assertThat(mdn.micMatches()).isTrue();

    Mdn wrongCert = PartnerAs2Client.parseMdn(async.headers(), async.body(),
        stranger.certificate(), sent.sentMic());
    assertThat(wrongCert.disposition()).isEqualTo(PROCESSED);
    assertThat(wrongCert.signatureVerified()).isFalse();

    Mdn wrongMic = PartnerAs2Client.parseMdn(async.headers(), async.body(),
        service.certificate(), "AAAA, sha-256");
    assertThat(wrongMic.micMatches()).isFalse();
  }

  // --- fake AS2 receiver ------------------------------------------------------------------------

  private static Recorded record(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
    return new Recorded(headers, exchange.getRequestBody().readAllBytes());
  }

  private void handleAs2(HttpExchange exchange) throws IOException {
    Recorded request = record(exchange);
    as2Requests.add(request);
    Runnable afterAnswer = () -> {};
    try {
      switch (mode) {
        case EMPTY_200 -> exchange.sendResponseHeaders(200, -1);
        case STATUS_500 -> exchange.sendResponseHeaders(500, -1);
        case MDN -> {
          Recorded mdn = buildMdn(request);
          String asyncUrl = request.header("Receipt-Delivery-Option");
          if (asyncUrl == null) {
            mdn.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(200, mdn.body().length);
            exchange.getResponseBody().write(mdn.body());
          } else {
            exchange.sendResponseHeaders(200, -1);
            // like a real receiver: the MDN goes out once the message's own answer is complete
            afterAnswer = () -> executor.submit(() -> postAsync(asyncUrl, mdn));
          }
        }
      }
    } catch (Exception e) {
      // the client under test then sees a 599 and the test fails on it; the log says why
      org.slf4j.LoggerFactory.getLogger(PartnerAs2ClientTest.class).error("fake AS2 receiver failed", e);
      exchange.sendResponseHeaders(599, -1);
    } finally {
      exchange.close();
    }
    afterAnswer.run();
  }

  private static Void postAsync(String url, Recorded mdn) throws Exception {
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofByteArray(mdn.body()));
    mdn.headers().forEach(post::header);
    HttpClient.newHttpClient().send(post.build(), HttpResponse.BodyHandlers.discarding());
    return null;
  }

  /** A minimal AS2 receiver: decrypt, verify, compute the MIC as RFC 4130 says, answer an MDN. */
  private static Recorded buildMdn(Recorded request) throws Exception {
    ICryptoHelper crypto = AS2Helper.getCryptoHelper();
    String disposition = PROCESSED;
    String mic = null;
    try (AS2ResourceHelper resources = new AS2ResourceHelper()) {
      InternetHeaders partHeaders = new InternetHeaders();
      partHeaders.addHeader("Content-Type", request.header("Content-Type"));
      MimeBodyPart part = new MimeBodyPart(partHeaders, request.body());
      boolean encrypted = crypto.isEncrypted(part);
      boolean signed = false;
      try {
        if (encrypted) {
          part = crypto.decrypt(part, service.certificate(), service.key(), false, resources);
        }
        signed = crypto.isSigned(part);
        if (signed) {
          try {
            part = crypto.verify(part, provider.certificate(), false, false, null, resources);
          } catch (Exception e) {
            disposition += "/error: authentication-failed";
          }
        }
        mic = crypto.calculateMIC(part, ECryptoAlgorithmSign.DIGEST_SHA_256, signed || encrypted)
            .getAsAS2String();
        if (!signed && !encrypted) {
          disposition += "/error: insufficient-message-security";
        }
      } catch (Exception e) {
        disposition += "/error: decryption-failed";
      }
    }

    String boundary = "----=_report_" + System.nanoTime();
    String report = "Content-Type: multipart/report; report-type=disposition-notification; "
        + "boundary=\"" + boundary + "\"\r\n\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Type: text/plain\r\n\r\n"
        + "MDN from the fake receiver for " + request.header("Message-ID") + "\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Type: message/disposition-notification\r\n\r\n"
        + "Reporting-UA: fake receiver\r\n"
        + "Original-Recipient: rfc822; " + request.header("AS2-To") + "\r\n"
        + "Final-Recipient: rfc822; " + request.header("AS2-To") + "\r\n"
        + "Original-Message-ID: " + request.header("Message-ID") + "\r\n"
        + "Disposition: " + disposition + "\r\n"
        + (mic == null ? "" : "Received-Content-MIC: " + mic + "\r\n")
        + "\r\n"
        + "--" + boundary + "--\r\n";
    MimeBodyPart mdnPart = new MimeBodyPart(
        new ByteArrayInputStream(report.getBytes(StandardCharsets.US_ASCII)));
    if (request.header("Disposition-Notification-Options") != null) {
      mdnPart = crypto.sign(mdnPart, service.certificate(), service.key(),
          ECryptoAlgorithmSign.DIGEST_SHA_256, true, false, false, EContentTransferEncoding.BASE64);
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    mdnPart.writeTo(out);
    byte[] all = out.toByteArray();
    int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    String headerBlock = new String(all, 0, split, StandardCharsets.US_ASCII)
        .replaceAll("\r\n[ \t]+", " ");
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : headerBlock.split("\r\n")) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    headers.put("AS2-From", request.header("AS2-To"));
    headers.put("AS2-To", request.header("AS2-From"));
    headers.put("AS2-Version", "1.2");
    headers.put("Message-ID", "<mdn-" + System.nanoTime() + "@fake>");
    headers.remove("MIME-Version");
    headers.put("Mime-Version", "1.0");
    byte[] body = Arrays.copyOfRange(all, split + 4, all.length);
    return new Recorded(headers, body);
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no header/body separator");
  }
}
