package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT;
import static org.ptsingest.service.persistence.jooq.Tables.GIS_EXPORT_LINE;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.OPS_ACTION;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_DIRTY;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_MONTH;
import static org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_REVISION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.production.ProductionLedger;
import org.ptsingest.service.production.RevisionCause;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The production ledger in the assembled service against PostgreSQL (issue 12, "Done when"): each rule with
 * readings of its own system, stored directly (as the pipeline stores them) or sent as a feed; the ledger
 * worker, the API, ops adjustments, rebuild and the GIS export. Expected numbers are worked out by hand in the
 * comments (10 kW DC, Y = 62, 71, 94, 104, 118, 119, 129, 118, 101, 79, 56, 50, America/New_York, 5-day
 * windows). All months used lie before November 2026, so their windows have ended whenever this runs.
 */
class ProductionLedgerIT extends IngestItSupport {
    @Autowired
    ProductionLedger ledger;
    @Autowired
    DataSource dataSource;

    @BeforeEach
    void cleanLedger() {
        // pts_system's truncation (IngestItSupport) cascades to months, adjustments and exchanges; not to these
        dsl.truncate(PRODUCTION_REVISION, PRODUCTION_DIRTY, GIS_EXPORT_LINE, GIS_EXPORT).cascade().execute();
    }

    // ------------------------------------------------------------------ set-up helpers

    void system(String id, String gisUnitId) {
        dsl.insertInto(PTS_SYSTEM).set(PTS_SYSTEM.SYSTEM_ID, id).set(PTS_SYSTEM.OWNER_NAME, "Owner of " + id)
                .set(PTS_SYSTEM.DC_CAPACITY_KW, new BigDecimal("10")).set(PTS_SYSTEM.INTERCONNECTED_ON, LocalDate.of(2020, 1, 1))
                .set(PTS_SYSTEM.PROGRAM, "SREC II").set(PTS_SYSTEM.METER_SERIAL, "M-" + id.substring(3))
                .set(PTS_SYSTEM.GIS_UNIT_ID, gisUnitId).execute();
    }

    void read(String systemId, String meter, String at, String kwh) {
        dsl.insertInto(READING).set(READING.SYSTEM_ID, systemId).set(READING.METER_SERIAL, meter)
                .set(READING.READ_AT, OffsetDateTime.parse(at)).set(READING.REGISTER_KWH, new BigDecimal(kwh))
                .set(READING.FEED_ID, 0L).set(READING.RECORD_NO, 0).set(READING.LINE_NO, 0).execute();
    }

    void exchange(String systemId, String at, String oldMeter, String oldFinal, String newMeter, String newInitial) {
        dsl.insertInto(METER_EXCHANGE).set(METER_EXCHANGE.SYSTEM_ID, systemId)
                .set(METER_EXCHANGE.EXCHANGED_AT, OffsetDateTime.parse(at)).set(METER_EXCHANGE.OLD_METER_SERIAL, oldMeter)
                .set(METER_EXCHANGE.OLD_FINAL_KWH, new BigDecimal(oldFinal)).set(METER_EXCHANGE.NEW_METER_SERIAL, newMeter)
                .set(METER_EXCHANGE.NEW_INITIAL_KWH, new BigDecimal(newInitial)).execute();
    }

    /** Tells the ledger, as the registry code does, and waits until the worker has taken the queue. */
    void changed(String... systemIds) {
        ledger.systemsChanged(List.of(systemIds), RevisionCause.REGISTRY, "test registry change");
        awaitLedgerWorker();
    }

