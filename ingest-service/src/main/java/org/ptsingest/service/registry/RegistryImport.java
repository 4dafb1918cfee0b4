package org.ptsingest.service.registry;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;

import java.io.Reader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.jooq.DSLContext;
import org.ptsingest.rules.ProviderStatus;
import org.ptsingest.service.registry.RegistryImportResult.RowError;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Upserts registry CSV imports. Valid rows are applied, invalid ones listed with their line; the
 * whole import is one transaction. Provider status rows are history: a new effective_from adds a
 * row, the same effective_from corrects it.
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
            String id = v.get("provider_id");
            if (id.isEmpty() || v.get("name").isEmpty()) {
                return invalid(line, "provider_id and name are required");
            }
            ProviderStatus status;
            try {
                status = ProviderStatus.valueOf(v.get("status").toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return invalid(line, "status '" + v.get("status") + "' is not APPROVED, SUSPENDED or REVOKED");
            }
            LocalDate from = date(v.get("effective_from"));
            if (from == null) {
                return invalid(line, "effective_from '" + v.get("effective_from") + "' is not a yyyy-MM-dd date");
            }
            dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, id).set(PROVIDER.NAME, v.get("name"))
                    .onConflict(PROVIDER.PROVIDER_ID).doUpdate()
                    .set(PROVIDER.NAME, v.get("name")).set(PROVIDER.UPDATED_AT, OffsetDateTime.now())
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
            String id = v.get("system_id");
            if (id.isEmpty() || v.get("owner_name").isEmpty() || v.get("program").isEmpty()) {
                return invalid(line, "system_id, owner_name and program are required");
            }
            BigDecimal kw;
            try {
                kw = new BigDecimal(v.get("dc_capacity_kw"));
            } catch (NumberFormatException e) {
                return invalid(line, "dc_capacity_kw '" + v.get("dc_capacity_kw") + "' is not a number");
            }
            if (kw.signum() <= 0 || kw.scale() > 3) {
                return invalid(line, "dc_capacity_kw " + kw.toPlainString() + " must be > 0 with at most 3 decimals");
            }
            LocalDate on = date(v.get("interconnected_on"));
            if (on == null) {
                return invalid(line, "interconnected_on '" + v.get("interconnected_on") + "' is not a yyyy-MM-dd date");
            }
            // meter_serial is optional: an import without the column leaves registered meters as they are
            String meter = v.containsKey("meter_serial") && !v.get("meter_serial").isEmpty() ? v.get("meter_serial") : null;
            var update = dsl.insertInto(PTS_SYSTEM).set(PTS_SYSTEM.SYSTEM_ID, id).set(PTS_SYSTEM.OWNER_NAME, v.get("owner_name"))
                    .set(PTS_SYSTEM.DC_CAPACITY_KW, kw).set(PTS_SYSTEM.INTERCONNECTED_ON, on)
                    .set(PTS_SYSTEM.PROGRAM, v.get("program")).set(PTS_SYSTEM.METER_SERIAL, meter)
                    .onConflict(PTS_SYSTEM.SYSTEM_ID).doUpdate()
                    .set(PTS_SYSTEM.OWNER_NAME, v.get("owner_name")).set(PTS_SYSTEM.DC_CAPACITY_KW, kw)
                    .set(PTS_SYSTEM.INTERCONNECTED_ON, on).set(PTS_SYSTEM.PROGRAM, v.get("program"))
                    .set(PTS_SYSTEM.UPDATED_AT, OffsetDateTime.now());
            (v.containsKey("meter_serial") ? update.set(PTS_SYSTEM.METER_SERIAL, meter) : update).execute();
            return null;
        });
    }

    @Transactional
    public RegistryImportResult designations(Reader csv) {
        return RegistryCsv.read("designations", csv, DESIGNATION_COLUMNS, (line, v) -> {
            String system = v.get("system_id");
            String provider = v.get("provider_id");
            LocalDate from = date(v.get("effective_from"));
            if (from == null) {
                return invalid(line, "effective_from '" + v.get("effective_from") + "' is not a yyyy-MM-dd date");
            }
            LocalDate to = v.get("effective_to").isEmpty() ? null : date(v.get("effective_to"));
            if (!v.get("effective_to").isEmpty() && to == null) {
                return invalid(line, "effective_to '" + v.get("effective_to") + "' is not a yyyy-MM-dd date");
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

    private static RowError invalid(long line, String message) {
        return new RowError(line, "INVALID_VALUE", message);
    }

    private static LocalDate date(String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

}
