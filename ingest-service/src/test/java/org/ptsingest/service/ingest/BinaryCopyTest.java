package org.ptsingest.service.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's binary numeric and timestamptz, expectations written from the format (base-10000 groups,
 * weight = power of 10000 of the first group, dscale = decimals; microseconds since 2000-01-01Z).
 */
class BinaryCopyTest {

    /** {ndigits, weight, sign, dscale} followed by the groups. */
    private static short[] encode(String decimal) {
        short[] header = new short[4];
        short[] digits = BinaryCopy.numericDigits(new BigDecimal(decimal), header);
        short[] all = new short[4 + digits.length];
        System.arraycopy(header, 0, all, 0, 4);
        System.arraycopy(digits, 0, all, 4, digits.length);
        return all;
    }

    private static short[] s(int... values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (short) values[i];
        }
        return out;
    }

    @Test
    void numericGroupsDigitsInFoursAroundThePoint() {
        // 1234.567 = 1234 | .5670: two groups, the first just before the point
        assertThat(encode("1234.567")).containsExactly(s(2, 0, 0, 3, 1234, 5670));
        // 12345.6 = 1 | 2345 | .6000
        assertThat(encode("12345.6")).containsExactly(s(3, 1, 0, 1, 1, 2345, 6000));
        // the largest numeric(18,3): 999 | 9999 | 9999 | 9999 | .9990
        assertThat(encode("999999999999999.999")).containsExactly(s(5, 3, 0, 3, 999, 9999, 9999, 9999, 9990));
    }

    @Test
    void numericLeavesOutLeadingAndTrailingZeroGroups() {
        // 0.5: no integer group; the first group is the first after the point (weight -1)
        assertThat(encode("0.5")).containsExactly(s(1, -1, 0, 1, 5000));
        // 0.001 = .0010
        assertThat(encode("0.001")).containsExactly(s(1, -1, 0, 3, 10));
        // 0.00001 = .0000 | 1000: the first non-zero group is the second after the point
        assertThat(encode("0.00001")).containsExactly(s(1, -2, 0, 5, 1000));
        // 10000 = 1 | 0000: the zero group after it is left out, the weight keeps its place
        assertThat(encode("10000")).containsExactly(s(1, 1, 0, 0, 1));
        // 100.000 keeps its three decimals in dscale, not in groups
        assertThat(encode("100.000")).containsExactly(s(1, 0, 0, 3, 100));
    }

    @Test
    void numericZeroHasNoGroupsAndKeepsItsScale() {
        assertThat(encode("0")).containsExactly(s(0, 0, 0, 0));
        assertThat(encode("0.000")).containsExactly(s(0, 0, 0, 3));
    }

    @Test
    void numericWithANegativeScaleIsWrittenAsTheIntegerItIs() {
        // 1E+5 = 100000 = 10 | 0000
        assertThat(encode("1E+5")).containsExactly(s(1, 1, 0, 0, 10));
    }

    @Test
    void numericBeyondALongStillEncodes() {
        // 20 integer digits: 1234 | 5678 | 9012 | 3456 | 7890 | .1000 (more than a long holds once aligned)
        assertThat(encode("12345678901234567890.1")).containsExactly(s(6, 4, 0, 1, 1234, 5678, 9012, 3456, 7890, 1000));
    }

    @Test
    void negativeNumericsAreSigned() {
        assertThat(encode("-2.5")).containsExactly(s(2, 0, 0x4000, 1, 2, 5000));
    }

    @Test
    void timestampsAreMicrosecondsSince2000() {
        assertThat(BinaryCopy.micros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(BinaryCopy.micros(Instant.parse("2000-01-01T00:00:01.000002Z"))).isEqualTo(1_000_002L);
        // one day before: 86,400 s
        assertThat(BinaryCopy.micros(Instant.parse("1999-12-31T00:00:00Z"))).isEqualTo(-86_400_000_000L);
        // the Unix epoch is 10,957 days before (30 years, 7 of them leap years)
        assertThat(BinaryCopy.micros(Instant.EPOCH)).isEqualTo(-10_957L * 86_400 * 1_000_000);
    }
}
