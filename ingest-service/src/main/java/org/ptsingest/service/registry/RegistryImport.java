package org.ptsingest.service.registry;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.io.Reader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

import org.jooq.DSLContext;
import org.ptsingest.feed.Echo;
import org.ptsingest.rules.ProviderStatus;
import org.ptsingest.service.registry.RegistryImportResult.RowError;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Upserts registry CSV imports. Valid rows are applied, invalid ones listed with their line (every
 * value is checked against its column's domain in {@link RegistryValues} first, so no value reaches
 * PostgreSQL that would abort the import); the whole import is one transaction. Provider status rows
 * are history: a new effective_from adds a row, the same effective_from corrects it.
 */
@Service
public class RegistryImport {
    static final List<String> PROVIDER_COLUMNS = List.of("provider_id", "name", "status", "effective_from");
    static final List<String> SYSTEM_COLUMNS =
            List.of("system_id", "owner_name", "dc_capacity_kw", "interconnected_on", "program");
    static final List<String> DESIGNATION_COLUMNS =
            List.of("system_id", "provider_id", "effective_from", "effective_to");

    private final DSLContext dsl;

    public RegistryImport(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Transactional
    public RegistryImportResult providers(Reader csv) {
        return RegistryCsv.read("providers", csv, PROVIDER_COLUMNS, (line, v) -> {
            String id;
            String name;
            ProviderStatus status;
            LocalDate from;
            try {
                id = RegistryValues.providerId(v.get("provider_id"));
                name = RegistryValues.text("name", v.get("name"), RegistryValues.MAX_NAME);
                status = status(v.get("status"));
                from = RegistryValues.date("effective_from", v.get("effective_from"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, id).set(PROVIDER.NAME, name)
                    .onConflict(PROVIDER.PROVIDER_ID).doUpdate()
                    .set(PROVIDER.NAME, name).set(PROVIDER.UPDATED_AT, OffsetDateTime.now())
                    .execute();
            dsl.insertInto(PROVIDER_STATUS).set(PROVIDER_STATUS.PROVIDER_ID, id)
                    .set(PROVIDER_STATUS.EFFECTIVE_FROM, from).set(PROVIDER_STATUS.STATUS, status.name())
                    .onConflict(PROVIDER_STATUS.PROVIDER_ID, PROVIDER_STATUS.EFFECTIVE_FROM).doUpdate()
                    .set(PROVIDER_STATUS.STATUS, status.name()).set(PROVIDER_STATUS.RECORDED_AT, OffsetDateTime.now())
                    .execute();
            return null;
        });
    }

    @Transactional
    public RegistryImportResult systems(Reader csv) {
        return RegistryCsv.read("systems", csv, SYSTEM_COLUMNS, List.of("meter_serial"), (line, v) -> {
            String id;
            String owner;
            BigDecimal kw;
            LocalDate on;
            String program;
            String meter;
            try {
                id = RegistryValues.id("system_id", v.get("system_id"));
                owner = RegistryValues.text("owner_name", v.get("owner_name"), RegistryValues.MAX_NAME);
                kw = RegistryValues.capacity(v.get("dc_capacity_kw"));
                on = RegistryValues.date("interconnected_on", v.get("interconnected_on"));
                program = RegistryValues.text("program", v.get("program"), RegistryValues.MAX_PROGRAM);
                // optional: an import without the column leaves registered meters as they are
                meter = RegistryValues.optionalId("meter_serial", v.get("meter_serial"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            var update = dsl.insertInto(PTS_SYSTEM).set(PTS_SYSTEM.SYSTEM_ID, id).set(PTS_SYSTEM.OWNER_NAME, owner)
                    .set(PTS_SYSTEM.DC_CAPACITY_KW, kw).set(PTS_SYSTEM.INTERCONNECTED_ON, on)
                    .set(PTS_SYSTEM.PROGRAM, program).set(PTS_SYSTEM.METER_SERIAL, meter)
                    .onConflict(PTS_SYSTEM.SYSTEM_ID).doUpdate()
                    .set(PTS_SYSTEM.OWNER_NAME, owner).set(PTS_SYSTEM.DC_CAPACITY_KW, kw)
                    .set(PTS_SYSTEM.INTERCONNECTED_ON, on).set(PTS_SYSTEM.PROGRAM, program)
                    .set(PTS_SYSTEM.UPDATED_AT, OffsetDateTime.now());
            (v.containsKey("meter_serial") ? update.set(PTS_SYSTEM.METER_SERIAL, meter) : update).execute();
            return null;
        });
    }

    @Transactional
    public RegistryImportResult designations(Reader csv) {
        return RegistryCsv.read("designations", csv, DESIGNATION_COLUMNS, (line, v) -> {
            String system;
            String provider;
            LocalDate from;
            LocalDate to;
            try {
                system = RegistryValues.id("system_id", v.get("system_id"));
                provider = RegistryValues.id("provider_id", v.get("provider_id"));
                from = RegistryValues.date("effective_from", v.get("effective_from"));
                to = RegistryValues.optionalDate("effective_to", v.get("effective_to"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            if (to != null && to.isBefore(from)) {
                return invalid(line, "effective_to " + to + " is before effective_from " + from);
            }
            if (!dsl.fetchExists(PTS_SYSTEM, PTS_SYSTEM.SYSTEM_ID.eq(system))) {
                return new RowError(line, "UNKNOWN_SYSTEM", "system " + system + " is not registered");
            }
            if (!dsl.fetchExists(PROVIDER, PROVIDER.PROVIDER_ID.eq(provider))) {
                return new RowError(line, "UNKNOWN_PROVIDER", "provider " + provider + " is not registered");
            }
            dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, system).set(DESIGNATION.PROVIDER_ID, provider)
                    .set(DESIGNATION.EFFECTIVE_FROM, from).set(DESIGNATION.EFFECTIVE_TO, to)
                    .onConflict(DESIGNATION.SYSTEM_ID, DESIGNATION.PROVIDER_ID, DESIGNATION.EFFECTIVE_FROM).doUpdate()
                    .set(DESIGNATION.EFFECTIVE_TO, to).set(DESIGNATION.UPDATED_AT, OffsetDateTime.now())
                    .execute();
            return null;
        });
    }

    private static ProviderStatus status(String text) {
        try {
            return ProviderStatus.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegistryValues.Invalid("status " + Echo.quote(text) + " is not APPROVED, SUSPENDED or REVOKED");
        }
    }

    private static RowError invalid(long line, String message) {
        return new RowError(line, "INVALID_VALUE", message);
    }
}
