package org.ptsingest.service.as2;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.security.SelfSignedCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's AS2 identity: its AS2 name, the key that signs MDNs and the key partners encrypt
 * for. Read from {@code ingest.as2.keystore}; in the default set-up that keystore is generated on
 * first run with one self-signed key for both, whose certificate partners download from
 * {@code /api/v1/as2/certificate}.
 */
public final class As2Identity {
    private static final Logger log = LoggerFactory.getLogger(As2Identity.class);

    private final String as2Id;
    private final PrivateKey signingKey;
    private final X509Certificate[] signingChain;
    private final PrivateKey decryptionKey;
    private final X509Certificate decryptionCertificate;

    private As2Identity(String as2Id, PrivateKey signingKey, X509Certificate[] signingChain, PrivateKey decryptionKey,
            X509Certificate decryptionCertificate) {
        this.as2Id = as2Id;
        this.signingKey = signingKey;
        this.signingChain = signingChain;
        this.decryptionKey = decryptionKey;
        this.decryptionCertificate = decryptionCertificate;
    }

    public static As2Identity load(IngestProperties properties) throws IOException, GeneralSecurityException {
        IngestProperties.As2 as2 = properties.as2();
        var file = properties.as2Keystore();
        char[] password = as2.keystorePassword().toCharArray();
        if (as2.keystore() == null && SelfSignedCertificate.ensureSmime(file, as2.keystorePassword(),
                as2.signingAlias(), as2.as2Id(), Duration.ofDays(3 * 365))) {
            log.info("generated the AS2 signing and decryption key for {} in {}", as2.as2Id(), file);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return new As2Identity(as2.as2Id(),
                key(ks, as2.signingAlias(), password), chain(ks, as2.signingAlias()),
                key(ks, as2.decryptionAlias(), password), chain(ks, as2.decryptionAlias())[0]);
    }

    private static PrivateKey key(KeyStore ks, String alias, char[] password) throws GeneralSecurityException {
        if (!(ks.getKey(alias, password) instanceof PrivateKey key)) {
            throw new GeneralSecurityException("AS2 keystore has no private key under alias '" + alias + "'");
        }
        return key;
    }

    private static X509Certificate[] chain(KeyStore ks, String alias) throws GeneralSecurityException {
        Certificate[] chain = ks.getCertificateChain(alias);
        if (chain == null || chain.length == 0) {
            throw new GeneralSecurityException("AS2 keystore has no certificate chain under alias '" + alias + "'");
        }
        X509Certificate[] x509 = new X509Certificate[chain.length];
        for (int i = 0; i < chain.length; i++) {
            x509[i] = (X509Certificate) chain[i];
        }
        return x509;
    }

    public String as2Id() {
        return as2Id;
    }

    public PrivateKey signingKey() {
        return signingKey;
    }

    public X509Certificate[] signingChain() {
        return signingChain.clone();
    }

    public PrivateKey decryptionKey() {
        return decryptionKey;
    }

    public X509Certificate decryptionCertificate() {
        return decryptionCertificate;
    }

    /** The certificates partners configure, PEM: the encryption certificate, then the signing one if different. */
    public String certificatesPem() throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(decryptionCertificate);
            if (!signingChain[0].equals(decryptionCertificate)) {
                pem.writeObject(signingChain[0]);
            }
        }
        return out.toString();
    }
}
