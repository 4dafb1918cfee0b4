package org.ptsingest.service.as2;

import com.helger.as2lib.cert.CertificateFactory;
import com.helger.as2lib.cert.ECertificatePartnershipType;
import com.helger.as2lib.client.AS2Client;
import com.helger.as2lib.client.AS2ClientRequest;
import com.helger.as2lib.client.AS2ClientResponse;
import com.helger.as2lib.client.AS2ClientSettings;
import com.helger.as2lib.crypto.ECryptoAlgorithmCrypt;
import com.helger.as2lib.crypto.ECryptoAlgorithmSign;
import com.helger.as2lib.crypto.MIC;
import com.helger.as2lib.disposition.DispositionOptions;
import com.helger.as2lib.exception.AS2Exception;
import com.helger.as2lib.message.AS2Message;
import com.helger.as2lib.message.AS2MessageMDN;
import com.helger.as2lib.partner.Partnership;
import com.helger.as2lib.processor.sender.AS2HttpResponseException;
import com.helger.as2lib.processor.sender.AS2SenderModule;
import com.helger.as2lib.util.AS2Helper;
import com.helger.as2lib.util.AS2HttpHelper;
import com.helger.as2lib.util.AS2ResourceHelper;
import com.helger.as2lib.util.dump.IHTTPIncomingDumper;
import com.helger.as2lib.util.http.AS2HttpClient;
import com.helger.commons.http.HttpHeaderMap;
import com.helger.commons.state.ETriState;
import com.helger.security.keystore.EKeyStoreType;
import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.apache.hc.core5.util.Timeout;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test support: plays a DAS provider's AS2 gateway, using phax as2-lib 5.1.7 (an AS2
 * implementation we did not write) to send AS2 messages to the service under test and to read and
 * verify the MDNs it returns.
 *
 * <p>What goes on the wire (as2-lib {@code AS2SenderModule}): one HTTP POST with a Content-Length
 * (no chunking), no retry, and the headers {@code AS2-Version: 1.1, AS2-From, AS2-To, Message-ID
 * (<...>), Subject, From, Date, Mime-Version: 1.0, Content-Type, Content-Transfer-Encoding: binary,
 * Disposition-Notification-To, Recipient-Address, User-Agent, Connection: close}, {@code
 * Content-Disposition: attachment; filename=...} when a file name is given, {@code
 * Disposition-Notification-Options} when a signed MDN is requested and {@code
 * Receipt-Delivery-Option} when an asynchronous MDN is requested. Header values are not quoted, so
 * AS2 ids with spaces go out bare. The body is binary (no base64):
 * <ul>
 *   <li>sign+encrypt: {@code application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data}
 *       (DER, AES128-CBC, RSA key transport) around a {@code multipart/signed;
 *       protocol="application/pkcs7-signature"; micalg=sha-256} around the payload MIME part;
 *   <li>sign only: {@code multipart/signed} around the payload MIME part;
 *   <li>encrypt only: {@code application/pkcs7-mime} around the payload MIME part;
 *   <li>neither: the raw payload bytes, Content-Type = {@link Options#contentType()}.
 * </ul>
 * The payload MIME part carries {@code Content-Type}, {@code Content-Transfer-Encoding} (7bit/
 * binary, chosen by BouncyCastle when signing) and {@code Content-Disposition} headers. The
 * signature (SHA256withRSA, CMS signed attributes) embeds the signer's certificate (as2-lib
 * default), so a receiver must verify against the certificate it has registered for the partner,
 * not the embedded one.
 *
 * <p>MIC (always sha-256, "base64, sha-256"): signed → over the signed payload MIME part, headers
 * included; encrypted only → over the decrypted MIME part, headers included; neither → over the
 * payload bytes only, no headers.
 *
 * <p>Unlike a plain {@link AS2Client}, this class never throws because of a negative MDN, an
 * unparseable or unverifiable MDN, or a non-2xx HTTP status: all of that is reported in {@link
 * Mdn}. It only throws when no HTTP answer was obtained at all (connection refused, timeout...).
 * Certificates outside their validity period are used anyway (as2-lib itself refuses to sign or
 * encrypt with them) so that expired/not-yet-valid certificates can be tested against the server.
 */
public final class PartnerAs2Client {

  /** An AS2 party: its AS2 id, its private key and its certificate (need not match the key). */
  public record Identity(String as2Id, PrivateKey key, X509Certificate certificate) {
    public Identity {
      Objects.requireNonNull(as2Id, "as2Id");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(certificate, "certificate");
    }

    /** Same AS2 id and certificate, but signing with {@code otherKey} ("signed with the wrong key"). */
    public Identity withKey(PrivateKey otherKey) {
      return new Identity(as2Id, otherKey, certificate);
    }
  }

  /**
   * Per-message options.
   *
   * @param sign sign the message (SHA256withRSA, micalg sha-256); {@code false} sends it unsigned
   * @param encrypt encrypt the message (AES128-CBC) for the receiver certificate; {@code false}
   *     sends it unencrypted
   * @param requestSignedMdn send {@code Disposition-Notification-Options: signed-receipt-protocol=
   *     required, pkcs7-signature; signed-receipt-micalg=required, sha-256}; {@code false} omits that
   *     header entirely (an unsigned MDN is requested; Disposition-Notification-To is still sent)
   * @param asyncMdnUrl {@code null} = synchronous MDN, otherwise sent as Receipt-Delivery-Option
   * @param messageId {@code null} = a random UUID at the sender's AS2 id; angle brackets are added if missing
   * @param contentType Content-Type of the payload MIME part, e.g. {@code application/xml}
   * @param subject Subject header; {@code null} = "AS2 message"
   */
  public record Options(
      boolean sign,
      boolean encrypt,
      boolean requestSignedMdn,
      String asyncMdnUrl,
      String messageId,
      String contentType,
      String subject,
      Compression compression,
      String digest,
      String cipher,
      String micalg) {

    /** Signed, encrypted, signed synchronous MDN, generated Message-ID, application/xml. */
    public static Options defaults() {
      return new Options(true, true, true, null, null, "application/xml", "AS2 message", Compression.NONE,
          "sha-256", "aes128-cbc", "sha-256");
    }

    public Options withSign(boolean value) {
      return new Options(value, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, compression,
          digest, cipher, micalg);
    }

    public Options withEncrypt(boolean value) {
      return new Options(sign, value, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, compression,
          digest, cipher, micalg);
    }

    public Options withRequestSignedMdn(boolean value) {
      return new Options(sign, encrypt, value, asyncMdnUrl, messageId, contentType, subject, compression,
          digest, cipher, micalg);
    }

    public Options withAsyncMdnUrl(String value) {
      return new Options(sign, encrypt, requestSignedMdn, value, messageId, contentType, subject, compression,
          digest, cipher, micalg);
    }

    public Options withMessageId(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, value, contentType, subject, compression,
          digest, cipher, micalg);
    }

