package org.ptsingest.service.registry;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.METER_EXCHANGE;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_STATUS;
import static org.ptsingest.service.persistence.jooq.Tables.PTS_SYSTEM;
import static org.ptsingest.service.persistence.jooq.Tables.SELF_REPORTER;

import java.io.Reader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.rules.ReporterKind;
import org.ptsingest.service.production.ProductionLedger;
import org.ptsingest.service.production.RevisionCause;
import org.ptsingest.feed.Echo;
import org.ptsingest.rules.ProviderStatus;
import org.ptsingest.service.persistence.jooq.tables.records.MeterExchangeRecord;
import org.ptsingest.service.registry.RegistryImportResult.RowError;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Upserts registry CSV imports. Valid rows are applied, invalid ones listed with their line (every
 * value is checked against its column's domain in {@link RegistryValues} first, so no value reaches
 * PostgreSQL that would abort the import); the whole import is one transaction. Provider status rows
 * are history: a new effective_from adds a row, the same effective_from corrects it. A meter exchange
 * is identified by (system_id, exchanged_at): the same values again change nothing; other values for
 * that key replace the registered exchange, and the answer lists the replacement with what it replaced.
 */
@Service
public class RegistryImport {
    static final List<String> PROVIDER_COLUMNS = List.of("provider_id", "name", "status", "effective_from");
    static final List<String> SYSTEM_COLUMNS =
            List.of("system_id", "owner_name", "dc_capacity_kw", "interconnected_on", "program");
    static final List<String> DESIGNATION_COLUMNS =
            List.of("system_id", "provider_id", "effective_from", "effective_to");
    static final List<String> SELF_REPORTER_COLUMNS = List.of("reporter_id", "name", "email");
    static final List<String> METER_EXCHANGE_COLUMNS = List.of("system_id", "exchanged_at", "old_meter_serial",
            "old_final_kwh", "new_meter_serial", "new_initial_kwh");

    private final DSLContext dsl;
    private final ProductionLedger ledger;
    private final BigDecimal dasThresholdKw;

    public RegistryImport(DSLContext dsl, ProductionLedger ledger, IngestProperties properties) {
        this.dsl = dsl;
        this.ledger = ledger;
        this.dasThresholdKw = properties.rules().dasThresholdKw();
    }

