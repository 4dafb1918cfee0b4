package org.ptsingest.service.ingest;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * A {@code COPY … FROM STDIN (FORMAT binary)} written field by field: the bulk path of accepted readings.
 *
 * <p>Why binary: in text format PostgreSQL parses every timestamp and decimal again (the date-time parser
 * is a large part of a COPY's server time), and we format them first ({@code Instant.toString()},
 * {@code BigDecimal.toPlainString()}, escaping). Binary fields are the server's own representations:
 * a timestamptz is microseconds since 2000-01-01 UTC, a numeric is its base-10000 digits. Format:
 * PostgreSQL's documentation, "COPY — Binary Format", and {@code numeric_recv} in {@code numeric.c}.
 *
 * <p>Each row is {@link #row(int)} followed by exactly that many fields. Closing without {@link #finish()}
 * cancels the COPY, which fails the transaction (a failed COPY cannot be resumed).
 */
final class BinaryCopy implements AutoCloseable {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in microseconds after 1970's. */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final short NUMERIC_POSITIVE = 0x0000;
    private static final short NUMERIC_NEGATIVE = 0x4000;
    private static final BigInteger NBASE = BigInteger.valueOf(10_000);
    private static final long[] LONG_TEN_POWERS = {1, 10, 100, 1_000};

    private final PGCopyOutputStream copy;
    private final DataOutputStream out;
    private boolean finished;

    BinaryCopy(Connection c, String copyFromStdinBinary) throws SQLException, IOException {
        this.copy = new PGCopyOutputStream(c.unwrap(PGConnection.class), copyFromStdinBinary, 1 << 16);
        this.out = new DataOutputStream(new BufferedOutputStream(copy, 1 << 16));
        out.write(SIGNATURE);
        out.writeInt(0); // flags: no OIDs
        out.writeInt(0); // no header extension
    }

    /** Starts a row of {@code fields} fields. */
    BinaryCopy row(int fields) throws IOException {
        out.writeShort(fields);
        return this;
    }

    BinaryCopy nullField() throws IOException {
        out.writeInt(-1);
        return this;
    }

    /** text: UTF-8 bytes (the database's encoding; the value domains keep NUL out). Null writes NULL. */
    BinaryCopy text(String value) throws IOException {
        if (value == null) {
            return nullField();
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
        return this;
    }

    BinaryCopy int4(int value) throws IOException {
        out.writeInt(4);
        out.writeInt(value);
        return this;
    }

    BinaryCopy int8(long value) throws IOException {
        out.writeInt(8);
        out.writeLong(value);
        return this;
    }

    /** timestamptz: microseconds since 2000-01-01T00:00:00Z (the value domain keeps whole microseconds). */
    BinaryCopy timestamptz(Instant at) throws IOException {
        out.writeInt(8);
        out.writeLong(micros(at));
        return this;
    }

    BinaryCopy numeric(BigDecimal value) throws IOException {
        short[] header = new short[4];
        short[] digits = numericDigits(value, header);
        out.writeInt(8 + 2 * digits.length);
        for (short h : header) {
            out.writeShort(h);
        }
        for (short d : digits) {
            out.writeShort(d);
        }
        return this;
    }

    /** Ends the COPY (trailer, flush); throws the server's error if it refused a row. */
    void finish() throws IOException {
        out.writeShort(-1);
        out.close(); // flushes and ends the COPY
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (!finished && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException e) {
                throw new IOException("cannot cancel the COPY", e);
            }
        }
    }

    static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000) - PG_EPOCH_MICROS;
    }

    /**
     * PostgreSQL's numeric in its wire form: {@code header} receives ndigits, weight, sign and dscale; the
     * result is the base-10000 digits, most significant first, without leading or trailing zero groups.
     * The weight is the power of 10000 of the first group (0 for the group just before the point).
     */
    static short[] numericDigits(BigDecimal value, short[] header) {
        BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
        int dscale = v.scale();
        BigInteger unscaled = v.unscaledValue();
        short sign = unscaled.signum() < 0 ? NUMERIC_NEGATIVE : NUMERIC_POSITIVE;
        unscaled = unscaled.abs();
        // Shift the decimal point to a group boundary: pad the fraction to a multiple of 4 digits.
        int fractionGroups = (dscale + 3) / 4;
        int pad = fractionGroups * 4 - dscale; // 0 to 3 zeros
        // Base-10000 groups of unscaled * 10^pad, least significant first: sum(groups[i] * 10000^(i - fractionGroups)).
        // 10000 > 2^13: each group takes at least 13 bits, so this many groups always suffice (10 bits for the padding).
        short[] groups = new short[(unscaled.bitLength() + 10) / 13 + 2];
        int size = 0;
        if (unscaled.bitLength() < 53) {
            // every register (15 integer digits and 3 decimals at most) takes this path: longs, no BigInteger arithmetic
            for (long rest = unscaled.longValue() * LONG_TEN_POWERS[pad]; rest > 0; rest /= 10_000) {
                groups[size++] = (short) (rest % 10_000);
            }
        } else {
            for (BigInteger rest = unscaled.multiply(BigInteger.TEN.pow(pad)); rest.signum() > 0; ) {
                BigInteger[] qr = rest.divideAndRemainder(NBASE);
                groups[size++] = qr[1].shortValueExact();
                rest = qr[0];
            }
        }
        int low = 0; // trailing zero groups (least significant) are left out, as PostgreSQL does
        while (low < size && groups[low] == 0) {
            low++;
        }
        int n = size - low;
        short[] digits = new short[n];
        for (int i = 0; i < n; i++) {
            digits[i] = groups[size - 1 - i];
        }
        header[0] = (short) n;
        header[1] = n == 0 ? 0 : (short) (size - 1 - fractionGroups);
        header[2] = n == 0 ? NUMERIC_POSITIVE : sign;
        header[3] = (short) dscale;
        return digits;
    }
}
