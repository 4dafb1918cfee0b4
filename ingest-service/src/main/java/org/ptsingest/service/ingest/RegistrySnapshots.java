package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.ptsingest.feed.pts.MeterAttribution;
import org.ptsingest.rules.Designation;
import org.ptsingest.rules.InstalledMeters;
import org.ptsingest.rules.MeterExchange;
import org.ptsingest.rules.ProviderHistory;
import org.ptsingest.rules.ReporterKind;
import org.ptsingest.rules.ProviderStatus;
import org.ptsingest.rules.RegistrySnapshot;
import org.ptsingest.rules.SystemInfo;
import org.springframework.stereotype.Component;

/** Loads the registry slice a feed is judged against, one query per table. */
@Component
public class RegistrySnapshots {
    private final DSLContext dsl;

    RegistrySnapshots(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Systems looked up one by one before a feed's attribution loads all of its provider's designated
     * systems in one query instead: a small feed costs a query per system it names, a large one a few
     * hundred queries and one bulk load (a PTS payload of 100,000 systems took 100,000 round trips,
     * 52 s of a 70 s feed).
     */
    static final int LOOKUPS_BEFORE_BULK = 200;

    /**
     * The meter installed at a reading's time, for payloads that name none (PTS, a self-reporter's reading): each
     * system's registered meter and exchanges are loaded once per feed — one by one while the payload has named
     * few systems, then every system ever designated to {@code providerId} at once ({@link #LOOKUPS_BEFORE_BULK});
     * a system never designated to it is still looked up when named (its readings are NOT_DESIGNATED, and the
     * receipt names the meter they would be of).
     */
    public MeterAttribution meterAttribution(String providerId) {
        Map<String, InstalledMeters> known = new HashMap<>();
        int[] lookups = {0};
        return (systemId, readAt) -> {
            InstalledMeters meters = known.get(systemId);
            if (meters == null && lookups[0] >= 0 && ++lookups[0] > LOOKUPS_BEFORE_BULK) {
                lookups[0] = -1; // once
                var designated = DSL.select(DESIGNATION.SYSTEM_ID).from(DESIGNATION)
                        .where(DESIGNATION.PROVIDER_ID.eq(providerId));
                for (String id : dsl.selectDistinct(DESIGNATION.SYSTEM_ID).from(DESIGNATION)
                        .where(DESIGNATION.PROVIDER_ID.eq(providerId)).fetch(DESIGNATION.SYSTEM_ID)) {
                    known.put(id, InstalledMeters.ANY);
                }
                known.putAll(installedMeters(PTS_SYSTEM.SYSTEM_ID.in(designated)));
                meters = known.get(systemId);
            }
            if (meters == null) {
                meters = installedMeters(PTS_SYSTEM.SYSTEM_ID.eq(systemId)).getOrDefault(systemId, InstalledMeters.ANY);
                known.put(systemId, meters);
            }
            return meters.at(readAt);
        };
    }

    /**
     * Registered meter and exchanges of the systems that match, in one query (a system without either
     * is absent: every meter counts as installed on it).
     */
    Map<String, InstalledMeters> installedMeters(Condition systems) {
        Map<String, String> registered = new HashMap<>();
        Map<String, List<MeterExchange>> exchanges = new HashMap<>();
        for (Record r : dsl.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.METER_SERIAL, METER_EXCHANGE.EXCHANGED_AT,
                        METER_EXCHANGE.OLD_METER_SERIAL, METER_EXCHANGE.OLD_FINAL_KWH, METER_EXCHANGE.NEW_METER_SERIAL,
                        METER_EXCHANGE.NEW_INITIAL_KWH)
                .from(PTS_SYSTEM).leftJoin(METER_EXCHANGE).on(METER_EXCHANGE.SYSTEM_ID.eq(PTS_SYSTEM.SYSTEM_ID))
                .where(systems).and(PTS_SYSTEM.METER_SERIAL.isNotNull().or(METER_EXCHANGE.SYSTEM_ID.isNotNull()))
                .fetch()) {
            String system = r.get(PTS_SYSTEM.SYSTEM_ID);
            registered.put(system, r.get(PTS_SYSTEM.METER_SERIAL));
            List<MeterExchange> ofSystem = exchanges.computeIfAbsent(system, k -> new ArrayList<>());
            if (r.get(METER_EXCHANGE.EXCHANGED_AT) != null) {
                ofSystem.add(new MeterExchange(r.get(METER_EXCHANGE.EXCHANGED_AT).toInstant(),
                        r.get(METER_EXCHANGE.OLD_METER_SERIAL), r.get(METER_EXCHANGE.OLD_FINAL_KWH),
                        r.get(METER_EXCHANGE.NEW_METER_SERIAL), r.get(METER_EXCHANGE.NEW_INITIAL_KWH)));
            }
        }
        Map<String, InstalledMeters> out = new HashMap<>();
        exchanges.forEach((system, list) -> out.put(system, InstalledMeters.of(registered.get(system), list)));
        return out;
    }

    /** The provider's status history, or null when the provider is not registered. */
    ProviderHistory history(String providerId) {
        // the provider and its status changes in one round trip (every feed's judge starts here)
        var rows = dsl.select(PROVIDER.KIND, PROVIDER_STATUS.EFFECTIVE_FROM, PROVIDER_STATUS.STATUS)
                .from(PROVIDER)
                .leftJoin(PROVIDER_STATUS).on(PROVIDER_STATUS.PROVIDER_ID.eq(PROVIDER.PROVIDER_ID))
                .where(PROVIDER.PROVIDER_ID.eq(providerId))
                .fetch();
        if (rows.isEmpty()) {
            return null;
        }
        Map<LocalDate, ProviderStatus> changes = new HashMap<>();
        rows.forEach(r -> {
            if (r.value2() != null) {
                changes.put(r.value2(), ProviderStatus.valueOf(r.value3()));
            }
        });
        return new ProviderHistory(ReporterKind.valueOf(rows.get(0).value1()), changes);
    }

    /**
     * Systems named in the feed (its meter spans) with their installed meters, and this provider's
     * designations for them.
     */
    RegistrySnapshot forFeedSpans(String providerId, ProviderHistory history, org.jooq.Table<?> spans) {
        var named = DSL.selectDistinct(MeterSpans.SYSTEM_ID).from(spans);
        Map<String, InstalledMeters> meters = installedMeters(PTS_SYSTEM.SYSTEM_ID.in(named));
        Map<String, SystemInfo> systems = new HashMap<>();
        dsl.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW, PTS_SYSTEM.INTERCONNECTED_ON)
                .from(PTS_SYSTEM)
                .where(PTS_SYSTEM.SYSTEM_ID.in(named))
                .forEach(r -> systems.put(r.value1(), new SystemInfo(r.value1(), r.value2(), r.value3(),
                        meters.getOrDefault(r.value1(), InstalledMeters.ANY))));
        Map<String, List<Designation>> designations = new HashMap<>();
        dsl.select(DESIGNATION.SYSTEM_ID, DESIGNATION.EFFECTIVE_FROM, DESIGNATION.EFFECTIVE_TO)
                .from(DESIGNATION)
                .where(DESIGNATION.PROVIDER_ID.eq(providerId))
                .and(DESIGNATION.SYSTEM_ID.in(named))
                .forEach(r -> designations.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new Designation(r.value2(), r.value3())));
        return new RegistrySnapshot(providerId, history, systems, designations);
    }
}
