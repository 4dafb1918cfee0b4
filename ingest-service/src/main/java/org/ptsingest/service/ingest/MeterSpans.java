package org.ptsingest.service.ingest;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Collation;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Row4;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * First and last read_at per meter of a feed, collected while parsing (memory grows with meters, not
 * readings). It bounds which stored readings can be neighbours, and names the systems to load.
 */
final class MeterSpans {
    /** jOOQ view of the temporary table {@link #write} fills ({@link PgCopy#createSpans}). */
    static final Table<Record> TABLE = table(name(PgCopy.SPAN_TABLE));
    static final Field<String> SYSTEM_ID = field(name(PgCopy.SPAN_TABLE, "system_id"), SQLDataType.CLOB);
    static final Field<String> METER_SERIAL = field(name(PgCopy.SPAN_TABLE, "meter_serial"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> FIRST_AT =
            field(name(PgCopy.SPAN_TABLE, "first_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> LAST_AT =
            field(name(PgCopy.SPAN_TABLE, "last_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    /** Code-point order on text, the order {@code StoredNeighbourCursor} walks in. */
    static final Collation C = DSL.collation(name("C"));

    private record Meter(String systemId, String meterSerial) {}

    /**
     * Feeds of at most this many meters (every small post) name their spans inline in the queries, as VALUES
     * under the temporary table's name: creating, filling, analysing and dropping that table cost a small feed
     * several milliseconds of catalog writes, a fifth of its answer time.
     */
    static final int INLINE_MAX = 64;

    private final Map<Meter, Instant[]> spans = new HashMap<>();

    void add(String systemId, String meterSerial, Instant readAt) {
        Instant[] span = spans.computeIfAbsent(new Meter(systemId, meterSerial), m -> new Instant[] {readAt, readAt});
        if (readAt.isBefore(span[0])) {
            span[0] = readAt;
        } else if (readAt.isAfter(span[1])) {
            span[1] = readAt;
        }
    }

    /** A meter's readings from {@code firstAt} to {@code lastAt} (a run of a feed in order names each meter once). */
    void add(String systemId, String meterSerial, Instant firstAt, Instant lastAt) {
        Instant[] span = spans.computeIfAbsent(new Meter(systemId, meterSerial), m -> new Instant[] {firstAt, lastAt});
        if (firstAt.isBefore(span[0])) {
            span[0] = firstAt;
        }
        if (lastAt.isAfter(span[1])) {
            span[1] = lastAt;
        }
    }

    /** Whether the spans go into the queries as VALUES ({@link #inline}) rather than a temporary table. */
    boolean inlined() {
        return !spans.isEmpty() && spans.size() <= INLINE_MAX;
    }

    /** The spans as a VALUES table with the temporary table's name and columns, so the same queries read it. */
    Table<?> inline() {
        List<Row4<String, String, OffsetDateTime, OffsetDateTime>> rows = new ArrayList<>(spans.size());
        spans.forEach((meter, span) -> rows.add(DSL.row(meter.systemId(), meter.meterSerial(),
                span[0].atOffset(ZoneOffset.UTC), span[1].atOffset(ZoneOffset.UTC))));
        @SuppressWarnings("unchecked")
        Row4<String, String, OffsetDateTime, OffsetDateTime>[] array = rows.toArray(new Row4[0]);
        return DSL.values(array).as(PgCopy.SPAN_TABLE, "system_id", "meter_serial", "first_at", "last_at");
    }

    void write(Path file) throws IOException {
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            for (Map.Entry<Meter, Instant[]> e : spans.entrySet()) {
                PgCopy.row(w, e.getKey().systemId(), e.getKey().meterSerial(), e.getValue()[0], e.getValue()[1]);
            }
        }
    }
}