    void awaitLedgerWorker() {
        Awaitility.await("the ledger worker empties its queue").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> dsl.fetchCount(PRODUCTION_DIRTY) == 0);
    }

    JsonNode production(String systemId, String from, String to) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/systems/" + systemId + "/production?from=" + from + "&to=" + to)
                .GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    JsonNode month(String systemId, String month) throws Exception {
        JsonNode months = production(systemId, month, month).get("months");
        assertThat(months).as(systemId + " " + month).hasSize(1);
        return months.get(0);
    }

    void assertMonth(String systemId, String month, String basis, String kwh, String close) throws Exception {
        JsonNode m = month(systemId, month);
        assertThat(m.get("basis").asText()).as(systemId + " " + month + " basis").isEqualTo(basis);
        assertThat(m.get("kwh").isNull() ? null : m.get("kwh").asText()).as(systemId + " " + month + " kwh").isEqualTo(kwh);
        assertThat(m.get("close_kwh").isNull() ? null : m.get("close_kwh").asText()).as(systemId + " " + month + " close")
                .isEqualTo(close);
    }

    JsonNode revisions(String systemId, String month) throws Exception {
        HttpResponse<String> r = send(asOps("/api/v1/systems/" + systemId + "/production/" + month + "/revisions")
                .GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("revisions");
    }

    HttpResponse<String> json(HttpRequest.Builder request, String method, Object body) throws Exception {
        return send(request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    // ------------------------------------------------------------------ the rules, each on its own system

    @Test
    void closesOnTheBoundaryInterpolatedOneSidedAndNoneAndTheMonthsTheyMake() throws Exception {
        system("PL-CLOSE", null);
        read("PL-CLOSE", "M-CLOSE", "2025-12-01T05:00:00Z", "1000");   // exactly B(Nov 2025)
        read("PL-CLOSE", "M-CLOSE", "2026-01-01T05:00:00Z", "1500");   // exactly B(Dec 2025)
        read("PL-CLOSE", "M-CLOSE", "2026-01-31T17:00:00Z", "1900");   // 12 h before B(Jan)
        read("PL-CLOSE", "M-CLOSE", "2026-02-02T05:00:00Z", "1930");   // 24 h after: C(Jan) = 1900 + 30 × 12/36
        read("PL-CLOSE", "M-CLOSE", "2026-03-02T05:00:00Z", "2400");   // after B(Feb) only: nearest
        read("PL-CLOSE", "M-CLOSE", "2026-03-03T05:00:00Z", "2420");
        read("PL-CLOSE", "M-CLOSE", "2026-03-15T04:00:00Z", "2600");   // mid-March: no window, no close for March
        read("PL-CLOSE", "M-CLOSE", "2026-05-01T04:00:00Z", "4400");   // exactly B(Apr 2026), EDT
        changed("PL-CLOSE");

        assertMonth("PL-CLOSE", "2025-12", "ACTUAL", "500.000", "1500.000");
        assertMonth("PL-CLOSE", "2026-01", "ACTUAL", "410.000", "1910.000");
        assertMonth("PL-CLOSE", "2026-02", "ACTUAL", "490.000", "2400.000");
        // March has no close: closed gap Mar (94) + Apr (104) of 2000: 188000/198 = 949.4949… → 949.495, April the rest
        assertMonth("PL-CLOSE", "2026-03", "PRORATED", "949.495", null);
        assertMonth("PL-CLOSE", "2026-04", "PRORATED", "1050.505", "4400.000");
        // open gap from May: r over the ACTUAL Dec, Jan, Feb = 1400 / (10 × (50 + 62 + 71)) = 1400/1830;
        // May 10 × 118 × 1400/1830 = 902.7322… → 902.732
        assertMonth("PL-CLOSE", "2026-05", "PROJECTED", "902.732", null);
        JsonNode all = production("PL-CLOSE", "2025-01", "2026-04");
        assertThat(all.get("system_id").asText()).isEqualTo("PL-CLOSE");
        assertThat(all.get("dc_capacity_kw").decimalValue()).isEqualByComparingTo("10");
        // the first close (Nov 2025) has no production: the ledger starts in December
        assertThat(all.get("months").get(0).get("month").asText()).isEqualTo("2025-12");
        assertThat(all.get("months").get(0).get("revision").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedGapOfFourMonthsSumsExactlyAndAnOpenGapWithoutHistoryIsProjectedWithRatioOne() throws Exception {
        system("PL-GAP4", null);
        read("PL-GAP4", "M-GAP4", "2025-11-01T04:00:00Z", "5000"); // B(Oct 2025)
        read("PL-GAP4", "M-GAP4", "2026-03-01T05:00:00Z", "5300"); // B(Feb 2026)
        changed("PL-GAP4");
        // 300 by Nov 56, Dec 50, Jan 62, Feb 71 (239): 70.293, 62.762, 77.824, and 300 − 210.879 = 89.121
        assertMonth("PL-GAP4", "2025-11", "PRORATED", "70.293", null);
        assertMonth("PL-GAP4", "2025-12", "PRORATED", "62.762", null);
        assertMonth("PL-GAP4", "2026-01", "PRORATED", "77.824", null);
        assertMonth("PL-GAP4", "2026-02", "PRORATED", "89.121", "5300.000");
        // no ACTUAL month at all: r = 1, March 10 × 94
        assertMonth("PL-GAP4", "2026-03", "PROJECTED", "940.000", null);
    }

    @Test
    void aLateCloseFromAFeedTurnsProjectedMonthsIntoProratedOnesAndTheHistoryKeepsBoth() throws Exception {
        system("PL-TRUE", null);
        dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, "ledgersun").set(PROVIDER.NAME, "Ledger Sun").execute();
        dsl.insertInto(PROVIDER_STATUS).set(PROVIDER_STATUS.PROVIDER_ID, "ledgersun")
                .set(PROVIDER_STATUS.EFFECTIVE_FROM, LocalDate.of(2015, 1, 1)).set(PROVIDER_STATUS.STATUS, "APPROVED").execute();
        dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, "PL-TRUE").set(DESIGNATION.PROVIDER_ID, "ledgersun")
                .set(DESIGNATION.EFFECTIVE_FROM, LocalDate.of(2020, 1, 1)).execute();
        read("PL-TRUE", "M-TRUE", "2026-01-01T05:00:00Z", "1000");
        read("PL-TRUE", "M-TRUE", "2026-02-01T05:00:00Z", "1620"); // January ACTUAL 620: one ACTUAL month
        changed("PL-TRUE");
        assertMonth("PL-TRUE", "2026-02", "PROJECTED", "710.000", null);
        assertMonth("PL-TRUE", "2026-03", "PROJECTED", "940.000", null);
        assertMonth("PL-TRUE", "2026-04", "PROJECTED", "1040.000", null);

        String key = issueKey("ledgersun");
        HttpResponse<String> posted = send(HttpRequest.newBuilder(url("/api/v1/feeds"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(SAMPLES.resolve("production/late-close.csv"))).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        long feedId = JSON.readTree(posted.body()).get("feed_id").asLong();
        Awaitility.await("the feed's system recomputed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "PRORATED".equals(month("PL-TRUE", "2026-02").get("basis").asText()));

        // 2800 by Feb 71, Mar 94, Apr 104 (269): 739.033, 978.439, 2800 − 1717.472 = 1082.528
        assertMonth("PL-TRUE", "2026-02", "PRORATED", "739.033", null);
        assertMonth("PL-TRUE", "2026-03", "PRORATED", "978.439", null);
        assertMonth("PL-TRUE", "2026-04", "PRORATED", "1082.528", "4420.000");
        JsonNode history = revisions("PL-TRUE", "2026-02");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("basis").asText()).isEqualTo("PROJECTED");
        assertThat(history.get(0).get("kwh").asText()).isEqualTo("710.000");
        assertThat(history.get(0).get("cause").asText()).isEqualTo("REGISTRY");
        assertThat(history.get(1).get("basis").asText()).isEqualTo("PRORATED");
        assertThat(history.get(1).get("kwh").asText()).isEqualTo("739.033");
        assertThat(history.get(1).get("cause").asText()).isEqualTo("FEED");
        assertThat(history.get(1).get("cause_ref").asText()).isEqualTo(Long.toString(feedId));
        assertThat(month("PL-TRUE", "2026-02").get("revision").asInt()).isEqualTo(2);
    }

    @Test
    void aSystemQueuedByThousandsOfFeedsIsRecomputedOnceUnderTheLatestCause() throws Exception {
        system("PL-MANY", null);
        read("PL-MANY", "M-MANY", "2026-01-01T05:00:00Z", "1000");
        read("PL-MANY", "M-MANY", "2026-02-01T05:00:00Z", "1620");
        // 6,001 feeds queued the system before the worker ran, in one commit: more rows than the worker takes
        // systems at a time. Taken in queue order, the first 5,000 rows made the revision (naming feed 5000)
        // and the rest recomputed the same system again; taken per system, one recomputation names the latest.
        dsl.execute("INSERT INTO production_dirty (system_id, cause, cause_ref)"
                + " SELECT 'PL-MANY', 'FEED', g::text FROM generate_series(1, 6001) g");
        awaitLedgerWorker();
        assertMonth("PL-MANY", "2026-01", "ACTUAL", "620.000", "1620.000");
        JsonNode history = revisions("PL-MANY", "2026-01");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("cause").asText()).isEqualTo("FEED");
        assertThat(history.get(0).get("cause_ref").asText()).isEqualTo("6001");
    }

    @Test
    void aSystemAnotherWorkerHoldsStaysQueuedWholeAndIsTakenWholeAfter() throws Exception {
        system("PL-HELD", null);
        read("PL-HELD", "M-HELD", "2026-01-01T05:00:00Z", "1000");
        read("PL-HELD", "M-HELD", "2026-02-01T05:00:00Z", "1620");
        system("PL-FREE", null);
        read("PL-FREE", "M-FREE", "2026-01-01T05:00:00Z", "2000");
        read("PL-FREE", "M-FREE", "2026-02-01T05:00:00Z", "2620");
        try (Connection held = dataSource.getConnection()) {
            // the lock a recomputation of PL-HELD holds elsewhere (another instance, a rebuild), as a session lock
            productionLock(held, "pg_advisory_lock", "PL-HELD");
            dsl.execute("INSERT INTO production_dirty (system_id, cause, cause_ref)"
                    + " SELECT s, 'FEED', g::text AS ref FROM generate_series(1, 300) g, unnest(ARRAY['PL-HELD', 'PL-FREE']) s"
                    + " ORDER BY g"); // the number, not its text ("g::text" alone would be named g)
            Awaitility.await("PL-FREE is taken").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> dsl.fetchCount(PRODUCTION_DIRTY, PRODUCTION_DIRTY.SYSTEM_ID.eq("PL-FREE")) == 0);
            assertMonth("PL-FREE", "2026-01", "ACTUAL", "620.000", "2620.000");
            // none of PL-HELD's rows was taken while another worker holds it: a share of them would have made
            // a revision naming some feed of the batch, not the latest
            assertThat(dsl.fetchCount(PRODUCTION_DIRTY, PRODUCTION_DIRTY.SYSTEM_ID.eq("PL-HELD"))).isEqualTo(300);
            productionLock(held, "pg_advisory_unlock", "PL-HELD");
        }
        awaitLedgerWorker();
        assertMonth("PL-HELD", "2026-01", "ACTUAL", "620.000", "1620.000");
        JsonNode history = revisions("PL-HELD", "2026-01");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("cause_ref").asText()).isEqualTo("300");
    }

    @Test
    void aSystemsImportQueuesOnlyTheSystemsWhoseCapacityOrMeterChanged() throws Exception {
        for (String id : List.of("PL-SAME", "PL-GROW", "PL-SWAP")) {
            system(id, null);
        }
        List<String> imported = List.of("PL-SAME", "PL-GROW", "PL-SWAP", "PL-NEW1");
        try (Connection held = dataSource.getConnection()) {
            // the worker leaves a system queued while its lock is held elsewhere: what the import queued stays
            for (String id : imported) {
                productionLock(held, "pg_advisory_lock", id);
            }
            JsonNode result = importRegistry("systems", SAMPLES.resolve("registry/reimport/systems.csv"));
            assertThat(result.get("upserted").asInt()).as(result.toString()).isEqualTo(4);
            assertThat(dsl.select(PRODUCTION_DIRTY.SYSTEM_ID).from(PRODUCTION_DIRTY)
                    .where(PRODUCTION_DIRTY.CAUSE.eq(RevisionCause.REGISTRY.name())).fetch(PRODUCTION_DIRTY.SYSTEM_ID))
                    .as("a new system, a new capacity, a new meter; not a new owner, date or programme")
                    .containsExactlyInAnyOrder("PL-GROW", "PL-SWAP", "PL-NEW1");
            for (String id : imported) {
                productionLock(held, "pg_advisory_unlock", id);
            }
        }
        awaitLedgerWorker();
    }

    /** The ledger's lock on a system, {@code hashtextextended('production:' || system_id, 0)}. */
    private static void productionLock(Connection c, String function, String systemId) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(hashtextextended(?, 0))")) {
            s.setString(1, "production:" + systemId);
            s.execute();
        }
    }

    @Test
    void meterExchangesMidMonthAndMidWindowContinueTheRegister() throws Exception {
        system("PL-EXM", null);
        read("PL-EXM", "A", "2026-01-01T05:00:00Z", "1000");
        read("PL-EXM", "B", "2026-01-10T05:00:00Z", "3");    // new meter before its exchange: not used
        read("PL-EXM", "A", "2026-01-31T17:00:00Z", "1350"); // old meter after its exchange: not used
        read("PL-EXM", "B", "2026-01-31T05:00:00Z", "195");
        read("PL-EXM", "B", "2026-02-02T05:00:00Z", "215");
        exchange("PL-EXM", "2026-01-15T12:00:00-05:00", "A", "1300", "B", "5");
        system("PL-EXW", null);
        read("PL-EXW", "A", "2026-01-01T05:00:00Z", "1000");
        read("PL-EXW", "A", "2026-01-30T05:00:00Z", "1490");
        exchange("PL-EXW", "2026-02-02T05:00:00Z", "A", "1500", "B", "0"); // inside January's window, after B(Jan)
        read("PL-EXW", "B", "2026-02-03T05:00:00Z", "10");
        changed("PL-EXM", "PL-EXW");
        // mid-month: B at B(Jan) 205, shifted by 1295: 1500; (1300 − 1000) + (205 − 5) = 500
        assertMonth("PL-EXM", "2026-01", "ACTUAL", "500.000", "1500.000");
        // mid-window: 1490 (A, 30 Jan) and 1510 (B 10 + 1500, 3 Feb), B(Jan) half-way: 1500
        assertMonth("PL-EXW", "2026-01", "ACTUAL", "500.000", "1500.000");
    }

    @Test
    void twoMetersWithoutAnExchangeAreUnresolvedUntilOpsRegisterIt() throws Exception {
        system("PL-TWO", null);
        read("PL-TWO", "A", "2025-12-01T05:00:00Z", "1000");
        read("PL-TWO", "A", "2026-01-01T05:00:00Z", "1500");
        read("PL-TWO", "B", "2026-01-20T05:00:00Z", "50");
        read("PL-TWO", "A", "2026-01-25T05:00:00Z", "1590");
        read("PL-TWO", "B", "2026-02-01T05:00:00Z", "100");
        changed("PL-TWO");
        assertMonth("PL-TWO", "2025-12", "ACTUAL", "500.000", "1500.000");
        assertMonth("PL-TWO", "2026-01", "UNRESOLVED", null, null);
        assertMonth("PL-TWO", "2026-06", "UNRESOLVED", null, null);
        assertThat(revisions("PL-TWO", "2026-01").get(0).get("reason").asText())
                .contains("meter B").contains("meter A").contains("no meter exchange registered");

        exchange("PL-TWO", "2026-01-20T00:00:00Z", "A", "1600", "B", "0"); // as the registry import stores it
        changed("PL-TWO");
        // Jan close 100 + 1600: ACTUAL 200; Feb projected with r = 1 (two ACTUAL months): 710
        assertMonth("PL-TWO", "2026-01", "ACTUAL", "200.000", "1700.000");
        assertMonth("PL-TWO", "2026-02", "PROJECTED", "710.000", null);
        JsonNode history = revisions("PL-TWO", "2026-01");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("basis").asText()).isEqualTo("UNRESOLVED");
        assertThat(history.get(1).get("basis").asText()).isEqualTo("ACTUAL");
    }

    @Test
    void anAdjustmentStandsUntilOpsRemoveItAndIsAudited() throws Exception {
        system("PL-ADJ", null);
        read("PL-ADJ", "M-ADJ", "2026-01-01T05:00:00Z", "1000");
        read("PL-ADJ", "M-ADJ", "2026-02-01T05:00:00Z", "1620");
        changed("PL-ADJ");
        HttpResponse<String> set = json(asOps("/api/v1/systems/PL-ADJ/production/2026-01/adjustment"), "PUT",
                Map.of("kwh", "555.5", "reason", "site audit 2026-03"));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertMonth("PL-ADJ", "2026-01", "ADJUSTED", "555.500", "1620.000");
        JsonNode history = revisions("PL-ADJ", "2026-01");
        assertThat(history).hasSize(2);
        assertThat(history.get(1).get("cause").asText()).isEqualTo("OPS");
        assertThat(history.get(1).get("reason").asText()).isEqualTo("site audit 2026-03");
        long action = dsl.select(OPS_ACTION.ACTION_ID).from(OPS_ACTION).where(OPS_ACTION.ACTION.eq("SET_PRODUCTION"),
                OPS_ACTION.TARGET.eq("PL-ADJ 2026-01")).fetchOne(OPS_ACTION.ACTION_ID);
        assertThat(history.get(1).get("cause_ref").asText()).isEqualTo(Long.toString(action));

        // readings arriving later do not move an adjusted month
        read("PL-ADJ", "M-ADJ", "2026-02-01T04:00:00Z", "1610");
        changed("PL-ADJ");
        assertMonth("PL-ADJ", "2026-01", "ADJUSTED", "555.500", "1620.000");

        HttpResponse<String> removed = json(asOps("/api/v1/systems/PL-ADJ/production/2026-01/adjustment"), "DELETE",
                Map.of("reason", "audit withdrawn"));
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertMonth("PL-ADJ", "2026-01", "ACTUAL", "620.000", "1620.000");
        assertThat(revisions("PL-ADJ", "2026-01")).hasSize(3);
        assertThat(json(asOps("/api/v1/systems/PL-ADJ/production/2026-01/adjustment"), "DELETE",
                Map.of("reason", "again")).statusCode()).isEqualTo(404);
        assertThat(json(asOps("/api/v1/systems/PL-ADJ/production/2026-01/adjustment"), "PUT",
                Map.of("kwh", "10")).statusCode()).as("no reason").isEqualTo(400);
    }

    /**
     * Two ops setting the same month at once (a double click, two people): both found no adjustment in force and
     * both inserted one, and the second collided with the first on the one-in-force constraint, a 500. Now they
     * take turns on the system's ledger lock: both are kept, the second replaces the first.
     */
    @Test
    void twoAdjustmentsOfOneMonthAtOnceTakeTurns() throws Exception {
        system("PL-TWICE", null);
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection held = dataSource.getConnection()) {
            // the ledger's lock held, so both requests are inside their transactions, waiting, before either writes
            productionLock(held, "pg_advisory_lock", "PL-TWICE");
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (String kwh : List.of("100", "200")) {
                answers.add(two.submit(() -> json(asOps("/api/v1/systems/PL-TWICE/production/2026-01/adjustment"),
                        "PUT", Map.of("kwh", kwh, "reason", "double click " + kwh))));
            }
            Awaitility.await("both wait").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> dsl.fetchValue(org.jooq.impl.DSL.field("(SELECT count(*) FROM pg_locks WHERE NOT granted)", Long.class)) >= 2);
            productionLock(held, "pg_advisory_unlock", "PL-TWICE");
            for (var answer : answers) {
                HttpResponse<String> r = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        } finally {
            two.shutdownNow();
        }
        var adjustments = dsl.selectFrom(org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_ADJUSTMENT)
                .where(org.ptsingest.service.persistence.jooq.Tables.PRODUCTION_ADJUSTMENT.SYSTEM_ID.eq("PL-TWICE"))
                .fetch();
        assertThat(adjustments).hasSize(2);
        // whichever went second replaced the first
        var inForce = adjustments.stream().filter(a -> a.getRemovedAt() == null).toList();
        assertThat(inForce).hasSize(1);
        assertMonth("PL-TWICE", "2026-01", "ADJUSTED", inForce.get(0).getKwh().setScale(3).toPlainString(), null);
        assertThat(dsl.fetchCount(OPS_ACTION, OPS_ACTION.TARGET.eq("PL-TWICE 2026-01"))).isEqualTo(2);
    }

    @Test
    void windowBoundariesInBothDaylightSavingMonths() throws Exception {
        system("PL-DSTO", null);
        read("PL-DSTO", "M-DSTO", "2026-10-01T04:00:00Z", "1000"); // B(Sep 2026), EDT
        read("PL-DSTO", "M-DSTO", "2026-10-27T03:59:00Z", "1700"); // 26 Oct 23:59 EDT: before October's window
        read("PL-DSTO", "M-DSTO", "2026-11-06T04:30:00Z", "1800"); // 5 Nov 23:30 EST: still in it
        read("PL-DSTO", "M-DSTO", "2026-11-06T05:00:00Z", "1801"); // 6 Nov 00:00 EST: after it
        system("PL-DSTM", null);
        read("PL-DSTM", "M-DSTM", "2026-03-01T05:00:00Z", "1000"); // B(Feb 2026), EST
        read("PL-DSTM", "M-DSTM", "2026-03-27T03:30:00Z", "1890"); // 26 Mar 23:30 EDT: before March's window
        read("PL-DSTM", "M-DSTM", "2026-03-27T04:00:00Z", "1900"); // 27 Mar 00:00 EDT: its first instant
        changed("PL-DSTO", "PL-DSTM");
        assertMonth("PL-DSTO", "2026-10", "ACTUAL", "800.000", "1800.000");
        assertMonth("PL-DSTM", "2026-03", "ACTUAL", "900.000", "1900.000");
    }

    /**
     * The ledger reads a reduction of the readings (window candidates and each meter's first); it must equal the
     * rules over every reading. Irregular readings (every 7–60 hours, random gaps of weeks) on three systems.
     */
    @Test
    void theLedgerEqualsTheRulesOverEveryReading() throws Exception {
        java.util.Random random = new java.util.Random(12);
        List<String> ids = List.of("PL-EQ1", "PL-EQ2", "PL-EQ3");
        for (String id : ids) {
            system(id, null);
            java.time.Instant at = java.time.Instant.parse("2025-01-03T00:00:00Z");
            BigDecimal register = new BigDecimal("100.000");
            var rows = new ArrayList<org.jooq.Query>();
            while (at.isBefore(java.time.Instant.parse("2026-10-20T00:00:00Z"))) {
                at = at.plusSeconds(3600L * (7 + random.nextInt(54)) + random.nextInt(3600));
                if (random.nextInt(40) == 0) {
                    at = at.plus(Duration.ofDays(20 + random.nextInt(40))); // a silent stretch
                }
                register = register.add(BigDecimal.valueOf(random.nextInt(40_000), 3));
                rows.add(dsl.insertInto(READING).set(READING.SYSTEM_ID, id).set(READING.METER_SERIAL, "M-" + id.substring(3))
                        .set(READING.READ_AT, at.atOffset(java.time.ZoneOffset.UTC)).set(READING.REGISTER_KWH, register)
                        .set(READING.FEED_ID, 0L).set(READING.RECORD_NO, 0).set(READING.LINE_NO, 0));
            }
            dsl.batch(rows).execute();
        }
        changed(ids.toArray(String[]::new));

        var rules = new org.ptsingest.rules.ProductionRules(ledger.window(), properties.production().expectedYield());
        for (String id : ids) {
            List<org.ptsingest.rules.StoredReading> all = dsl.selectFrom(READING).where(READING.SYSTEM_ID.eq(id))
                    .fetch(r -> new org.ptsingest.rules.StoredReading(id, r.getMeterSerial(), r.getReadAt().toInstant(),
                            r.getRegisterKwh()));
            var expected = rules.months(new org.ptsingest.rules.ProductionRules.SystemHistory(new BigDecimal("10"), all,
                    List.of(), Map.of()), java.time.Instant.now());
            var stored = ledger.months(id, null, null).orElseThrow().months().stream()
                    .map(ProductionLedger.LedgerMonth::value).toList();
            assertThat(stored).as(id).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(stored.get(i).sameAs(expected.get(i))).as(id + " " + expected.get(i) + " vs " + stored.get(i))
                        .isTrue();
            }
            assertThat(expected.stream().map(m -> m.basis().name()).distinct().toList())
                    .as("the data exercises several rules").contains("ACTUAL", "PRORATED");
        }
    }

    // ------------------------------------------------------------------ rebuild, GIS export, access

    @Test
    void aRebuildOfAnUpToDateLedgerChangesNothingAndRebuildsADroppedOneToTheSameValues() throws Exception {
        system("PL-R1", null);
        read("PL-R1", "M-R1", "2025-12-01T05:00:00Z", "1000");
        read("PL-R1", "M-R1", "2026-01-01T05:00:00Z", "1500");
        read("PL-R1", "M-R1", "2026-05-01T04:00:00Z", "3000");
        system("PL-R2", null);
        read("PL-R2", "A", "2026-01-01T05:00:00Z", "1000");
        read("PL-R2", "B", "2026-02-01T05:00:00Z", "10");
        exchange("PL-R2", "2026-01-15T00:00:00Z", "A", "1300", "B", "0");
        system("PL-R3", null); // no readings: only an adjustment
        changed("PL-R1", "PL-R2", "PL-R3");
        assertThat(json(asOps("/api/v1/systems/PL-R3/production/2026-02/adjustment"), "PUT",
                Map.of("kwh", "42", "reason", "meter photographed")).statusCode()).isEqualTo(200);
        var before = dsl.selectFrom(PRODUCTION_MONTH).orderBy(PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH)
                .fetch().intoMaps();
        int revisionsBefore = dsl.fetchCount(PRODUCTION_REVISION);
        assertThat(before).hasSizeGreaterThan(20);

        HttpResponse<String> rebuilt = json(asOps("/api/v1/production/rebuild"), "POST", Map.of("reason", "check"));
        assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
        assertThat(JSON.readTree(rebuilt.body()).get("revisions").asInt()).isZero();
        assertThat(JSON.readTree(rebuilt.body()).get("systems").asInt()).isEqualTo(3);
        assertThat(dsl.fetchCount(PRODUCTION_REVISION)).isEqualTo(revisionsBefore);
        assertThat(dsl.selectFrom(PRODUCTION_MONTH).orderBy(PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH)
                .fetch().intoMaps()).isEqualTo(before);

        // from scratch (the derived tables dropped): the same values
        dsl.truncate(PRODUCTION_MONTH, PRODUCTION_REVISION).execute();
        HttpResponse<String> scratch = json(asOps("/api/v1/production/rebuild"), "POST", Map.of("reason", "from scratch"));
        assertThat(scratch.statusCode()).as(scratch.body()).isEqualTo(200);
        assertThat(JSON.readTree(scratch.body()).get("revisions").asInt()).isEqualTo(before.size());
        List<List<Object>> values = new ArrayList<>();
        for (var row : before) {
            values.add(java.util.Arrays.asList(row.get("system_id"), row.get("month"), row.get("kwh"), row.get("basis"),
                    row.get("close_kwh"), row.get("reason")));
        }
        assertThat(dsl.select(PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH, PRODUCTION_MONTH.KWH,
                        PRODUCTION_MONTH.BASIS, PRODUCTION_MONTH.CLOSE_KWH, PRODUCTION_MONTH.REASON)
                .from(PRODUCTION_MONTH).orderBy(PRODUCTION_MONTH.SYSTEM_ID, PRODUCTION_MONTH.MONTH)
                .fetch().map(r -> java.util.Arrays.asList(r.intoArray()))).isEqualTo(values);
    }

    @Test
    void theGisExportListsUnitsMonthsAndMegawattHoursAndAnAdjustmentAfterFinalize() throws Exception {
        system("PL-GIS1", "NON12345");
        read("PL-GIS1", "M-GIS1", "2026-01-01T05:00:00Z", "1000");
        read("PL-GIS1", "M-GIS1", "2026-02-01T05:00:00Z", "1800.500");  // Jan 800.500 → 0.8005 → 0.801
        read("PL-GIS1", "M-GIS1", "2026-03-01T05:00:00Z", "3035.067");  // Feb 1234.567 → 1.235
        read("PL-GIS1", "M-GIS1", "2026-04-01T04:00:00Z", "4034.566");  // Mar 999.499 → 0.999
        system("PL-GIS2", "MSS0001");
        read("PL-GIS2", "M-GIS2", "2026-01-01T05:00:00Z", "1000");
        read("PL-GIS2", "M-GIS2", "2026-02-01T05:00:00Z", "1100");      // Jan 100 → 0.100; Feb, Mar projected (r = 1)
        system("PL-GIS3", null);                                         // no GIS unit: not exported
        read("PL-GIS3", "M-GIS3", "2026-01-01T05:00:00Z", "1000");
        read("PL-GIS3", "M-GIS3", "2026-02-01T05:00:00Z", "1100");
        changed("PL-GIS1", "PL-GIS2", "PL-GIS3");

        HttpResponse<String> csv = send(asOps("/api/v1/exports/gis/2026Q1").GET().build());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.body()).isEqualTo("""
                unit_id,MM/YYYY,MWh\r
                MSS0001,01/2026,0.100\r
                MSS0001,02/2026,0.710\r
                MSS0001,03/2026,0.940\r
                NON12345,01/2026,0.801\r
                NON12345,02/2026,1.235\r
                NON12345,03/2026,0.999\r
                """);
        HttpResponse<String> finalized = json(asOps("/api/v1/exports/gis/2026Q1/finalize"), "POST", Map.of());
        assertThat(finalized.statusCode()).as(finalized.body()).isEqualTo(200);
        assertThat(JSON.readTree(finalized.body()).get("lines").asInt()).isEqualTo(6);
        assertThat(JSON.readTree(send(asOps("/api/v1/exports/gis/adjustments").GET().build()).body())).isEmpty();

        // after finalize, ops adjust February of MSS0001: listed as the restated total, pending
        json(asOps("/api/v1/systems/PL-GIS2/production/2026-02/adjustment"), "PUT",
                Map.of("kwh", "700", "reason", "inverter log"));
        JsonNode pending = JSON.readTree(send(asOps("/api/v1/exports/gis/adjustments").GET().build()).body());
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("unit_id").asText()).isEqualTo("MSS0001");
        assertThat(pending.get(0).get("month").asText()).isEqualTo("2026-02");
        assertThat(pending.get(0).get("quarter").asText()).isEqualTo("2026Q1");
        assertThat(pending.get(0).get("exported_mwh").asText()).isEqualTo("0.710");
        assertThat(pending.get(0).get("mwh").asText()).isEqualTo("0.700");
        assertThat(pending.get(0).get("status").asText()).isEqualTo("PENDING");

        assertThat(send(asOps("/api/v1/exports/gis/2026Q1").GET().build()).body()).contains("MSS0001,02/2026,0.700\r\n");
        long again = JSON.readTree(json(asOps("/api/v1/exports/gis/2026Q1/finalize"), "POST", Map.of()).body())
                .get("export_id").asLong();
        JsonNode done = JSON.readTree(send(asOps("/api/v1/exports/gis/adjustments").GET().build()).body());
        assertThat(done).hasSize(1);
        assertThat(done.get(0).get("status").asText()).isEqualTo("DONE");
        assertThat(done.get(0).get("done_by_export").asLong()).isEqualTo(again);
        assertThat(done.get(0).get("mwh").asText()).isEqualTo("0.700");

        // a client's retry that names the latest export it knows records the quarter once
        HttpResponse<String> retried = json(asOps("/api/v1/exports/gis/2026Q1/finalize"), "POST",
                Map.of("reason", "sent", "after_export_id", Long.toString(again - 1)));
        assertThat(retried.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(retried.body()).get("detail").asText())
                .startsWith("2026Q1 was recorded as exported meanwhile (export " + again + " by ops at ");
        HttpResponse<String> knowing = json(asOps("/api/v1/exports/gis/2026Q1/finalize"), "POST",
                Map.of("reason", "sent", "after_export_id", Long.toString(again)));
        assertThat(knowing.statusCode()).as(knowing.body()).isEqualTo(200);
        assertThat(json(asOps("/api/v1/exports/gis/2026Q1/finalize"), "POST", Map.of("after_export_id", "twelve"))
                .statusCode()).isEqualTo(400);
        assertThat(dsl.fetchCount(GIS_EXPORT, GIS_EXPORT.QUARTER.eq("2026Q1"))).isEqualTo(3);
    }

    @Test
    void aProviderReadsTheSystemsItReportsOrReportedAndNoOthers() throws Exception {
        for (String p : new String[] {"ledgera", "ledgerb"}) {
            dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, p).set(PROVIDER.NAME, p).execute();
            dsl.insertInto(PROVIDER_STATUS).set(PROVIDER_STATUS.PROVIDER_ID, p)
                    .set(PROVIDER_STATUS.EFFECTIVE_FROM, LocalDate.of(2015, 1, 1)).set(PROVIDER_STATUS.STATUS, "APPROVED")
                    .execute();
        }
        system("PL-PA", null);
        system("PL-PB", null);
        system("PL-PC", null);
        dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, "PL-PA").set(DESIGNATION.PROVIDER_ID, "ledgera")
                .set(DESIGNATION.EFFECTIVE_FROM, LocalDate.of(2020, 1, 1)).execute();
        dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, "PL-PC").set(DESIGNATION.PROVIDER_ID, "ledgera")
                .set(DESIGNATION.EFFECTIVE_FROM, LocalDate.of(2020, 1, 1))
                .set(DESIGNATION.EFFECTIVE_TO, LocalDate.of(2023, 12, 31)).execute(); // reported, no longer
        dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, "PL-PB").set(DESIGNATION.PROVIDER_ID, "ledgerb")
                .set(DESIGNATION.EFFECTIVE_FROM, LocalDate.of(2020, 1, 1)).execute();
        read("PL-PB", "M-PB", "2026-01-01T05:00:00Z", "1000");
        read("PL-PB", "M-PB", "2026-02-01T05:00:00Z", "1500");
        changed("PL-PB");
        String keyA = issueKey("ledgera");
        java.util.function.Function<String, Integer> get = path -> {
            try {
                return send(HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + keyA).GET().build())
                        .statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/api/v1/systems/PL-PA/production")).isEqualTo(200);
        assertThat(get.apply("/api/v1/systems/PL-PC/production")).isEqualTo(200);
        assertThat(get.apply("/api/v1/systems/PL-PB/production")).isEqualTo(404);
        assertThat(get.apply("/api/v1/systems/PL-PB/production/2026-01/revisions")).isEqualTo(404);
        assertThat(get.apply("/api/v1/systems/PL-NOPE/production")).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(url("/api/v1/exports/gis/2026Q1"))
                .header("Authorization", "Bearer " + keyA).GET().build()).statusCode()).isEqualTo(403);
    }
}
