package org.ptsingest.service.as2;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import javax.net.ssl.SSLContext;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.routes.As2Endpoints;
import org.ptsingest.service.security.ServiceTls;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/** The AS2 channel's parts: identity and keys (the endpoint refers to them by name), admission, MDNs. */
@Configuration
@ConditionalOnProperty(name = "ingest.as2.enabled", havingValue = "true", matchIfMissing = true)
public class As2Config {

    @Bean
    As2Identity as2Identity(IngestProperties properties) throws IOException, GeneralSecurityException {
        return As2Identity.load(properties);
    }

    @Bean(As2Endpoints.SIGNING_KEY)
    PrivateKey as2SigningKey(As2Identity identity) {
        return identity.signingKey();
    }

    @Bean(As2Endpoints.SIGNING_CHAIN)
    Certificate[] as2SigningChain(As2Identity identity) {
        return identity.signingChain();
    }

    @Bean(As2Endpoints.DECRYPTION_KEY)
    PrivateKey as2DecryptionKey(As2Identity identity) {
        return identity.decryptionKey();
    }

    /** AS2 over HTTPS: the partner sees the same certificate as on the service's HTTPS port. */
    @Bean(As2Endpoints.SSL_CONTEXT)
    @ConditionalOnProperty(name = "ingest.as2.tls", havingValue = "true")
    SSLContext as2SslContext(IngestProperties properties, ServerProperties server, SslBundles bundles) {
        return ServiceTls.serverContext(properties, server, bundles);
    }

    @Bean
    MdnOutbox mdnOutbox(DSLContext dsl, TransactionTemplate tx, IngestProperties properties) {
        return new MdnOutbox(dsl, tx, properties);
    }

    @Bean
    As2MdnSender as2MdnSender(MdnOutbox outbox) {
        return new As2MdnSender(outbox);
    }

    /** Once the AS2 route runs, the admission check goes in front of its consumer. */
    @Bean
    CamelContextConfiguration as2Door(As2Identity identity, As2Partners partners, MdnOutbox outbox,
            IngestProperties properties, MeterRegistry meters) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {}

            @Override
            public void afterApplicationStart(CamelContext camel) {
                As2Door.install(camel, new As2Admission(identity.as2Id(), identity.decryptionKey(), partners::byAs2Id,
                        properties.as2().maxMessageSize().toBytes()),
                        new As2Mdns(identity, properties.as2().serverFqdn()), outbox, properties, meters);
            }
        };
    }

    /** Sends due asynchronous MDNs. */
    static final class As2MdnSender {
        private final MdnOutbox outbox;

        As2MdnSender(MdnOutbox outbox) {
            this.outbox = outbox;
        }

        @Scheduled(fixedDelayString = "${ingest.as2.mdn-poll-interval:1s}")
        void send() {
            outbox.deliverDue();
        }
    }
}