    public Options withContentType(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, value, subject, compression,
          digest, cipher, micalg);
    }

    public Options withSubject(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, value, compression,
          digest, cipher, micalg);
    }

    /** ZLIB compression (RFC 5402) by as2-lib ({@link #send} only), before or after signing. */
    /**
     * The signature's digest, in as2-lib's names: {@code sha-256}, {@code sha1} (RFC 3851) or {@code
     * sha-1} (RFC 5751); also the {@code micalg} of the {@code multipart/signed}.
     */
    public Options withDigest(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, compression,
          value, cipher, micalg);
    }

    /** The envelope's cipher: {@code aes128-cbc} or {@code 3des}. */
    public Options withCipher(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, compression,
          digest, value, micalg);
    }

    /**
     * The {@code signed-receipt-micalg} list of {@code Disposition-Notification-Options}, in order of
     * preference, e.g. {@code "sha1, sha-256"}; the sender's MIC uses the first.
     */
    public Options withMicalg(String value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, compression,
          digest, cipher, value);
    }

    public Options withCompression(Compression value) {
      return new Options(sign, encrypt, requestSignedMdn, asyncMdnUrl, messageId, contentType, subject, value,
          digest, cipher, micalg);
    }
  }

  /** Whether and in which order as2-lib compresses (RFC 5402 §3). */
  public enum Compression { NONE, BEFORE_SIGNING, AFTER_SIGNING }

  /**
   * The outcome of a send (synchronous MDN) or of {@link #parseMdn} (asynchronous MDN).
   *
   * @param httpStatus HTTP status of the answer to the AS2 POST; 0 from {@link #parseMdn}
   * @param disposition the full Disposition field, e.g. {@code
   *     automatic-action/MDN-sent-automatically; processed}; {@code null} if there is no (parseable)
   *     MDN (non-2xx status, empty body, async MDN requested, ...)
   * @param originalMessageId the Original-Message-ID field of the MDN
   * @param receivedContentMic the Received-Content-MIC field of the MDN
   * @param micMatches whether Received-Content-MIC equals the MIC the sender computed
   * @param signed whether the MDN was {@code multipart/signed}
   * @param signatureVerified whether the MDN signature verified against the receiver certificate
   *     given to this client (the certificate embedded in the MDN is ignored; an expired receiver
   *     certificate also makes this false, as in as2-lib)
   * @param text the human-readable (text/plain) part of the MDN; {@code null} if none
   * @param messageId the AS2 Message-ID that was sent (from {@link #parseMdn}: the MDN's
   *     Original-Message-ID)
   * @param sentMic the MIC the sender computed ("base64, sha-256"); pass it to {@link #parseMdn}
   *     for an asynchronous MDN. {@code null} from {@link #parseMdn}
   * @param error why disposition is null or the signature did not verify; {@code null} if all fine
   */
  public record Mdn(
      int httpStatus,
      String disposition,
      String originalMessageId,
      String receivedContentMic,
      boolean micMatches,
      boolean signed,
      boolean signatureVerified,
      String text,
      String messageId,
      String sentMic,
      String error) {

    /** {@code true} if the disposition is "processed" (possibly "processed/warning: ..."). */
    public boolean isProcessed() {
      if (disposition == null) {
        return false;
      }
      int semi = disposition.indexOf(';');
      String status = (semi < 0 ? disposition : disposition.substring(semi + 1)).trim()
          .toLowerCase(Locale.ROOT);
      return status.equals("processed") || status.startsWith("processed/warning");
    }
  }

  private static final String KEYSTORE_PASSWORD = "as2-test";
  private static final String SENDER_ALIAS = "sender";
  private static final String RECEIVER_ALIAS = "receiver";
  private static final long CONNECT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);
  private static final long RESPONSE_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(120);
  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
  }

  private final Identity sender;
  private final String receiverAs2Id;
  private final X509Certificate receiverCertificate;
  private final String url;
  /** Built once: a real partner loads its key store once, not per message (see senderKeyStore). */
  private final byte[] senderKeyStore;

  public PartnerAs2Client(Identity sender, String receiverAs2Id, X509Certificate receiverCertificate,
      String url) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.receiverAs2Id = Objects.requireNonNull(receiverAs2Id, "receiverAs2Id");
    this.receiverCertificate = Objects.requireNonNull(receiverCertificate, "receiverCertificate");
    this.url = Objects.requireNonNull(url, "url");
    try {
      this.senderKeyStore = senderKeyStore(sender);
    } catch (Exception e) {
      throw new IllegalStateException("sender key store could not be built", e);
    }
  }

  /**
   * Sends one AS2 message and, for a synchronous MDN, reads and verifies it.
   *
   * @param fileName put into the payload part's Content-Disposition ({@code attachment;
   *     filename=...}); may be {@code null}
   * @throws Exception only if no HTTP answer was obtained (or the message could not be built)
   */
  public Mdn send(byte[] payload, String fileName, Options options) throws Exception {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");

    AS2ClientSettings settings = new AS2ClientSettings();
    settings.setKeyStore(EKeyStoreType.JKS, senderKeyStore, KEYSTORE_PASSWORD);
    settings.setSaveKeyStoreChangesToFile(false);
    settings.setSenderData(sender.as2Id(), senderEmail(sender.as2Id()), SENDER_ALIAS);
    settings.setReceiverData(receiverAs2Id, RECEIVER_ALIAS, url);
    settings.setReceiverCertificate(receiverCertificate);
    settings.setPartnershipName(sender.as2Id() + "_" + receiverAs2Id);
    settings.setEncryptAndSign(
        options.encrypt() ? as2LibCipher(options.cipher()) : null,
        options.sign() ? as2LibDigest(options.digest()) : null);
    if (options.compression() != null && options.compression() != Compression.NONE) {
      settings.setCompress(com.helger.as2lib.crypto.ECompressionType.ZLIB,
          options.compression() == Compression.BEFORE_SIGNING);
    }
    settings.setMDNRequested(true);
    settings.setMDNOptions(options.requestSignedMdn()
        ? new DispositionOptions()
            .setProtocolImportance(DispositionOptions.IMPORTANCE_REQUIRED)
            .setProtocol(DispositionOptions.PROTOCOL_PKCS7_SIGNATURE)
            .setMICAlgImportance(DispositionOptions.IMPORTANCE_REQUIRED)
            .setMICAlg(options.micalg())
            .getAsString()
        : null);
    settings.setAsyncMDNUrl(options.asyncMdnUrl());
    settings.setRetryCount(0);
    settings.setConnectTimeout(Timeout.ofMilliseconds(CONNECT_TIMEOUT_MS));
    settings.setResponseTimeout(Timeout.ofMilliseconds(RESPONSE_TIMEOUT_MS));

    AS2ClientRequest request = new AS2ClientRequest(
        options.subject() == null || options.subject().isBlank() ? "AS2 message" : options.subject());
    // A DataSource-backed DataHandler: setData(byte[]) would need a jakarta.activation
    // DataContentHandler for the MIME type, which e.g. application/edi-consent does not have.
    String contentType =
        options.contentType() == null ? "application/octet-stream" : options.contentType();
    request.setData(new DataHandler(new ByteArrayDataSource(payload, contentType)));
    request.setContentType(contentType);
    if (fileName != null) {
      request.setFilename(fileName);
    }

    Capture capture = new Capture(receiverCertificate);
    lastAnswer = null;
    CapturingClient client = new CapturingClient(options.messageId(), capture);
    SSLContext tls = sslContext;
    client.setAS2SenderModuleFactory(() -> new CapturingSender(capture, tls));
    AS2ClientResponse response = client.sendSynchronous(settings, request);

    String sentMessageId = response.getOriginalMessageID();
    String sentMic = capture.sentMic;
    if (sentMic == null && client.message != null) {
      sentMic = client.message.attrs().getAsString(AS2Message.ATTRIBUTE_MIC);
    }
    Throwable failure = response.getException();
    AS2HttpResponseException httpError = findCause(failure, AS2HttpResponseException.class);

    if (capture.answer != null) {
      lastAnswer = capture.answer;
    }
    if (capture.mdn != null) {
      // synchronous MDN was read (whatever its content)
      Mdn m = capture.mdn;
      return new Mdn(m.httpStatus(), m.disposition(), m.originalMessageId(), m.receivedContentMic(),
          m.micMatches(), m.signed(), m.signatureVerified(), m.text(), sentMessageId, sentMic,
          m.error());
    }
    if (httpError != null) {
      return new Mdn(httpError.getCode(), null, null, null, false, false, false, null, sentMessageId,
          sentMic, "HTTP " + httpError.getCode() + " " + httpError.getMessage());
    }
    if (failure != null || capture.httpStatus == null) {
      if (failure instanceof Exception e) {
        throw e;
      }
      throw new IllegalStateException("AS2 message was not sent", failure);
    }
    // asynchronous MDN requested: only the HTTP status is known now
    return new Mdn(capture.httpStatus, null, null, null, false, false, false, null, sentMessageId,
        sentMic, options.asyncMdnUrl() != null ? null : "no MDN received");
  }

  /**
   * Sends a signed part given byte for byte, for header formatting that jakarta.mail (and so as2-lib)
   * never writes: {@code Content-Type:application/xml} without a space, two spaces after the colon,
   * trailing white space. Signed and encrypted with BouncyCastle's CMS classes directly, as an
   * OpenSSL-based gateway does ({@code openssl cms -sign -binary}, then {@code -encrypt}): a detached
   * SHA256withRSA signature with the signer's certificate, a {@code multipart/signed} whose signature
   * part is base64, AES128-CBC for the receiver certificate, and the envelope POSTed base64-encoded
   * ({@code Content-Transfer-Encoding: base64}) with the usual AS2 headers. The synchronous MDN is
   * read and verified with as2-lib's parser as in {@link #send}; the sender's MIC is SHA-256 over
   * {@code signedPart}, exactly as given. Asynchronous MDNs and {@link Options#sign()}/{@link
   * Options#encrypt()} {@code false} are not offered here.
   *
   * @param signedPart the MIME part to sign: header lines, an empty line, the content, all CRLF
   *     where MIME wants it
   */
  public Mdn sendSignedPart(byte[] signedPart, Options options) throws Exception {
    return sendSignedPart(signedPart, options, Wire.defaults());
  }

  /**
   * How {@link #sendSignedPart(byte[], Options, Wire)} puts the message on the wire, for what other
   * gateways do: {@code der} encodes the envelope with definite lengths (as {@code openssl cms
   * -encrypt -outform DER} does; otherwise BouncyCastle's BER, which ends in 00 00); {@code
   * transferEncoding} "base64" or "binary" (the envelope's bytes as they are); the outer and the
   * signature part's Content-Type ({@code application/x-pkcs7-*} are older gateways' names); {@code
   * lastEnvelopeByte}, when not {@code null}, encrypts again (new key and IV) until the envelope ends
   * in that byte; {@code splitBetweenCrAndLf} encrypts again until the body holds a CR LF pair and
   * writes the body in two pieces, the first ending with that CR, with a pause between them (plain
   * HTTP only): what TCP may do to any body, so that the receiver's read ends with the CR.
   */
  public record Wire(boolean der, String transferEncoding, String outerType, String signatureType,
      Integer lastEnvelopeByte, boolean splitBetweenCrAndLf) {
    public static Wire defaults() {
      return new Wire(false, "base64", "application/pkcs7-mime", "application/pkcs7-signature", null, false);
    }

    /** DER, binary: what an OpenSSL-based gateway POSTs. */
    public static Wire openSslBinary() {
      return new Wire(true, "binary", "application/pkcs7-mime", "application/pkcs7-signature", null, false);
    }

    public Wire withOuterType(String value) {
      return new Wire(der, transferEncoding, value, signatureType, lastEnvelopeByte, splitBetweenCrAndLf);
    }

    public Wire withSignatureType(String value) {
      return new Wire(der, transferEncoding, outerType, value, lastEnvelopeByte, splitBetweenCrAndLf);
    }

    public Wire withLastEnvelopeByte(int value) {
      return new Wire(der, transferEncoding, outerType, signatureType, value, splitBetweenCrAndLf);
    }

    public Wire withBodySplitBetweenCrAndLf() {
      return new Wire(der, transferEncoding, outerType, signatureType, lastEnvelopeByte, true);
    }
  }

  private volatile byte[] lastEnvelope;
  private volatile SSLContext sslContext;

  /** For an https URL: trust what this context trusts (the service's self-signed certificate, in tests). */
  public PartnerAs2Client trusting(SSLContext context) {
    this.sslContext = context;
    return this;
  }
  private volatile Answer lastAnswer;

  /** The HTTP answer to an AS2 POST as it came: header values by (lower-case) name, and the body. */
  public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  /** The answer to the last {@link #send} or {@link #sendSignedPart} (synchronous MDNs only). */
  public Answer lastAnswer() {
    return lastAnswer;
  }

  /** The envelope (before any transfer encoding) of the last {@link #sendSignedPart} call. */
  public byte[] lastEnvelope() {
    return lastEnvelope;
  }

  public Mdn sendSignedPart(byte[] signedPart, Options options, Wire wire) throws Exception {
    Composed message = compose(signedPart, options, wire);
    Map<String, String> post = message.headers();
    byte[] body = message.body();
    String messageId = message.messageId();
    String sentMic = message.sentMic();
    Answer answer = wire.splitBetweenCrAndLf() ? postSplit(post, body, crLf(body) + 1)
        : messageId.chars().allMatch(c -> c < 0x80) ? post(post, body) : postUtf8(post, body);
    lastAnswer = answer;
    if (answer.status() / 100 != 2) {
      return new Mdn(answer.status(), null, null, null, false, false, false, null, messageId,
          sentMic, "HTTP " + answer.status() + " " + new String(answer.body(),
              java.nio.charset.StandardCharsets.UTF_8));
    }
    HttpHeaderMap headers = new HttpHeaderMap();
    answer.headers().forEach((name, values) -> values.forEach(v -> headers.addHeader(name, v)));
    Mdn m = parse(headers, answer.body(), receiverCertificate, sentMic, answer.status());
    return new Mdn(m.httpStatus(), m.disposition(), m.originalMessageId(), m.receivedContentMic(),
        m.micMatches(), m.signed(), m.signatureVerified(), m.text(), messageId, sentMic, m.error());
  }

  /**
   * A message as {@link #sendSignedPart(byte[], Options, Wire)} POSTs it, not sent: its HTTP headers in
   * order, its body, its Message-ID and the MIC its MDN should quote. For tests that put it on the wire
   * themselves, whole or altered.
   */
  public record Composed(Map<String, String> headers, byte[] body, String messageId, String sentMic) {}

  /** Signs {@code signedPart} and encrypts it as {@link #sendSignedPart(byte[], Options, Wire)} would. */
  public Composed compose(byte[] signedPart, Options options, Wire wire) throws Exception {
    CMSSignedDataGenerator signer = new CMSSignedDataGenerator();
    signer.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
        .setProvider(BouncyCastleProvider.PROVIDER_NAME)
        .build(jcaDigest(options.digest()).replace("-", "") + "withRSA", sender.key(), sender.certificate()));
    signer.addCertificates(new JcaCertStore(List.of(sender.certificate())));
    byte[] signature = signer.generate(new CMSProcessableByteArray(signedPart), false).getEncoded();

    String boundary = "----=_Part_raw_" + Long.toHexString(RANDOM.nextLong());
    ByteArrayOutputStream mime = new ByteArrayOutputStream();
    mime.writeBytes(ascii("Content-Type: multipart/signed; protocol=\"" + wire.signatureType() + "\";"
        + " micalg=" + options.digest() + "; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary + "\r\n"));
    mime.writeBytes(signedPart);
    mime.writeBytes(ascii("\r\n--" + boundary + "\r\n"
        + "Content-Type: " + wire.signatureType() + "; name=smime.p7s; smime-type=signed-data\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n"
        + Base64.getMimeEncoder().encodeToString(signature) + "\r\n--" + boundary + "--\r\n"));

    CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
    envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(receiverCertificate)
        .setProvider(BouncyCastleProvider.PROVIDER_NAME));
    byte[] encrypted;
    do {
      var enveloped = envelope.generate(new CMSProcessableByteArray(mime.toByteArray()),
          new JceCMSContentEncryptorBuilder("3des".equalsIgnoreCase(options.cipher())
              ? CMSAlgorithm.DES_EDE3_CBC : CMSAlgorithm.AES128_CBC)
              .setProvider(BouncyCastleProvider.PROVIDER_NAME).build());
      encrypted = wire.der()
          ? enveloped.toASN1Structure().getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER)
          : enveloped.getEncoded();
    } while (wire.lastEnvelopeByte() != null
        && (encrypted[encrypted.length - 1] & 0xff) != wire.lastEnvelopeByte()
        || wire.splitBetweenCrAndLf() && crLf(encrypted) < 0);
    lastEnvelope = encrypted;
    boolean base64 = "base64".equalsIgnoreCase(wire.transferEncoding());
    if (wire.splitBetweenCrAndLf() && base64) {
      throw new IllegalArgumentException("a split between CR and LF is for binary bodies");
    }

    String messageId = options.messageId() == null
        ? "<" + UUID.randomUUID() + "@" + sender.as2Id().replace(' ', '_') + ">"
        : options.messageId().trim().startsWith("<") ? options.messageId().trim()
        : "<" + options.messageId().trim() + ">";
    Map<String, String> post = new java.util.LinkedHashMap<>();
    post.put("AS2-Version", "1.1");
    post.put("AS2-From", sender.as2Id());
    post.put("AS2-To", receiverAs2Id);
    post.put("Message-ID", messageId);
    post.put("Subject", options.subject() == null ? "AS2 message" : options.subject());
    post.put("MIME-Version", "1.0");
    post.put("Content-Type", wire.outerType() + "; smime-type=enveloped-data; name=smime.p7m");
    post.put("Content-Transfer-Encoding", wire.transferEncoding());
    post.put("Disposition-Notification-To", senderEmail(sender.as2Id()));
    if (options.requestSignedMdn()) {
      post.put("Disposition-Notification-Options",
          "signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, " + options.micalg());
    }
    byte[] body = base64 ? Base64.getMimeEncoder().encode(encrypted) : encrypted;
    // The MIC in the first algorithm asked for, named as asked (RFC 4130 §7.3.1)
    String firstMicalg = options.micalg().split(",")[0].trim();
    String sentMic = Base64.getEncoder().encodeToString(
        MessageDigest.getInstance(jcaDigest(firstMicalg)).digest(signedPart)) + ", " + firstMicalg;
    return new Composed(post, body, messageId, sentMic);
  }

  private Answer post(Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMillis(RESPONSE_TIMEOUT_MS));
    headers.forEach(post::header);
    HttpClient.Builder httpBuilder = HttpClient.newBuilder();
    if (sslContext != null) {
      httpBuilder.sslContext(sslContext);
    }
    try (HttpClient http = httpBuilder
        .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)).build()) {
      HttpResponse<byte[]> response = http.send(post.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(response.statusCode(), response.headers().map(), response.body());
    }
  }

  /**
   * java.net.http writes header values as US-ASCII ('?' for anything else); a gateway built on curl or
   * a socket sends a non-ASCII Message-ID as its UTF-8 bytes (RFC 6532). HttpCore's own client does
   * that when told to code header characters as UTF-8.
   */
  private Answer postUtf8(Map<String, String> headers, byte[] body) throws Exception {
    URI target = URI.create(url);
    org.apache.hc.core5.http.impl.bootstrap.RequesterBootstrap bootstrap =
        org.apache.hc.core5.http.impl.bootstrap.RequesterBootstrap.bootstrap()
            .setConnectionFactory(new org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnectionFactory(
                org.apache.hc.core5.http.config.Http1Config.DEFAULT,
                org.apache.hc.core5.http.config.CharCodingConfig.custom()
                    .setCharset(java.nio.charset.StandardCharsets.UTF_8).build()));
    if (sslContext != null) {
      bootstrap.setSslContext(sslContext);
    }
    try (var requester = bootstrap.create()) {
      var request = new org.apache.hc.core5.http.message.BasicClassicHttpRequest("POST",
          org.apache.hc.core5.http.HttpHost.create(target), target.getRawPath());
      headers.forEach(request::addHeader);
      request.setEntity(new org.apache.hc.core5.http.io.entity.ByteArrayEntity(body, null));
      return requester.execute(org.apache.hc.core5.http.HttpHost.create(target), request,
          Timeout.ofMilliseconds(RESPONSE_TIMEOUT_MS),
          org.apache.hc.core5.http.protocol.HttpCoreContext.create(), PartnerAs2Client::answer);
    }
  }

  /** The status, headers and body of an answer, read whole. */
  private static Answer answer(org.apache.hc.core5.http.ClassicHttpResponse response) throws IOException {
    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (var h : response.getHeaders()) {
      headers.computeIfAbsent(h.getName(), k -> new java.util.ArrayList<>()).add(h.getValue());
    }
    byte[] content = response.getEntity() == null ? new byte[0] : response.getEntity().getContent().readAllBytes();
    return new Answer(response.getCode(), headers, content);
  }

  /**
   * Whether every established connection to {@code port} on this machine has an empty receive queue on the
   * listening side, i.e. the service has read all that was sent (Linux: the {@code rx_queue} column of
   * {@code /proc/net/tcp} and {@code tcp6}, both ends of a loopback connection being listed there).
   */
  private static boolean allReadByServer(int port) throws IOException {
    String local = String.format(":%04X", port);
    boolean seen = false;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      java.nio.file.Path file = java.nio.file.Path.of(table);
      if (!java.nio.file.Files.exists(file)) {
        continue;
      }
      List<String> lines = java.nio.file.Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) { // after the column names
        String[] f = line.trim().split("\\s+");
        if (f[1].endsWith(local) && f[3].equals("01")) { // the service's end, ESTABLISHED
          seen = true;
          if (Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16) != 0) {
            return false;
          }
        }
      }
    }
    return seen;
  }

  /** Where the first CR followed by an LF is, or -1. */
  private static int crLf(byte[] bytes) {
    for (int i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * POSTs {@code body} in two writes: the bytes before {@code split}, flushed, then, once the receiver has
   * read them (its read ends there), the rest.
   */
  private Answer postSplit(Map<String, String> headers, byte[] body, int split) throws Exception {
    URI target = URI.create(url);
    if (!"http".equalsIgnoreCase(target.getScheme())) {
      throw new IllegalStateException("a split body is sent over plain HTTP only: " + url);
    }
    var entity = new org.apache.hc.core5.http.io.entity.AbstractHttpEntity((String) null, null) {
      @Override
      public InputStream getContent() {
        return new java.io.ByteArrayInputStream(body);
      }

      @Override
      public void writeTo(java.io.OutputStream out) throws IOException {
        out.write(body, 0, split);
        out.flush();
        // the service's read of its socket must end where the first piece ends: the rest goes only once
        // the service has taken everything sent so far out of its receive queue
        org.awaitility.Awaitility.await("the service read the first piece").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(5)).until(() -> allReadByServer(target.getPort()));
        out.write(body, split, body.length - split);
        out.flush();
      }

      @Override
      public long getContentLength() {
        return body.length;
      }

      @Override
      public boolean isRepeatable() {
        return true;
      }

      @Override
      public boolean isStreaming() {
        return false;
      }

      @Override
      public void close() {}
    };
    try (var requester = org.apache.hc.core5.http.impl.bootstrap.RequesterBootstrap.bootstrap().create()) {
      var request = new org.apache.hc.core5.http.message.BasicClassicHttpRequest("POST",
          org.apache.hc.core5.http.HttpHost.create(target), target.getRawPath());
      headers.forEach(request::addHeader);
      request.setEntity(entity);
      return requester.execute(org.apache.hc.core5.http.HttpHost.create(target), request,
          Timeout.ofMilliseconds(RESPONSE_TIMEOUT_MS),
          org.apache.hc.core5.http.protocol.HttpCoreContext.create(), PartnerAs2Client::answer);
    }
  }

  private static ECryptoAlgorithmSign as2LibDigest(String name) {
    ECryptoAlgorithmSign digest = ECryptoAlgorithmSign.getFromIDOrNull(name);
    if (digest == null) {
      throw new IllegalArgumentException("as2-lib has no digest " + name);
    }
    return digest;
  }

  private static ECryptoAlgorithmCrypt as2LibCipher(String name) {
    return "3des".equalsIgnoreCase(name) ? ECryptoAlgorithmCrypt.CRYPT_3DES : ECryptoAlgorithmCrypt.CRYPT_AES128_CBC;
  }

  /** The JCA digest name of an AS2 micalg name ({@code sha-256}, {@code sha256}, {@code sha1}, {@code sha-1}). */
  private static String jcaDigest(String micalg) {
    String n = micalg.trim().toLowerCase(Locale.ROOT).replace("-", "");
    return switch (n) {
      case "sha1" -> "SHA-1";
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      case "sha512" -> "SHA-512";
      default -> throw new IllegalArgumentException("unknown micalg " + micalg);
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Parses and verifies an MDN received outside of this client (an asynchronous MDN POSTed to a
   * local listener), with as2-lib's MDN parser ({@code AS2Helper.parseMDN}, {@code
   * BCCryptoHelper.verify}).
   *
   * @param headers the HTTP request headers of the MDN POST (names case-insensitive; at least
   *     Content-Type)
   * @param body the HTTP request body, as received
   * @param receiverCertificate the certificate the MDN signature must verify against
   * @param expectedMic the MIC computed by the sender ({@link Mdn#sentMic()}); may be {@code null}
   */
  public static Mdn parseMdn(Map<String, String> headers, byte[] body,
      X509Certificate receiverCertificate, String expectedMic) {
    HttpHeaderMap headerMap = new HttpHeaderMap();
    if (headers != null) {
      headers.forEach((name, value) -> {
        if (name != null && value != null) {
          headerMap.addHeader(name, value);
        }
      });
    }
    Mdn m = parse(headerMap, body, receiverCertificate, expectedMic, 0);
    return new Mdn(m.httpStatus(), m.disposition(), m.originalMessageId(), m.receivedContentMic(),
        m.micMatches(), m.signed(), m.signatureVerified(), m.text(), m.originalMessageId(), null,
        m.error());
  }

  /** Generates a self-signed RSA-2048 certificate (SHA256withRSA), CN = AS2 id, via BouncyCastle. */
  public static Identity newIdentity(String as2Id, Instant notBefore, Instant notAfter)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    KeyPair keyPair = generator.generateKeyPair();
    X500Name subject = new X500Name("CN=" + as2Id.replaceAll("([,+=\"\\\\<>;#])", "\\\\$1")
        + ", O=AS2 test partner");
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
        new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
        subject, keyPair.getPublic());
    JcaX509ExtensionUtils extensionUtils = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
        | KeyUsage.nonRepudiation | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment));
    builder.addExtension(Extension.subjectKeyIdentifier, false,
        extensionUtils.createSubjectKeyIdentifier(keyPair.getPublic()));
    X509Certificate certificate = new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA")
            .build(keyPair.getPrivate())));
    return new Identity(as2Id, keyPair.getPrivate(), certificate);
  }

  // ---------------------------------------------------------------------------------------------

  private static String senderEmail(String as2Id) {
    String local = as2Id.replaceAll("[^A-Za-z0-9._-]", "_");
    return (local.isEmpty() ? "as2" : local) + "@as2-partner.example";
  }

  /**
   * In-memory JKS with the sender key. as2-lib loads the key store again for every message; a PKCS#12
   * store costs thousands of SHA-1 rounds (its password-based key derivation) per load, which made
   * this client burn ~150 ms of CPU per message on the service's own cores in {@code
   * scripts/benchmark-as2}. JKS protects the key with one cheap pass, which is all a test needs.
   */
  private static byte[] senderKeyStore(Identity identity) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("JKS");
    keyStore.load(null, null);
    keyStore.setKeyEntry(SENDER_ALIAS, identity.key(), KEYSTORE_PASSWORD.toCharArray(),
        new java.security.cert.Certificate[] {identity.certificate()});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    keyStore.store(out, KEYSTORE_PASSWORD.toCharArray());
    return out.toByteArray();
  }

  private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (sb.length() > 0) {
        sb.append(" <- ");
      }
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    return sb.toString();
  }

  /** Shared by the synchronous and the asynchronous path. Never throws. */
  private static Mdn parse(HttpHeaderMap headers, byte[] body, X509Certificate receiverCertificate,
      String expectedMic, int httpStatus) {
    if (body == null || body.length == 0) {
      return new Mdn(httpStatus, null, null, null, false, false, false, null, null, null,
          "empty MDN body");
    }
    AS2Message message = new AS2Message();
    // never trust a certificate embedded in the MDN: verify against the configured one only
    message.partnership().setVerifyUseCertificateInBodyPart(ETriState.FALSE);
    AS2MessageMDN mdn = new AS2MessageMDN(message);
    mdn.headers().addAllHeaders(headers);
    message.setMDN(mdn);

    boolean signed = false;
    boolean verified = false;
    String error = null;
    try (AS2ResourceHelper resources = new AS2ResourceHelper()) {
      MimeBodyPart part = new MimeBodyPart(AS2HttpHelper.getAsInternetHeaders(mdn.headers()), body);
      mdn.setData(part);
      signed = AS2Helper.getCryptoHelper().isSigned(part);
      try {
        AS2Helper.parseMDN(message, receiverCertificate, false, null, resources);
        verified = signed;
      } catch (Exception verifyOrParseFailure) {
        error = (signed ? "MDN signature not verified: " : "MDN not parseable: ")
            + describe(verifyOrParseFailure);
        if (signed) {
          // read the report anyway, without verification: first part of the multipart/signed
          try {
            MimeMultipart signedParts = (MimeMultipart) part.getContent();
            mdn.setData((MimeBodyPart) signedParts.getBodyPart(0));
            AS2Helper.parseMDN(message, null, false, null, resources);
          } catch (Exception parseFailure) {
            error += "; MDN not parseable: " + describe(parseFailure);
          }
        }
      }
    } catch (Exception e) {
      error = (error == null ? "" : error + "; ") + "MDN not parseable: " + describe(e);
    }

    String disposition = mdn.attrs().getAsString(AS2MessageMDN.MDNA_DISPOSITION);
    String receivedMic = mdn.attrs().getAsString(AS2MessageMDN.MDNA_MIC);
    boolean micMatches = false;
    try {
      MIC received = MIC.parse(receivedMic);
      MIC expected = MIC.parse(expectedMic);
      micMatches = received != null && received.equals(expected);
    } catch (RuntimeException e) {
      // unparseable MIC: no match
    }
    if (disposition == null && error == null) {
      error = "MDN has no Disposition field";
    }
    return new Mdn(httpStatus, disposition, mdn.attrs().getAsString(AS2MessageMDN.MDNA_ORIG_MESSAGEID),
        receivedMic, micMatches, signed, verified, mdn.getText(), null, null, error);
  }

  /** Per-send mutable state shared between the client and its sender module. */
  private static final class Capture {
    final X509Certificate receiverCertificate;
    volatile Integer httpStatus;
    volatile String sentMic;
    volatile Mdn mdn;
    volatile Answer answer;

    Capture(X509Certificate receiverCertificate) {
      this.receiverCertificate = receiverCertificate;
    }
  }

  /** AS2Client that can impose the Message-ID and lets certificates be used whatever their dates. */
  private static final class CapturingClient extends AS2Client {
    private final String messageId;
    private final Capture capture;
    volatile AS2Message message;

    CapturingClient(String messageId, Capture capture) {
      this.messageId = messageId;
      this.capture = capture;
    }

    @Override
    protected AS2Message createMessage(Partnership partnership, AS2ClientRequest request)
        throws MessagingException {
      AS2Message msg = super.createMessage(partnership, request);
      if (messageId != null) {
        String id = messageId.trim();
        msg.setMessageID(id.startsWith("<") && id.endsWith(">") ? id : "<" + id + ">");
      } else {
        // as2-lib's own ids are the second plus four random digits: at a few messages a second
        // two of them collide now and then, and the service rightly answers duplicate-message-id
        msg.setMessageID("<" + UUID.randomUUID() + "@" + partnership.getSenderAS2ID().replace(' ', '_') + ">");
      }
      message = msg;
      return msg;
    }

    @Override
    protected Partnership buildPartnership(AS2ClientSettings settings) {
      Partnership partnership = super.buildPartnership(settings);
      // as2-lib defaults, made explicit: embed the signer certificate; sha-256 style micalg names
      partnership.setIncludeCertificateInSignedContent(ETriState.TRUE);
      partnership.setRFC3851MICAlgs(false);
      partnership.setVerifyUseCertificateInBodyPart(ETriState.FALSE);
      return partnership;
    }

    @Override
    protected CertificateFactory createCertificateFactory() {
      return new LenientCertificateFactory();
    }
  }

  /**
   * as2-lib's BCCryptoHelper.sign/encrypt call {@code X509Certificate.checkValidity()}; hand it a
   * view of an out-of-date certificate whose checkValidity() passes, so that such certificates can
   * still be used against the server under test. Valid certificates are returned untouched.
   */
  private static final class LenientCertificateFactory extends CertificateFactory {
    @Override
    protected X509Certificate internalGetCertificate(String alias,
        ECertificatePartnershipType partnershipType) throws AS2Exception {
      X509Certificate certificate = super.internalGetCertificate(alias, partnershipType);
      try {
        certificate.checkValidity();
        return certificate;
      } catch (CertificateException outOfDate) {
        return new DateIgnoringCertificate(certificate);
      }
    }

    @Override
    public PrivateKey getPrivateKey(X509Certificate certificate) throws AS2Exception {
      return super.getPrivateKey(certificate instanceof DateIgnoringCertificate d ? d.delegate
          : certificate);
    }
  }

  /** Sender module that reads the synchronous MDN itself so that nothing is thrown. */
  private static final class CapturingSender extends AS2SenderModule {
    private final Capture capture;

    private final SSLContext tls;

    CapturingSender(Capture capture, SSLContext tls) {
      this.capture = capture;
      this.tls = tls;
      setOutgoingHttpCallback((isMessage, from, to, messageId, mic, cte, url, status) ->
          capture.httpStatus = status);
    }

    /** An https URL is called trusting what {@link #trusting} was given (the JDK's trust store otherwise). */
    @Override
    public SSLContext createSSLContext() throws java.security.GeneralSecurityException {
      return tls != null ? tls : super.createSSLContext();
    }

    @Override
    protected void storePendingInfo(AS2Message msg, MIC mic) {
      // async MDN requested: no pending-MDN folders; just remember the MIC for parseMdn
      capture.sentMic = mic.getAsAS2String();
    }

    @Override
    protected void receiveSyncMDN(AS2Message msg, AS2HttpClient httpClient, MIC originalMic,
        IHTTPIncomingDumper incomingDumper, AS2ResourceHelper resources)
        throws AS2Exception, IOException {
      int status = httpClient.getResponseCode();
      capture.httpStatus = status;
      HttpHeaderMap headers = httpClient.getResponseHeaderFields();
      byte[] body;
      try (InputStream in = httpClient.getInputStream()) {
        body = in == null ? new byte[0] : in.readAllBytes();
      } catch (NullPointerException noEntity) {
        body = new byte[0];
      }
      Map<String, List<String>> raw = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.forEachSingleHeader((name, value) -> raw.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value),
          false);
      capture.answer = new Answer(status, raw, body);
      capture.mdn = parse(headers, body, capture.receiverCertificate,
          originalMic == null ? null : originalMic.getAsAS2String(), status);
    }
  }

  /** Delegating X509Certificate whose checkValidity() never fails. */
  private static final class DateIgnoringCertificate extends X509Certificate {
    private final X509Certificate delegate;

    DateIgnoringCertificate(X509Certificate delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkValidity() {
      // deliberately lenient
    }

    @Override
    public void checkValidity(Date date) {
      // deliberately lenient
    }

    @Override
    public int getVersion() {
      return delegate.getVersion();
    }

    @Override
    public BigInteger getSerialNumber() {
      return delegate.getSerialNumber();
    }

    @SuppressWarnings("deprecation")
    @Override
    public Principal getIssuerDN() {
      return delegate.getIssuerDN();
    }

    @SuppressWarnings("deprecation")
    @Override
    public Principal getSubjectDN() {
      return delegate.getSubjectDN();
    }

    @Override
    public X500Principal getIssuerX500Principal() {
      return delegate.getIssuerX500Principal();
    }

    @Override
    public X500Principal getSubjectX500Principal() {
      return delegate.getSubjectX500Principal();
    }

    @Override
    public Date getNotBefore() {
      return delegate.getNotBefore();
    }

    @Override
    public Date getNotAfter() {
      return delegate.getNotAfter();
    }

    @Override
    public byte[] getTBSCertificate() throws CertificateEncodingException {
      return delegate.getTBSCertificate();
    }

    @Override
    public byte[] getSignature() {
      return delegate.getSignature();
    }

    @Override
    public String getSigAlgName() {
      return delegate.getSigAlgName();
    }

    @Override
    public String getSigAlgOID() {
      return delegate.getSigAlgOID();
    }

    @Override
    public byte[] getSigAlgParams() {
      return delegate.getSigAlgParams();
    }

    @Override
    public boolean[] getIssuerUniqueID() {
      return delegate.getIssuerUniqueID();
    }

    @Override
    public boolean[] getSubjectUniqueID() {
      return delegate.getSubjectUniqueID();
    }

    @Override
    public boolean[] getKeyUsage() {
      return delegate.getKeyUsage();
    }

    @Override
    public List<String> getExtendedKeyUsage() throws CertificateParsingException {
      return delegate.getExtendedKeyUsage();
    }

    @Override
    public Collection<List<?>> getSubjectAlternativeNames() throws CertificateParsingException {
      return delegate.getSubjectAlternativeNames();
    }

    @Override
    public Collection<List<?>> getIssuerAlternativeNames() throws CertificateParsingException {
      return delegate.getIssuerAlternativeNames();
    }

    @Override
    public int getBasicConstraints() {
      return delegate.getBasicConstraints();
    }

    @Override
    public byte[] getEncoded() throws CertificateEncodingException {
      return delegate.getEncoded();
    }

    @Override
    public void verify(PublicKey key) throws CertificateException, NoSuchAlgorithmException,
        InvalidKeyException, NoSuchProviderException, SignatureException {
      delegate.verify(key);
    }

    @Override
    public void verify(PublicKey key, String sigProvider) throws CertificateException,
        NoSuchAlgorithmException, InvalidKeyException, NoSuchProviderException,
        SignatureException {
      delegate.verify(key, sigProvider);
    }

    @Override
    public void verify(PublicKey key, Provider sigProvider) throws CertificateException,
        NoSuchAlgorithmException, InvalidKeyException, SignatureException {
      delegate.verify(key, sigProvider);
    }

    @Override
    public String toString() {
      return delegate.toString();
    }

    @Override
    public PublicKey getPublicKey() {
      return delegate.getPublicKey();
    }

    @Override
    public boolean hasUnsupportedCriticalExtension() {
      return delegate.hasUnsupportedCriticalExtension();
    }

    @Override
    public Set<String> getCriticalExtensionOIDs() {
      return delegate.getCriticalExtensionOIDs();
    }

    @Override
    public Set<String> getNonCriticalExtensionOIDs() {
      return delegate.getNonCriticalExtensionOIDs();
    }

    @Override
    public byte[] getExtensionValue(String oid) {
      return delegate.getExtensionValue(oid);
    }
  }
}
