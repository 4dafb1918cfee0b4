package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.ptsingest.service.IngestItSupport;
import org.springframework.beans.factory.annotation.Autowired;

/** The binary COPY against the real PostgreSQL: what goes in is what the columns of {@code reading} hold. */
class BinaryCopyIT extends IngestItSupport {
    @Autowired
    DataSource dataSource;

    record Row(String text, Instant at, BigDecimal kwh, long id, int n, String flag) {}

    @Test
    void valuesAtTheEdgesOfTheirDomainsRoundTrip() throws Exception {
        List<Row> rows = List.of(
                new Row("MA-1003", Instant.parse("2025-03-01T14:15:02Z"), new BigDecimal("5100"), 1, 1, null),
                new Row("Zähler-Ω", Instant.parse("2000-01-01T00:00:00Z"), new BigDecimal("0"), Long.MAX_VALUE, Integer.MAX_VALUE, ""),
                new Row("x", Instant.parse("0001-01-01T00:00:00Z"), new BigDecimal("0.001"), 0, 0, "HIGH_PRODUCTION"),
                new Row("tab\tand\\backslash", Instant.parse("9999-12-31T23:59:59.999999Z"),
                        new BigDecimal("999999999999999.999"), -1, -1, null),
                new Row("y", Instant.parse("1999-12-31T23:59:59.000001Z"), new BigDecimal("10000.5"), 2, 2, null),
                new Row("z", Instant.parse("1970-01-01T00:00:00Z"), new BigDecimal("100.000"), 3, 3, null),
                new Row("w", Instant.parse("2024-02-29T12:00:00Z"), new BigDecimal("1E+5"), 4, 4, null),
                new Row("v", Instant.parse("2024-02-29T12:00:00.5Z"), new BigDecimal("0.00"), 5, 5, null));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE binary_copy_it (t text, at timestamptz, kwh numeric(18,3),"
                        + " id bigint, n integer, flag text) ON COMMIT DROP");
            }
            try (BinaryCopy copy = new BinaryCopy(c, "COPY binary_copy_it (t, at, kwh, id, n, flag) FROM STDIN (FORMAT binary)")) {
                for (Row r : rows) {
                    copy.row(6).text(r.text()).timestamptz(r.at()).numeric(r.kwh()).int8(r.id()).int4(r.n()).text(r.flag());
                }
                copy.finish();
            }
            List<Row> back = new ArrayList<>();
            List<String> kwhText = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT t, at, kwh, id, n, flag, kwh::text FROM binary_copy_it")) {
                while (rs.next()) {
                    back.add(new Row(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                            rs.getBigDecimal(3), rs.getLong(4), rs.getInt(5), rs.getString(6)));
                    kwhText.add(rs.getString(7));
                }
            }
            c.rollback();
            assertThat(back).hasSameSizeAs(rows);
            for (int i = 0; i < rows.size(); i++) {
                Row sent = rows.get(i);
                Row got = back.get(i);
                assertThat(got.text()).isEqualTo(sent.text());
                assertThat(got.at()).isEqualTo(sent.at());
                assertThat(got.kwh()).isEqualByComparingTo(sent.kwh());
                assertThat(got.id()).isEqualTo(sent.id());
                assertThat(got.n()).isEqualTo(sent.n());
                assertThat(got.flag()).isEqualTo(sent.flag());
            }
            // numeric(18,3) keeps three decimals whatever the scale sent, as the text COPY did
            assertThat(kwhText).containsExactly("5100.000", "0.000", "0.001", "999999999999999.999", "10000.500",
                    "100.000", "100000.000", "0.000");
        }
    }

    @Test
    void aCopyClosedUnfinishedStoresNothing() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE binary_copy_cancel (t text) ON COMMIT DROP");
            }
            try (BinaryCopy copy = new BinaryCopy(c, "COPY binary_copy_cancel (t) FROM STDIN (FORMAT binary)")) {
                copy.row(1).text("half a feed");
            }
            c.rollback();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM pg_class WHERE relname = 'binary_copy_cancel'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the transaction, and its table, are gone").isZero();
            }
        }
    }
}
