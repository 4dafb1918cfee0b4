package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.DELIVERY;
import static org.ptsingest.service.persistence.jooq.Tables.RAW_CONTENT;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The delivery worker takes due deliveries in turns between providers: one provider's flood of 202
 * deliveries (or of failed ones coming due for their next attempt) does not hold another provider's
 * delivery until the flood is through. The deliveries are written and read back in one transaction that
 * is rolled back, so the running worker never sees them.
 */
class DeliveryTurnsIT extends IngestItSupport {
    @Autowired
    Deliveries deliveries;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void dueDeliveriesAreTakenInTurnsBetweenProvidersOldestFirstWithinATurn() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<List<Long>> taken = new TransactionTemplate(transactions).execute(status -> {
            status.setRollbackOnly();
            dsl.insertInto(RAW_CONTENT).set(RAW_CONTENT.SHA256, "turns").set(RAW_CONTENT.BYTE_COUNT, 0L).execute();
            List<Long> flood = new ArrayList<>();
            for (int i = 0; i < 10; i++) { // due 100 s ago, 99 s ago, …
                flood.add(delivery("flood", "f" + i, now.minusSeconds(100 - i)));
            }
            long quiet = delivery("quiet", "q", now.minusSeconds(1));
            long other1 = delivery("other", "o1", now.minusSeconds(50));
            long other2 = delivery("other", "o2", now.minusSeconds(40));
            delivery("quiet", "later", now.plusSeconds(3600)); // not due
            return List.of(ids(deliveries.due(5)), ids(deliveries.due(100)),
                    List.of(flood.get(0), other1, quiet, flood.get(1), other2, flood.get(2)));
        });

        List<Long> expected = taken.get(2);
        // turn 1: each provider's oldest (flood 100 s, other 50 s, quiet 1 s ago); turn 2: flood, other; then flood alone
        assertThat(taken.get(0)).containsExactlyElementsOf(expected.subList(0, 5));
        assertThat(taken.get(1)).hasSize(13).startsWith(expected.toArray(Long[]::new));
        assertThat(dsl.fetchCount(DELIVERY)).isZero();
    }

    private static List<Long> ids(List<Deliveries.Due> due) {
        return due.stream().map(Deliveries.Due::deliveryId).toList();
    }

    private long delivery(String provider, String key, Instant due) {
        return dsl.insertInto(DELIVERY)
                .set(DELIVERY.CHANNEL, "HTTPS").set(DELIVERY.SOURCE_KEY, "https:" + provider + "-" + key)
                .set(DELIVERY.PROVIDER_ID, provider).set(DELIVERY.FORMAT, "CSV_V1").set(DELIVERY.FILE_NAME, key + ".csv")
                .set(DELIVERY.SHA256, "turns").set(DELIVERY.BYTE_COUNT, 0L)
                .set(DELIVERY.RECEIVED_AT, due.atOffset(ZoneOffset.UTC)).set(DELIVERY.STATE, "RECEIVED")
                .set(DELIVERY.NEXT_ATTEMPT_AT, due.atOffset(ZoneOffset.UTC))
                .returning(DELIVERY.DELIVERY_ID).fetchOne().getDeliveryId();
    }
}
