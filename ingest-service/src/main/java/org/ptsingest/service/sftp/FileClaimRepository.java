package org.ptsingest.service.sftp;

import static org.ptsingest.service.persistence.jooq.Tables.FILE_CLAIM;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Claims on inbox files in PostgreSQL, so several service instances polling one inbox each process a
 * file exactly once. The claim is one {@code INSERT ... ON CONFLICT DO NOTHING}: the instance whose
 * row went in owns the file (camel-sql's repository counts then inserts, which races). A claim
 * whose owner stops heart-beating (it crashed) is taken over after {@code ingest.sftp.claim-lease};
 * the feed's own (channel, source_key) constraint then makes the retry answer with the feed the dead
 * instance committed, if it got that far. A claim its owner could not release (the database was down
 * when the feed failed) is recovered the same way from the table, by the owner at once on its next poll.
 *
 * <p>A completed claim holds its key (name, size, mtime) for one poll delay only: long enough for its
 * owner to delete the file right after confirming, so another instance's poll does not take it again.
 * After that the key is free: a provider may upload new bytes under the same name, size and mtime, and
 * they must be judged; and a file that is still there (its delete failed) is taken again and answered
 * with its committed feed, recognised by the source key, which includes the bytes' SHA-256.
 */
@Component("fileClaims")
public class FileClaimRepository extends ServiceSupport implements IdempotentRepository {
    private static final Logger log = LoggerFactory.getLogger(FileClaimRepository.class);

    /** Heart-beat period; the lease must be several of these long (checked at start-up). */
    static final long HEARTBEAT_MILLIS = 10_000;
    /** A completed claim holds its key at least this long (the owner deletes the file right after confirming). */
    static final Duration MIN_COMPLETED_HOLD = Duration.ofSeconds(1);

    private final DSLContext dsl;
    private final Duration lease;
    private final Duration completedHold;
    private final String instanceId = UUID.randomUUID().toString();
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    public FileClaimRepository(DSLContext dsl, IngestProperties properties) {
        this.dsl = dsl;
        this.lease = properties.sftp().claimLease();
        Duration poll = properties.sftp().pollDelay();
        this.completedHold = poll.compareTo(MIN_COMPLETED_HOLD) > 0 ? poll : MIN_COMPLETED_HOLD;
        if (lease.toMillis() < 3 * HEARTBEAT_MILLIS) {
            throw new IllegalArgumentException("ingest.sftp.claim-lease must be at least "
                    + Duration.ofMillis(3 * HEARTBEAT_MILLIS) + " (three heart-beats), is " + lease);
        }
    }

    @Override
    public boolean add(String key) {
        OffsetDateTime now = now();
        int inserted = dsl.insertInto(FILE_CLAIM)
                .set(FILE_CLAIM.CLAIM_KEY, key)
                .set(FILE_CLAIM.INSTANCE_ID, instanceId)
                .set(FILE_CLAIM.CLAIMED_AT, now)
                .set(FILE_CLAIM.HEARTBEAT_AT, now)
                .onConflictDoNothing()
                .execute();
        if (inserted == 0) {
            inserted = dsl.update(FILE_CLAIM)
                    .set(FILE_CLAIM.INSTANCE_ID, instanceId)
                    .set(FILE_CLAIM.CLAIMED_AT, now)
                    .set(FILE_CLAIM.HEARTBEAT_AT, now)
                    .setNull(FILE_CLAIM.COMPLETED_AT)
                    .where(FILE_CLAIM.CLAIM_KEY.eq(key))
                    // Our own unfinished claim is ours to retry: the read lock timed out on a file still being
                    // uploaded and the consumer skipped it without releasing the claim, or the release itself
                    // failed because the database was down (see remove). Camel's in-progress repository keeps
                    // this consumer from asking for a file it is still processing.
                    .and(expired(now).or(FILE_CLAIM.INSTANCE_ID.eq(instanceId).and(FILE_CLAIM.COMPLETED_AT.isNull())))
                    .execute();
            if (inserted == 1 && !held.contains(key)) {
                log.info("claimed {} again (claim expired or left unfinished)", Echo.escape(key));
            }
        }
        if (inserted == 1) {
            held.add(key);
            return true;
        }
        return false;
    }

    @Override
    public boolean contains(String key) {
        return dsl.fetchExists(FILE_CLAIM, FILE_CLAIM.CLAIM_KEY.eq(key), DSL.not(expired(now())));
    }

    /**
     * A claim may be taken over when its owner stopped heart-beating (crashed mid-feed), or when it
     * completed more than a poll delay (at least a second) ago (see the class comment).
     */
    private Condition expired(OffsetDateTime now) {
        // Both branches test completed_at for NULL explicitly: a bare "completed_at < x" is NULL for an
        // unfinished claim, and NOT(NULL) would hide the claim from contains().
        return FILE_CLAIM.COMPLETED_AT.isNull().and(FILE_CLAIM.HEARTBEAT_AT.lt(now.minus(lease)))
                .or(FILE_CLAIM.COMPLETED_AT.isNotNull().and(FILE_CLAIM.COMPLETED_AT.lt(now.minus(completedHold))));
    }

    /**
     * Failed processing: give the file back so the next poll (here or elsewhere) retries it.
     *
     * <p>Never throws. Camel 4.17 calls this from the {@code finally} block of
     * {@code GenericFileOnCompletion.onCompletion} <em>before</em> it takes the file out of its in-memory
     * in-progress repository; an exception here skips that step, and the consumer then skips the file
     * on every poll until the service restarts. The failure that brought us here is often the database
     * itself (down longer than the pool's connection timeout), so the delete fails too: the claim then
     * stays in the table unfinished and no longer heart-beaten, and is recovered from there: this
     * instance retakes its own unfinished claim on its next poll ({@link #add}), another instance once
     * the lease ran out.
     */
    @Override
    public boolean remove(String key) {
        held.remove(key);
        try {
            return dsl.deleteFrom(FILE_CLAIM)
                    .where(FILE_CLAIM.CLAIM_KEY.eq(key), FILE_CLAIM.INSTANCE_ID.eq(instanceId),
                            FILE_CLAIM.COMPLETED_AT.isNull())
                    .execute() == 1;
        } catch (RuntimeException e) {
            log.warn("claim {} could not be released ({}); it stays unfinished and is retaken by the next poll "
                    + "that reaches the database", Echo.escape(key), e.getMessage());
            return false;
        }
    }

    @Override
    public boolean confirm(String key) {
        held.remove(key);
        return dsl.update(FILE_CLAIM)
                .set(FILE_CLAIM.COMPLETED_AT, now())
                .where(FILE_CLAIM.CLAIM_KEY.eq(key), FILE_CLAIM.INSTANCE_ID.eq(instanceId))
                .execute() == 1;
    }

    @Override
    public void clear() {
        // Claims are shared by all instances; clearing them from one instance would break exactly-once.
    }

    /** Keeps this instance's in-flight claims alive while a large feed is processed. */
    @Scheduled(fixedDelay = HEARTBEAT_MILLIS)
    void heartbeat() {
        if (!held.isEmpty()) {
            try {
                dsl.update(FILE_CLAIM)
                        .set(FILE_CLAIM.HEARTBEAT_AT, now())
                        .where(FILE_CLAIM.CLAIM_KEY.in(held), FILE_CLAIM.INSTANCE_ID.eq(instanceId))
                        .execute();
            } catch (RuntimeException e) {
                // The database is unreachable: the next beat tries again. One line, not a stack trace every
                // ten seconds of an outage.
                log.warn("{} claim(s) not heart-beaten: {}", held.size(), e.getMessage());
            }
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
