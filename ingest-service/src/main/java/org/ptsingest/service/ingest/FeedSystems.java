package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.FEED_OUTCOME_COUNT;
import static org.ptsingest.service.persistence.jooq.Tables.FEED_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.feed.OutcomeCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What a judged feed stored per system ({@code feed_system}, written by {@link StoredPerSystem} as the feed is
 * judged), for the PTS answers and the self-reporting pages.
 * <p>
 * A feed judged after the V15 upgrade by an instance of an older version has no rows though it stored readings
 * (its outcome counts say so): a rolling upgrade would answer "0 records inserted" for it. Such a feed is counted
 * from {@code reading} instead — a scan by {@code feed_id}, which the table's key does not start with, so every
 * stored reading is read — and the counts are kept, so it is paid once per such feed. A feed that stored nothing
 * (all duplicates, or refused) is never scanned for.
 */
@Component
public class FeedSystems {
    private static final Logger log = LoggerFactory.getLogger(FeedSystems.class);
    private static final List<String> STORING = Arrays.stream(OutcomeCode.values()).filter(OutcomeCode::stores)
            .map(OutcomeCode::name).toList();

    private final DSLContext dsl;

    FeedSystems(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Readings the feed stored, per system in id order; empty when it stored none. */
    public Map<String, Integer> stored(long feedId) {
        Map<String, Integer> counts = new TreeMap<>();
        dsl.select(FEED_SYSTEM.SYSTEM_ID, FEED_SYSTEM.STORED_READINGS).from(FEED_SYSTEM)
                .where(FEED_SYSTEM.FEED_ID.eq(feedId)).forEach(r -> counts.put(r.value1(), r.value2()));
        if (!counts.isEmpty() || !dsl.fetchExists(FEED_OUTCOME_COUNT, FEED_OUTCOME_COUNT.FEED_ID.eq(feedId),
                FEED_OUTCOME_COUNT.CODE.in(STORING))) {
            return counts;
        }
        dsl.select(READING.SYSTEM_ID, DSL.count()).from(READING).where(READING.FEED_ID.eq(feedId))
                .groupBy(READING.SYSTEM_ID).forEach(r -> counts.put(r.value1(), r.value2()));
        if (!counts.isEmpty()) {
            var insert = dsl.insertInto(FEED_SYSTEM, FEED_SYSTEM.FEED_ID, FEED_SYSTEM.SYSTEM_ID,
                    FEED_SYSTEM.STORED_READINGS);
            counts.forEach((system, n) -> insert.values(feedId, system, n));
            insert.onConflictDoNothing().execute();
            log.info("feed {} had no per-system counts (judged by an instance older than V15?): counted {} systems "
                    + "from its readings and kept them", feedId, counts.size());
        }
        return counts;
    }
}
