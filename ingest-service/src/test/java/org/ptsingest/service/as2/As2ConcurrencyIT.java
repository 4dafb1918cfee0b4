package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FEED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.ptsingest.service.as2.PartnerAs2Client.Identity;
import org.ptsingest.service.as2.PartnerAs2Client.Mdn;
import org.ptsingest.service.as2.PartnerAs2Client.Options;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Two partners sending at once, hundreds of messages: every MDN is signed with the service's key and
 * verifies (Camel's CAMEL-24429 signs one path's MDN with another's key under concurrency; the
 * service serves one path with one identity), and every feed is stored exactly once.
 */
class As2ConcurrencyIT extends IngestItSupport {
    static final int MESSAGES_PER_PARTNER = 150;
    static final int SENDERS_PER_PARTNER = 4;

    @Autowired
    As2Identity service;

    @Test
    void twoPartnersConcurrentlyEachGetVerifiableMdnsAndEveryFeedIsStoredOnce() throws Exception {
        loadSampleRegistry();
        Identity sunwatch = PartnerAs2Client.newIdentity("SUNWATCH-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        Identity gridsense = PartnerAs2Client.newIdentity("GRIDSENSE-AS2", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        register("sunwatch", sunwatch);
        register("gridsense", gridsense);
        String template = Files.readString(SAMPLES.resolve(As2FeedIT.XML_FEED), StandardCharsets.UTF_8);

        ExecutorService pool = Executors.newFixedThreadPool(2 * SENDERS_PER_PARTNER);
        List<Future<Mdn>> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES_PER_PARTNER; i++) {
            for (Identity partner : List.of(sunwatch, gridsense)) {
                String provider = partner == sunwatch ? "sunwatch" : "gridsense";
                // distinct bytes per message, so none is a DUPLICATE_FEED of another
                byte[] feed = template.replace("<provider_id>sunwatch</provider_id>", "<provider_id>" + provider + "</provider_id>")
                        .replace("SW-2025-03-0001", provider + "-" + i).getBytes(StandardCharsets.UTF_8);
                PartnerAs2Client client = new PartnerAs2Client(partner, service.as2Id(), service.decryptionCertificate(),
                        "http://localhost:" + properties.as2().port() + properties.as2().path());
                String name = provider + "-" + i + ".xml";
                // as2-lib's own Message-IDs are the second plus four random digits: two of 300 sent within
                // seconds collide now and then, and the second is rightly answered "already received"
                String messageId = "<concurrency-" + provider + "-" + i + "@" + provider + ".example>";
                sent.add(pool.submit(() -> client.send(feed, name, Options.defaults().withMessageId(messageId))));
            }
        }
        List<Mdn> mdns = new ArrayList<>();
        for (Future<Mdn> f : sent) {
            mdns.add(f.get());
        }
        pool.shutdown();

        assertThat(mdns).hasSize(2 * MESSAGES_PER_PARTNER).allSatisfy(mdn -> {
            assertThat(mdn.disposition()).as(mdn.toString()).endsWith("processed");
            assertThat(mdn.signatureVerified()).as(mdn.error()).isTrue();
            assertThat(mdn.micMatches()).isTrue();
        });
        Map<String, Integer> perProvider = dsl.select(FEED.PROVIDER_ID, DSL.count()).from(FEED)
                .where(FEED.CHANNEL.eq("AS2")).groupBy(FEED.PROVIDER_ID).fetchMap(FEED.PROVIDER_ID, DSL.count());
        assertThat(perProvider).containsExactlyInAnyOrderEntriesOf(
                Map.of("sunwatch", MESSAGES_PER_PARTNER, "gridsense", MESSAGES_PER_PARTNER));
        assertThat(dsl.fetchCount(dsl.selectDistinct(FEED.SOURCE_KEY).from(FEED))).isEqualTo(2 * MESSAGES_PER_PARTNER);
        assertThat(dsl.fetchCount(FEED, FEED.STATUS.eq("DUPLICATE_FEED"))).isZero();
    }

    void register(String providerId, Identity partner) throws Exception {
        registerAs2Partner(providerId, partner.as2Id(), partner.certificate());
    }
}
