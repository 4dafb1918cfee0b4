package org.ptsingest.service.web;

import static org.ptsingest.service.persistence.jooq.Tables.DESIGNATION;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.ptsingest.config.IngestProperties;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The two read calls PTS SOAP clients make before posting: the latest stored reading's local date-time
 * ({@code GetLastMeterDate}) and the register of the latest reading on or before the end of a local day
 * ({@code GetMeterValue}). Over the system's stored readings, whatever their meter: after an exchange
 * that is the new meter's register, which is what the client posts next.
 */
@Component
class PtsMeterReads {
    /** As PTS answers it: clients split it at the space and the dashes ({@code 2016-03-01 09:15:02}). */
    static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final DSLContext dsl;
    private final ZoneId zone;

    PtsMeterReads(DSLContext dsl, IngestProperties properties) {
        this.dsl = dsl;
        this.zone = properties.rules().zone();
    }

    /** Whether the provider reports or reported the system (a designation at any time). */
    @Transactional(readOnly = true)
    boolean readable(String providerId, String systemId) {
        return dsl.fetchExists(DESIGNATION, DESIGNATION.PROVIDER_ID.eq(providerId), DESIGNATION.SYSTEM_ID.eq(systemId));
    }

    /** The latest stored reading's local date-time in the programme's zone, or empty without readings. */
    @Transactional(readOnly = true)
    Optional<String> lastMeterDate(String systemId) {
        return dsl.select(READING.READ_AT).from(READING).where(READING.SYSTEM_ID.eq(systemId))
                .orderBy(READING.READ_AT.desc()).limit(1)
                .fetchOptional(r -> LOCAL.format(r.value1().atZoneSameInstant(zone).toLocalDateTime()));
    }

    /** The register of the latest stored reading before the next local day starts, or empty. */
    @Transactional(readOnly = true)
    Optional<String> meterValue(String systemId, LocalDate day) {
        OffsetDateTime endOfDay = day.plusDays(1).atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
        return dsl.select(READING.READ_AT, READING.REGISTER_KWH).from(READING)
                .where(READING.SYSTEM_ID.eq(systemId), READING.READ_AT.lt(endOfDay))
                .orderBy(READING.READ_AT.desc()).limit(1)
                .fetchOptional(Record2::value2).map(BigDecimal::toPlainString);
    }
}
