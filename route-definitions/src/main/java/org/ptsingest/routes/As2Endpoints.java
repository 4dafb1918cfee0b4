package org.ptsingest.routes;

import org.ptsingest.config.IngestProperties;

/** The AS2 server endpoint URI, from configuration. */
public final class As2Endpoints {
    /** Beans the service provides: its AS2 signing key and chain, and the key partners encrypt for. */
    public static final String SIGNING_KEY = "as2SigningKey";
    public static final String SIGNING_CHAIN = "as2SigningChain";
    public static final String DECRYPTION_KEY = "as2DecryptionKey";
    /** The TLS context of the AS2 listener when {@code ingest.as2.tls} is on (the HTTPS port's certificate). */
    public static final String SSL_CONTEXT = "as2SslContext";

    private As2Endpoints() {}

    public static String inbox(IngestProperties properties) {
        IngestProperties.As2 as2 = properties.as2();
        // No validateSigningCertificateChain: the component would check a signature against one fixed
        // set of certificates (issuer and serial only), not against the sender's own; the service does.
        // No mdnMessageTemplate: the service builds every MDN itself (As2Mdns); the component's MDN code
        // acts only on requests that still ask for one, and none does by the time it runs.
        return "as2://server/listen?serverPortNumber=" + as2.port()
                + "&requestUriPattern=" + as2.path()
                + "&server=PTS-DAS-ingestion&serverFqdn=" + as2.serverFqdn()
                + "&from=" + as2.as2Id()
                + "&signingAlgorithm=SHA256WITHRSA"
                + "&signingPrivateKey=#" + SIGNING_KEY
                + "&signingCertificateChain=#" + SIGNING_CHAIN
                + "&decryptingPrivateKey=#" + DECRYPTION_KEY
                + (as2.tls() ? "&sslContext=#" + SSL_CONTEXT : "");
    }
}