    @Transactional
    public RegistryImportResult providers(Reader csv) {
        return RegistryCsv.read("providers", csv, PROVIDER_COLUMNS, List.of("contact_email"), (line, v) -> {
            String id;
            String name;
            ProviderStatus status;
            LocalDate from;
            String contact;
            try {
                id = RegistryValues.providerId(v.get("provider_id"));
                name = RegistryValues.text("name", v.get("name"), RegistryValues.MAX_NAME);
                status = status(v.get("status"));
                from = RegistryValues.date("effective_from", v.get("effective_from"));
                contact = RegistryValues.optionalEmail("contact_email", v.get("contact_email"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            RowError taken = otherKind(line, id, ReporterKind.DAS_PROVIDER);
            if (taken != null) {
                return taken;
            }
            var upsert = dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, id).set(PROVIDER.NAME, name)
                    .set(PROVIDER.CONTACT_EMAIL, contact)
                    .onConflict(PROVIDER.PROVIDER_ID).doUpdate()
                    .set(PROVIDER.NAME, name).set(PROVIDER.UPDATED_AT, OffsetDateTime.now());
            if (v.containsKey("contact_email")) { // an import without the column leaves contacts as they are
                upsert = upsert.set(PROVIDER.CONTACT_EMAIL, contact);
            }
            upsert.execute();
            dsl.insertInto(PROVIDER_STATUS).set(PROVIDER_STATUS.PROVIDER_ID, id)
                    .set(PROVIDER_STATUS.EFFECTIVE_FROM, from).set(PROVIDER_STATUS.STATUS, status.name())
                    .onConflict(PROVIDER_STATUS.PROVIDER_ID, PROVIDER_STATUS.EFFECTIVE_FROM).doUpdate()
                    .set(PROVIDER_STATUS.STATUS, status.name()).set(PROVIDER_STATUS.RECORDED_AT, OffsetDateTime.now())
                    .execute();
            return null;
        });
    }

    /**
     * Owners who report their own small systems on the /report pages. A self-reporter is a provider row of
     * kind SELF_REPORTER (one id space with DAS providers, so designations and feeds name either), with an
     * account whose password the owner sets from an invitation.
     */
    @Transactional
    public RegistryImportResult selfReporters(Reader csv) {
        return RegistryCsv.read("self_reporters", csv, SELF_REPORTER_COLUMNS, (line, v) -> {
            String id;
            String name;
            String email;
            try {
                id = RegistryValues.reporterId(v.get("reporter_id"));
                name = RegistryValues.text("name", v.get("name"), RegistryValues.MAX_NAME);
                email = RegistryValues.email("email", v.get("email"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            RowError taken = otherKind(line, id, ReporterKind.SELF_REPORTER);
            if (taken != null) {
                return taken;
            }
            dsl.insertInto(PROVIDER).set(PROVIDER.PROVIDER_ID, id).set(PROVIDER.NAME, name)
                    .set(PROVIDER.KIND, ReporterKind.SELF_REPORTER.name())
                    .onConflict(PROVIDER.PROVIDER_ID).doUpdate()
                    .set(PROVIDER.NAME, name).set(PROVIDER.UPDATED_AT, OffsetDateTime.now())
                    .execute();
            dsl.insertInto(SELF_REPORTER).set(SELF_REPORTER.REPORTER_ID, id).set(SELF_REPORTER.EMAIL, email)
                    .onConflict(SELF_REPORTER.REPORTER_ID).doUpdate().set(SELF_REPORTER.EMAIL, email)
                    .execute();
            return null;
        });
    }

    /** An id is a DAS provider or a self-reporter, never both: an import of the other kind is refused. */
    private RowError otherKind(long line, String id, ReporterKind wanted) {
        String kind = dsl.select(PROVIDER.KIND).from(PROVIDER).where(PROVIDER.PROVIDER_ID.eq(id)).fetchOne(PROVIDER.KIND);
        if (kind == null || kind.equals(wanted.name())) {
            return null;
        }
        return new RowError(line, "ID_TAKEN", Echo.quote(id) + " is registered as a "
                + ReporterKind.valueOf(kind).label() + ", not as a " + wanted.label());
    }

    @Transactional
    public RegistryImportResult systems(Reader csv) {
        // A system's capacity (projections) and registered meter (its register) feed the production ledger:
        // the systems added, or whose capacity or meter changed, are recomputed once this import commits. Not
        // every system imported: PTS re-sends its whole registry, and each unchanged system would be recomputed
        // for nothing.
        java.util.Set<String> changed = new java.util.TreeSet<>();
        RegistryImportResult result = RegistryCsv.read("systems", csv, SYSTEM_COLUMNS, List.of("meter_serial", "gis_unit_id"), (line, v) -> {
            String id;
            String owner;
            BigDecimal kw;
            LocalDate on;
            String program;
            String meter;
            String gisUnit;
            try {
                id = RegistryValues.id("system_id", v.get("system_id"));
                owner = RegistryValues.text("owner_name", v.get("owner_name"), RegistryValues.MAX_NAME);
                kw = RegistryValues.capacity(v.get("dc_capacity_kw"));
                on = RegistryValues.date("interconnected_on", v.get("interconnected_on"));
                program = RegistryValues.text("program", v.get("program"), RegistryValues.MAX_PROGRAM);
                // optional: an import without the column leaves registered meters as they are
                meter = RegistryValues.optionalId("meter_serial", v.get("meter_serial"));
                gisUnit = RegistryValues.optionalId("gis_unit_id", v.get("gis_unit_id"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            // what the row held before this statement (every part of a statement sees the same snapshot)
            var before = DSL.name("before").as(DSL.select(PTS_SYSTEM.DC_CAPACITY_KW, PTS_SYSTEM.METER_SERIAL)
                    .from(PTS_SYSTEM).where(PTS_SYSTEM.SYSTEM_ID.eq(id)));
            var update = dsl.with(before).insertInto(PTS_SYSTEM).set(PTS_SYSTEM.SYSTEM_ID, id).set(PTS_SYSTEM.OWNER_NAME, owner)
                    .set(PTS_SYSTEM.DC_CAPACITY_KW, kw).set(PTS_SYSTEM.INTERCONNECTED_ON, on)
                    .set(PTS_SYSTEM.PROGRAM, program).set(PTS_SYSTEM.METER_SERIAL, meter)
                    .set(PTS_SYSTEM.GIS_UNIT_ID, gisUnit)
                    .onConflict(PTS_SYSTEM.SYSTEM_ID).doUpdate()
                    .set(PTS_SYSTEM.OWNER_NAME, owner).set(PTS_SYSTEM.DC_CAPACITY_KW, kw)
                    .set(PTS_SYSTEM.INTERCONNECTED_ON, on).set(PTS_SYSTEM.PROGRAM, program)
                    .set(PTS_SYSTEM.UPDATED_AT, OffsetDateTime.now());
            if (v.containsKey("meter_serial")) {
                update = update.set(PTS_SYSTEM.METER_SERIAL, meter);
            }
            if (v.containsKey("gis_unit_id")) {
                update = update.set(PTS_SYSTEM.GIS_UNIT_ID, gisUnit);
            }
            Boolean forLedger = update.returningResult(DSL.field(DSL.notExists(DSL.selectOne().from(before))
                    .or(PTS_SYSTEM.DC_CAPACITY_KW.isDistinctFrom(DSL.select(before.field(PTS_SYSTEM.DC_CAPACITY_KW))
                            .from(before).asField()))
                    .or(PTS_SYSTEM.METER_SERIAL.isDistinctFrom(DSL.select(before.field(PTS_SYSTEM.METER_SERIAL))
                            .from(before).asField()))))
                    .fetchOne().value1();
            if (Boolean.TRUE.equals(forLedger)) {
                changed.add(id);
            }
            return null;
        });
        ledger.systemsChanged(changed, RevisionCause.REGISTRY, "systems import");
        return result;
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
            String kind = dsl.select(PROVIDER.KIND).from(PROVIDER).where(PROVIDER.PROVIDER_ID.eq(provider))
                    .fetchOne(PROVIDER.KIND);
            if (kind == null) {
                return new RowError(line, "UNKNOWN_PROVIDER", "provider " + provider
                        + " is not registered (neither a DAS provider nor a self-reporter)");
            }
            BigDecimal kw = dsl.select(PTS_SYSTEM.DC_CAPACITY_KW).from(PTS_SYSTEM).where(PTS_SYSTEM.SYSTEM_ID.eq(system))
                    .fetchOne(PTS_SYSTEM.DC_CAPACITY_KW);
            if (ReporterKind.SELF_REPORTER.name().equals(kind) && kw.compareTo(dasThresholdKw) > 0) {
                return new RowError(line, "DAS_MANDATE", system + " is " + kw.stripTrailingZeros().toPlainString() + " kW DC, above the "
                        + dasThresholdKw.toPlainString() + " kW DAS threshold: it must report through an approved DAS "
                        + "provider, not self-reporter " + provider);
            }
            dsl.insertInto(DESIGNATION).set(DESIGNATION.SYSTEM_ID, system).set(DESIGNATION.PROVIDER_ID, provider)
                    .set(DESIGNATION.EFFECTIVE_FROM, from).set(DESIGNATION.EFFECTIVE_TO, to)
                    .onConflict(DESIGNATION.SYSTEM_ID, DESIGNATION.PROVIDER_ID, DESIGNATION.EFFECTIVE_FROM).doUpdate()
                    .set(DESIGNATION.EFFECTIVE_TO, to).set(DESIGNATION.UPDATED_AT, OffsetDateTime.now())
                    .execute();
            return null;
        });
    }

    @Transactional
    public RegistryImportResult meterExchanges(Reader csv) {
        List<RegistryImportResult.Replaced> replaced = new ArrayList<>();
        // An exchange joins or re-joins a system's register: its ledger is recomputed after this commits.
        java.util.Set<String> changed = new java.util.TreeSet<>();
        RegistryImportResult result = RegistryCsv.read("meter_exchanges", csv, METER_EXCHANGE_COLUMNS, (line, v) -> {
            String system;
            Instant at;
            String oldMeter;
            BigDecimal oldFinal;
            String newMeter;
            BigDecimal newInitial;
            try {
                system = RegistryValues.id("system_id", v.get("system_id"));
                at = RegistryValues.instant("exchanged_at", v.get("exchanged_at"));
                oldMeter = RegistryValues.id("old_meter_serial", v.get("old_meter_serial"));
                oldFinal = RegistryValues.register("old_final_kwh", v.get("old_final_kwh"));
                newMeter = RegistryValues.id("new_meter_serial", v.get("new_meter_serial"));
                newInitial = RegistryValues.register("new_initial_kwh", v.get("new_initial_kwh"));
            } catch (RegistryValues.Invalid e) {
                return invalid(line, e.getMessage());
            }
            if (oldMeter.equals(newMeter)) {
                return invalid(line, "old_meter_serial and new_meter_serial are both " + Echo.quote(oldMeter));
            }
            if (!dsl.fetchExists(PTS_SYSTEM, PTS_SYSTEM.SYSTEM_ID.eq(system))) {
                return new RowError(line, "UNKNOWN_SYSTEM", "system " + system + " is not registered");
            }
            OffsetDateTime exchangedAt = at.atOffset(ZoneOffset.UTC);
            MeterExchangeRecord before = dsl.selectFrom(METER_EXCHANGE)
                    .where(METER_EXCHANGE.SYSTEM_ID.eq(system), METER_EXCHANGE.EXCHANGED_AT.eq(exchangedAt))
                    .forUpdate().fetchOne();
            if (before != null && before.getOldMeterSerial().equals(oldMeter) && before.getNewMeterSerial().equals(newMeter)
                    && before.getOldFinalKwh().compareTo(oldFinal) == 0
                    && before.getNewInitialKwh().compareTo(newInitial) == 0) {
                return null; // registered exactly so already
            }
            dsl.insertInto(METER_EXCHANGE).set(METER_EXCHANGE.SYSTEM_ID, system)
                    .set(METER_EXCHANGE.EXCHANGED_AT, exchangedAt)
                    .set(METER_EXCHANGE.OLD_METER_SERIAL, oldMeter).set(METER_EXCHANGE.OLD_FINAL_KWH, oldFinal)
                    .set(METER_EXCHANGE.NEW_METER_SERIAL, newMeter).set(METER_EXCHANGE.NEW_INITIAL_KWH, newInitial)
                    .onConflict(METER_EXCHANGE.SYSTEM_ID, METER_EXCHANGE.EXCHANGED_AT).doUpdate()
                    .set(METER_EXCHANGE.OLD_METER_SERIAL, oldMeter).set(METER_EXCHANGE.OLD_FINAL_KWH, oldFinal)
                    .set(METER_EXCHANGE.NEW_METER_SERIAL, newMeter).set(METER_EXCHANGE.NEW_INITIAL_KWH, newInitial)
                    .set(METER_EXCHANGE.IMPORTED_AT, OffsetDateTime.now())
                    .execute();
            changed.add(system);
            if (before != null) {
                replaced.add(new RegistryImportResult.Replaced(line, "replaced the exchange of " + system + " at " + at
                        + ": " + before.getOldMeterSerial() + " " + before.getOldFinalKwh().toPlainString() + " kWh -> "
                        + before.getNewMeterSerial() + " " + before.getNewInitialKwh().toPlainString() + " kWh"));
            }
            return null;
        });
        ledger.systemsChanged(changed, RevisionCause.REGISTRY, "meter exchanges import");
        return result.withReplaced(replaced);
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
