package org.ptsingest.service.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class MonthsTest {

    @Test
    void aMonthIsFourDigitsOfYearAndTwoOfMonth() {
        assertThat(Months.parse("2026-11")).isEqualTo(YearMonth.of(2026, 11));
        assertThat(Months.parse("0001-01")).isEqualTo(YearMonth.of(1, 1));
        // what YearMonth.parse alone reads, and PostgreSQL's timestamps cannot hold, or is no month at all
        for (String text : new String[] {"+999999999-12", "-999999999-01", "+10000-01", "10000-01", "2026-13",
                "2026-00", "2026-1", "2026-011", "2026/11", " 2026-11", "", "2026-11-01"}) {
            assertThatThrownBy(() -> Months.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
        assertThatThrownBy(() -> Months.parse(null)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void aDayParameterIsInTheYearsOneToNineThousandNineHundredNinetyNine() {
        assertThat(Months.inRange(null)).isTrue();
        assertThat(Months.inRange(LocalDate.of(1, 1, 1))).isTrue();
        assertThat(Months.inRange(LocalDate.of(9999, 12, 31))).isTrue();
        assertThat(Months.inRange(LocalDate.of(0, 12, 31))).isFalse();
        assertThat(Months.inRange(LocalDate.of(10000, 1, 1))).isFalse();
        assertThat(Months.inRange(LocalDate.MIN)).isFalse();
        assertThat(Months.inRange(LocalDate.MAX)).isFalse();
    }
}
