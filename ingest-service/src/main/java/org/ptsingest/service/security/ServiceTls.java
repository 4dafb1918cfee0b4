package org.ptsingest.service.security;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.ptsingest.config.IngestProperties;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerSslBundle;

/**
 * The service's one TLS identity: the certificate the HTTPS port serves (generated and self-signed by
 * default, or Spring's {@code server.ssl.*}), also served by listeners Tomcat does not run (AS2), so
 * a partner sees and pins one certificate.
 */
public final class ServiceTls {
    private ServiceTls() {}

    /** The generated self-signed certificate of the default run, created on first use. */
    static Ssl selfSigned(IngestProperties properties) {
        try {
            Path keystore = SelfSignedCertificate.ensure(properties.keysDir().resolve("https.p12"),
                    properties.https().keystorePassword());
            Ssl ssl = new Ssl();
            ssl.setEnabled(true);
            ssl.setKeyStore(keystore.toAbsolutePath().toUri().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(properties.https().keystorePassword());
            ssl.setKeyAlias(SelfSignedCertificate.ALIAS);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the self-signed HTTPS certificate: " + e.getMessage(), e);
        }
    }

    /** A TLS server context with the HTTPS port's certificate, whichever way it is configured. */
    public static SSLContext serverContext(IngestProperties properties, ServerProperties server, SslBundles bundles) {
        Ssl ssl = properties.https().selfSigned() ? selfSigned(properties) : server.getSsl();
        if (!Ssl.isEnabled(ssl)) {
            throw new IllegalStateException("ingest.as2.tls needs the HTTPS certificate: keep ingest.https.self-signed "
                    + "or configure server.ssl.*");
        }
        return WebServerSslBundle.get(ssl, bundles).createSslContext();
    }
}
