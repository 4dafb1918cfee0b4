package org.ptsingest.service.ingest;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.rules.Designation;
import org.ptsingest.rules.ProviderHistory;
import org.ptsingest.rules.ProviderStatus;
import org.ptsingest.rules.RegistrySnapshot;
import org.ptsingest.rules.SystemInfo;
import org.springframework.stereotype.Component;

/** Loads the registry slice a feed is judged against, one query per table. */
@Component
class RegistrySnapshots {
    private final DSLContext dsl;

    RegistrySnapshots(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The meter registered for a system (for payloads that name none), looked up once per system and feed. */
    Function<String, String> meterSerials() {
        Map<String, Optional<String>> known = new HashMap<>();
        return systemId -> known.computeIfAbsent(systemId, id -> Optional.ofNullable(dsl.select(PTS_SYSTEM.METER_SERIAL)
                .from(PTS_SYSTEM).where(PTS_SYSTEM.SYSTEM_ID.eq(id)).fetchOne(PTS_SYSTEM.METER_SERIAL))).orElse(null);
    }

    /** The provider's status history, or null when the provider is not registered. */
    ProviderHistory history(String providerId) {
        if (!dsl.fetchExists(PROVIDER, PROVIDER.PROVIDER_ID.eq(providerId))) {
            return null;
        }
        Map<LocalDate, ProviderStatus> changes = new HashMap<>();
        dsl.select(PROVIDER_STATUS.EFFECTIVE_FROM, PROVIDER_STATUS.STATUS)
                .from(PROVIDER_STATUS)
                .where(PROVIDER_STATUS.PROVIDER_ID.eq(providerId))
                .forEach(r -> changes.put(r.value1(), ProviderStatus.valueOf(r.value2())));
        return new ProviderHistory(changes);
    }

    /** Systems named in the feed (its meter spans), and this provider's designations for them. */
    RegistrySnapshot forFeedSpans(String providerId, ProviderHistory history) {
        var named = DSL.selectDistinct(MeterSpans.SYSTEM_ID).from(MeterSpans.TABLE);
        Map<String, SystemInfo> systems = new HashMap<>();
        dsl.select(PTS_SYSTEM.SYSTEM_ID, PTS_SYSTEM.DC_CAPACITY_KW, PTS_SYSTEM.INTERCONNECTED_ON)
                .from(PTS_SYSTEM)
                .where(PTS_SYSTEM.SYSTEM_ID.in(named))
                .forEach(r -> systems.put(r.value1(), new SystemInfo(r.value1(), r.value2(), r.value3())));
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
