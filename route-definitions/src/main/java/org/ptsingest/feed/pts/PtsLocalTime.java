package org.ptsingest.feed.pts;

import org.ptsingest.feed.Echo;
import org.ptsingest.feed.ReadingValues;
import org.ptsingest.feed.TextValues;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.List;

/**
 * PTS clients send local date-times without an offset ({@code 2016-03-01T09:15:02}); they are read in
 * the programme's zone, and the two hours a year where that is not one instant are decided explicitly:
 * a time in the spring-forward gap does not exist and rejects the reading; a time in the fall-back
 * overlap is the earlier of its two instants (the first time the clock showed it). A value that
 * carries an offset is taken as it is.
 */
public final class PtsLocalTime {
    /**
     * ISO local date-time with an optional offset, parsed once: trying {@code OffsetDateTime.parse} first threw
     * (and built a stack trace for) every offset-less value, which is every value PTS clients send.
     */
    private static final DateTimeFormatter LOCAL_OR_OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().parseLenient().appendOffsetId().parseStrict().optionalEnd()
            .toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);

    private PtsLocalTime() {}

    public static Instant resolve(String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("date-time is empty");
        }
        String t = TextValues.trimSpace(text);
        if (t.length() > 64) {
            throw new IllegalArgumentException("date-time " + Echo.quote(t) + " is not yyyy-MM-ddTHH:mm:ss");
        }
        TemporalAccessor parsed;
        try {
            parsed = LOCAL_OR_OFFSET.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("date-time " + Echo.quote(t) + " is not yyyy-MM-ddTHH:mm:ss");
        }
        if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
            return ReadingValues.inDomain(OffsetDateTime.from(parsed).toInstant(), t);
        }
        LocalDateTime local = LocalDateTime.from(parsed);
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("date-time " + Echo.quote(t) + " does not exist in " + zone
                    + " (skipped when clocks went forward)");
        }
        // one offset normally; two in the fall-back hour, ordered earlier instant first
        return ReadingValues.inDomain(local.atOffset(offsets.get(0)).toInstant(), t);
    }
}
