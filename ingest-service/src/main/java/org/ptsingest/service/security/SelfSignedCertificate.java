package org.ptsingest.service.security;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates, once, the self-signed certificates of the default run (BouncyCastle): the one HTTPS is
 * served with and the AS2 identity's signing and decryption key.
 */
public final class SelfSignedCertificate {
    static final String ALIAS = "https";

    private SelfSignedCertificate() {}

    static Path ensure(Path keystore, String password) throws IOException, GeneralSecurityException {
        if (Files.exists(keystore)) {
            return keystore;
        }
        KeyPair pair = rsaKeyPair();
        X500Name subject = new X500Name("CN=localhost, O=PTS DAS ingestion (self-signed)");
        JcaX509v3CertificateBuilder builder = builder(subject, pair, Duration.ofDays(825));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
        store(keystore, password, ALIAS, pair, sign(builder, pair));
        return keystore;
    }

    /**
     * Writes a keystore holding one new RSA key under {@code alias}, certified for signing and key
     * encipherment (S/MIME: AS2 signs and decrypts with it), unless the keystore exists.
     */
    public static boolean ensureSmime(Path keystore, String password, String alias, String commonName, Duration validity)
            throws IOException, GeneralSecurityException {
        if (Files.exists(keystore)) {
            return false;
        }
        KeyPair pair = rsaKeyPair();
        JcaX509v3CertificateBuilder builder = builder(
                new X500Name("CN=" + commonName + ", O=PTS DAS ingestion (self-signed)"), pair, validity);
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        store(keystore, password, alias, pair, sign(builder, pair));
        return true;
    }

    private static KeyPair rsaKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name subject, KeyPair pair, Duration validity)
            throws IOException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(validity)), subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return builder;
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair pair)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void store(Path keystore, String password, String alias, KeyPair pair, X509Certificate cert)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, pair.getPrivate(), password.toCharArray(), new X509Certificate[] {cert});
        Files.createDirectories(keystore.toAbsolutePath().getParent());
        Path tmp = keystore.resolveSibling(keystore.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password.toCharArray());
        }
        Files.move(tmp, keystore, StandardCopyOption.ATOMIC_MOVE);
    }
}
