package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.FILE_CLAIM;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.sftp.FileClaimRepository;

/** File claims between instances, against the real database: exclusive, taken over after a crash. */
class FileClaimRepositoryIT extends IngestItSupport {

    @Test
    void claimIsExclusiveAndTakenOverWhenItsOwnerStopsHeartBeating() {
        FileClaimRepository a = new FileClaimRepository(dsl, properties);
        FileClaimRepository b = new FileClaimRepository(dsl, properties);
        String key = "sunwatch/inbox/june.csv-44-1750000000000";

        assertThat(a.add(key)).isTrue();
        assertThat(b.add(key)).isFalse();
        assertThat(b.contains(key)).isTrue();
        // a retries its own unfinished claim (e.g. the read lock timed out on a growing file)
        assertThat(a.add(key)).isTrue();

        // a dies: its heart-beat stops; after the lease, b takes the file over
        dsl.update(FILE_CLAIM).set(FILE_CLAIM.HEARTBEAT_AT, OffsetDateTime.now().minusHours(1))
                .where(FILE_CLAIM.CLAIM_KEY.eq(key)).execute();
        assertThat(b.add(key)).isTrue();
        assertThat(a.confirm(key)).as("a no longer owns it").isFalse();
        assertThat(b.confirm(key)).isTrue();

        // completed: nobody processes it again while the completion is fresh...
        assertThat(a.add(key)).isFalse();
        // ...but a file still (or again) in the inbox a lease later is retried; the feed's source key
        // then answers with the feed already committed
        dsl.update(FILE_CLAIM).set(FILE_CLAIM.COMPLETED_AT, OffsetDateTime.now().minusHours(1))
                .where(FILE_CLAIM.CLAIM_KEY.eq(key)).execute();
        assertThat(a.add(key)).isTrue();
    }

    @Test
    void failedProcessingReleasesTheClaimForTheNextPoll() {
        FileClaimRepository a = new FileClaimRepository(dsl, properties);
        FileClaimRepository b = new FileClaimRepository(dsl, properties);
        String key = "sunwatch/inbox/retry.csv-10-1750000000000";
        assertThat(a.add(key)).isTrue();
        assertThat(a.remove(key)).isTrue();
        assertThat(b.add(key)).isTrue();
    }

    @Test
    void claimThatCouldNotBeReleasedIsRetakenByItsOwnerFromTheTable() {
        AtomicBoolean databaseDown = new AtomicBoolean();
        FileClaimRepository a = new FileClaimRepository(failingWhen(databaseDown), properties);
        FileClaimRepository b = new FileClaimRepository(dsl, properties);
        String key = "sunwatch/inbox/big.csv-13727844-1750000000000";
        assertThat(a.add(key)).isTrue();

        // the feed failed because the database went away; the release fails too, and must not throw
        // (Camel would then keep the file marked in progress for good)
        databaseDown.set(true);
        assertThat(a.remove(key)).isFalse();
        databaseDown.set(false);
        assertThat(dsl.fetchExists(FILE_CLAIM, FILE_CLAIM.CLAIM_KEY.eq(key), FILE_CLAIM.COMPLETED_AT.isNull()))
                .as("the claim is still in the table, unfinished").isTrue();

        // within the lease another instance must not take it (as far as it knows, a is still on it) ...
        assertThat(b.add(key)).isFalse();
        // ... but a, whose poll no longer has the file in progress, retakes its own claim at once
        assertThat(a.add(key)).isTrue();
        assertThat(a.confirm(key)).isTrue();
        assertThat(b.add(key)).as("completed").isFalse();
    }

    /** The test database, unreachable while the flag is set (as when PostgreSQL is stopped). */
    private DSLContext failingWhen(AtomicBoolean down) {
        ConnectionProvider real = dsl.configuration().connectionProvider();
        return DSL.using(new ConnectionProvider() {
            @Override
            public Connection acquire() {
                if (down.get()) {
                    throw new DataAccessException("Connection is not available, request timed out after 30000ms (test)");
                }
                return real.acquire();
            }

            @Override
            public void release(Connection connection) {
                real.release(connection);
            }
        }, dsl.dialect());
    }
}
