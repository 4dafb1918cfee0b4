package org.ptsingest.feed.pts;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
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
    // A payload repeats the same few date-times for every system (monthly readings): each distinct text is
    // resolved in the zone once.
    private final Map<String, Instant> resolved = new HashMap<>();

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
            readAt = resolved.get(dateTime);
            if (readAt == null) {
                readAt = PtsLocalTime.resolve(dateTime, zone);
                if (resolved.size() >= 8192) {
                    resolved.clear();
                }
                resolved.put(dateTime, readAt);
            }
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
        values.emit(record, line, systemId, meter, readAt, register, sink);
    }
}
