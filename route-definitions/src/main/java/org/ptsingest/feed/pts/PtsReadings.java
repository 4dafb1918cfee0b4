package org.ptsingest.feed.pts;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import org.ptsingest.feed.FeedReader;
import org.ptsingest.feed.InvalidRecord;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.csv.CsvFeedContract;

/**
 * What both PTS payloads need to become the service's readings: the meter installed on the system at
 * the reading's time (they name none) and the local date-time read in the programme's zone; the rest are the shared
 * value rules. Messages name the payload's own fields, after {@code where} (a JSON path, or nothing).
 */
final class PtsReadings {
    private final ZoneId zone;
    private final MeterAttribution meters;
    private final String systemField;
    private final String dateField;
    private final ReadingValues values = CsvFeedContract.v1().newValues();

    PtsReadings(ZoneId zone, MeterAttribution meters, String systemField, String dateField) {
        this.zone = zone;
        this.meters = meters;
        this.systemField = systemField;
        this.dateField = dateField;
    }

    void emit(int record, int line, String where, String systemId, String register, String dateTime,
            FeedReader.Sink sink) throws IOException {
        String systemProblem = values.textProblem(systemField, systemId);
        if (systemProblem != null) {
            sink.invalid(new InvalidRecord(record, line, null, null, where + systemProblem));
            return;
        }
        Instant readAt;
        try {
            readAt = PtsLocalTime.resolve(dateTime, zone);
        } catch (IllegalArgumentException | DateTimeException e) {
            sink.invalid(new InvalidRecord(record, line, systemId, null, where + dateField + ": " + e.getMessage()));
            return;
        }
        String meter = meters.meterAt(systemId, readAt);
        if (meter == null) {
            sink.invalid(new InvalidRecord(record, line, systemId, null, where + "system " + systemId
                    + " has no registered meter_serial and no meter exchange, and the payload names no meter"));
            return;
        }
        values.emit(record, line, systemId, meter, readAt.toString(), register, sink);
    }
}
