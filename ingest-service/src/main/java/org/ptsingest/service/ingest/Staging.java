package org.ptsingest.service.ingest;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import org.jooq.Collation;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** jOOQ view of the per-feed temporary table created by {@link PgCopy#createSpans}. */
final class Staging {
    /** One row per meter the feed touches, with its first and last read_at. */
    static final Table<Record> SPANS = table(name(PgCopy.SPAN_TABLE));
    static final Field<String> SPAN_SYSTEM_ID = field(name(PgCopy.SPAN_TABLE, "system_id"), SQLDataType.CLOB);
    static final Field<String> SPAN_METER_SERIAL = field(name(PgCopy.SPAN_TABLE, "meter_serial"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> SPAN_FIRST_AT =
            field(name(PgCopy.SPAN_TABLE, "first_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> SPAN_LAST_AT =
            field(name(PgCopy.SPAN_TABLE, "last_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    /** Code-point order on text, the order {@code StoredNeighbourCursor} walks in. */
    static final Collation C = DSL.collation(name("C"));

    private Staging() {}
}
