package org.ptsingest.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A system's monthly production from its readings, exactly as issue 12 states the rules (README,
 * "Production"):
 * <ol>
 *   <li><b>System register</b>: the first meter as read; at a meter exchange the new meter's readings are
 *       shifted by {@code old_final_kwh − new_initial_kwh} plus the previous shift. Readings of the old meter
 *       after the exchange instant, or of the new meter before it, are not used. A reading of a meter that
 *       no exchange explains makes every month from its local month on {@link ProductionBasis#UNRESOLVED}.</li>
 *   <li><b>Close</b> C(M), for months whose window has ended: the register exactly on B(M); else linear
 *       interpolation at B(M) between the window's latest reading before and earliest after; else the
 *       window's reading nearest to B(M) (earlier on a tie); else none. 3 decimals, half-up.</li>
 *   <li><b>Production</b> P(M) for the months after the first close: ACTUAL, PRORATED (closed gap),
 *       PROJECTED (open gap, window ended), OPEN (window not ended), ADJUSTED (ops).</li>
 * </ol>
 * A close inside a window that has not ended is not a close yet: more readings may still come into that
 * window, and its month is OPEN; so values change only when data, registry or ops change, or a window ends.
 */
public final class ProductionRules {
    private static final int KWH_SCALE = 3;

    private final ReportingWindow window;
    private final List<BigDecimal> expectedYield;

    /**
     * @param expectedYield Y, expected kWh per kW DC for January … December
     */
    public ProductionRules(ReportingWindow window, List<BigDecimal> expectedYield) {
        if (expectedYield.size() != 12) {
            throw new IllegalArgumentException("expected yield needs twelve values, has " + expectedYield.size());
        }
        this.window = window;
        this.expectedYield = List.copyOf(expectedYield);
    }

    public ReportingWindow window() {
        return window;
    }

    /**
     * What the rules read about one system.
     *
     * @param readings its used readings (stored: accepted, and flagged unless ops rejected them), any order
     * @param exchanges its registered meter exchanges, any order
     * @param adjustments ops' adjustments in force, by month
     */
    public record SystemHistory(BigDecimal dcCapacityKw, List<StoredReading> readings, List<MeterExchange> exchanges,
            Map<YearMonth, ProductionAdjustment> adjustments) {}

    /** Every month of the ledger at {@code now}, in month order. */
    public List<MonthProduction> months(SystemHistory system, Instant now) {
        Register register = register(system.readings(), system.exchanges());
        YearMonth unresolvedFrom = register.unresolvedAt() == null ? null
                : YearMonth.from(register.unresolvedAt().atZone(window.zone()));
        NavigableMap<YearMonth, BigDecimal> closes = closes(register.points(), now, unresolvedFrom);
        YearMonth current = YearMonth.from(now.atZone(window.zone()));

        TreeMap<YearMonth, MonthProduction> ledger = new TreeMap<>();
        YearMonth start = closes.isEmpty() ? unresolvedFrom : closes.firstKey().plusMonths(1);
        if (start != null && unresolvedFrom != null && unresolvedFrom.isBefore(start)) {
            start = unresolvedFrom;
        }
        for (YearMonth m = start; m != null && !m.isAfter(current); m = m.plusMonths(1)) {
            ledger.put(m, month(m, system, closes, unresolvedFrom, register.unresolvedReason(), now));
        }
        for (ProductionAdjustment a : system.adjustments().values()) {
            ledger.put(a.month(), new MonthProduction(a.month(), kwh(a.kwh()), ProductionBasis.ADJUSTED,
                    closes.get(a.month()), a.reason()));
        }
        return List.copyOf(ledger.values());
    }

    private MonthProduction month(YearMonth m, SystemHistory system, NavigableMap<YearMonth, BigDecimal> closes,
            YearMonth unresolvedFrom, String unresolvedReason, Instant now) {
        if (unresolvedFrom != null && !m.isBefore(unresolvedFrom)) {
            return new MonthProduction(m, null, ProductionBasis.UNRESOLVED, null, unresolvedReason);
        }
        if (!window.ended(m, now)) {
            return new MonthProduction(m, null, ProductionBasis.OPEN, null, null);
        }
        BigDecimal close = closes.get(m);
        BigDecimal previous = closes.get(m.minusMonths(1));
        if (close != null && previous != null) {
            return new MonthProduction(m, close.subtract(previous), ProductionBasis.ACTUAL, close, null);
        }
        YearMonth a = closes.lowerKey(m); // exists: m is after the first close
        YearMonth b = closes.ceilingKey(m);
        if (b != null) {
            return new MonthProduction(m, prorated(m, a, b, closes), ProductionBasis.PRORATED, close, null);
        }
        return new MonthProduction(m, projected(m, a, system, closes), ProductionBasis.PROJECTED, null, null);
    }

    /**
     * Month m's share of the closed gap a … b: C(b) − C(a) shared by months a+1 … b in proportion to Y,
     * each share rounded to 3 decimals half-up, the last month taking the remainder.
     */
    private BigDecimal prorated(YearMonth m, YearMonth a, YearMonth b, NavigableMap<YearMonth, BigDecimal> closes) {
        BigDecimal difference = closes.get(b).subtract(closes.get(a));
        BigDecimal totalYield = BigDecimal.ZERO;
        for (YearMonth g = a.plusMonths(1); !g.isAfter(b); g = g.plusMonths(1)) {
            totalYield = totalYield.add(yieldOf(g));
        }
        BigDecimal shared = BigDecimal.ZERO;
        for (YearMonth g = a.plusMonths(1); g.isBefore(b); g = g.plusMonths(1)) {
            BigDecimal share = difference.multiply(yieldOf(g)).divide(totalYield, KWH_SCALE, RoundingMode.HALF_UP);
            if (g.equals(m)) {
                return share;
            }
            shared = shared.add(share);
        }
        return kwh(difference.subtract(shared));
    }

    /**
     * DC kW × Y(M) × r, r = Σ P / Σ (DC kW × Y) over the up-to-12 most recent ACTUAL months up to the gap's
     * last close {@code a}; r = 1 with fewer than 3. One division at the end, so the rounding is exact.
     */
    private BigDecimal projected(YearMonth m, YearMonth a, SystemHistory system,
            NavigableMap<YearMonth, BigDecimal> closes) {
        BigDecimal dc = system.dcCapacityKw();
        BigDecimal produced = BigDecimal.ZERO;
        BigDecimal expected = BigDecimal.ZERO;
        int actualMonths = 0;
        for (YearMonth g = a; actualMonths < 12 && g != null; g = closes.lowerKey(g)) {
            BigDecimal previous = closes.get(g.minusMonths(1));
            if (previous != null && !system.adjustments().containsKey(g)) {
                produced = produced.add(closes.get(g).subtract(previous));
                expected = expected.add(dc.multiply(yieldOf(g)));
                actualMonths++;
            }
        }
        BigDecimal capacityYield = dc.multiply(yieldOf(m));
        if (actualMonths < 3) {
            return kwh(capacityYield);
        }
        return capacityYield.multiply(produced).divide(expected, KWH_SCALE, RoundingMode.HALF_UP);
    }

    private BigDecimal yieldOf(YearMonth m) {
        return expectedYield.get(m.getMonthValue() - 1);
    }

    /** C(M) for every month whose window has ended and holds used readings (before an unresolved meter's month). */
    private NavigableMap<YearMonth, BigDecimal> closes(List<Point> points, Instant now, YearMonth unresolvedFrom) {
        TreeMap<YearMonth, List<Point>> byWindow = new TreeMap<>();
        for (Point p : points) {
            YearMonth m = window.windowAt(p.at());
            if (m != null && window.ended(m, now) && (unresolvedFrom == null || m.isBefore(unresolvedFrom))) {
                byWindow.computeIfAbsent(m, k -> new ArrayList<>()).add(p);
            }
        }
        TreeMap<YearMonth, BigDecimal> closes = new TreeMap<>();
        byWindow.forEach((m, inWindow) -> closes.put(m, close(window.boundary(m), inWindow)));
        return closes;
    }

    /** C(M) from the window's points in instant order (never empty). */
    static BigDecimal close(Instant boundary, List<Point> inWindow) {
        Point before = null;
        Point after = null;
        Point exact = null;
        for (Point p : inWindow) {
            int c = p.at().compareTo(boundary);
            if (c < 0) {
                before = p;
            } else if (c == 0) {
                exact = p; // at an exchange instant both meters may read; the later (new meter's) one counts
            } else if (after == null) {
                after = p;
            }
        }
        if (exact != null) {
            return kwh(exact.kwh());
        }
        if (before != null && after != null) {
            BigDecimal span = nanos(before.at(), after.at());
            BigDecimal elapsed = nanos(before.at(), boundary);
            // (r_before × span + (r_after − r_before) × elapsed) / span, divided once so half-up is exact
            return before.kwh().multiply(span).add(after.kwh().subtract(before.kwh()).multiply(elapsed))
                    .divide(span, KWH_SCALE, RoundingMode.HALF_UP);
        }
        // Only one side holds readings: the nearest is the latest before or the earliest after.
        return kwh(before != null ? before.kwh() : after.kwh());
    }

    private static BigDecimal nanos(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return BigDecimal.valueOf(d.getSeconds()).movePointRight(9).add(BigDecimal.valueOf(d.getNano()));
    }

    private static BigDecimal kwh(BigDecimal value) {
        return value.setScale(KWH_SCALE, RoundingMode.HALF_UP);
    }

    /**
     * A used reading on the system register: its instant and its register shifted by the exchanges before
     * it; {@code period} counts those exchanges (orders the two meters' readings at an exchange instant).
     */
    record Point(Instant at, BigDecimal kwh, int period) {}

    /**
     * The system register: used readings in instant order, cut before the first reading no exchange
     * explains ({@code unresolvedAt}, null when every reading is explained).
     */
    record Register(List<Point> points, Instant unresolvedAt, String unresolvedReason) {}

    static Register register(List<StoredReading> readings, List<MeterExchange> exchanges) {
        List<StoredReading> inOrder = new ArrayList<>(readings);
        // by instant; at one instant, meter order keeps the outcome independent of the input's order
        inOrder.sort(Comparator.comparing(StoredReading::readAt).thenComparing(StoredReading::meterSerial));
        List<MeterExchange> chain = new ArrayList<>(exchanges);
        chain.sort(Comparator.comparing(MeterExchange::exchangedAt));
        // shifts.get(i): the shift in force from exchange i on (index 0: before the first exchange)
        List<BigDecimal> shifts = new ArrayList<>();
        shifts.add(BigDecimal.ZERO);
        for (MeterExchange e : chain) {
            shifts.add(shifts.getLast().add(e.oldFinalKwh()).subtract(e.newInitialKwh()));
        }
        String firstMeter = chain.isEmpty() ? (inOrder.isEmpty() ? null : inOrder.getFirst().meterSerial())
                : chain.getFirst().oldMeterSerial();

        List<Point> points = new ArrayList<>();
        for (StoredReading r : inOrder) {
            int period = period(chain, r.readAt()); // exchanges at or before the reading
            String installed = period == 0 ? firstMeter : chain.get(period - 1).newMeterSerial();
            if (r.meterSerial().equals(installed)) {
                points.add(new Point(r.readAt(), r.registerKwh().add(shifts.get(period)), period));
            } else if (period > 0 && chain.get(period - 1).exchangedAt().equals(r.readAt())
                    && chain.get(period - 1).oldMeterSerial().equals(r.meterSerial())) {
                // the old meter's reading at the exchange instant itself: not after it, so it is used
                points.add(new Point(r.readAt(), r.registerKwh().add(shifts.get(period - 1)), period - 1));
            } else if (!inChain(chain, r.meterSerial())) {
                String reason = "meter " + r.meterSerial() + " reads from " + r.readAt() + " beside meter " + installed
                        + " with no meter exchange registered between them";
                return new Register(points, r.readAt(), reason);
            }
            // else: a meter of the chain outside its own period (old after, new before its exchange): not used
        }
        points.sort(Comparator.comparing(Point::at).thenComparingInt(Point::period)); // the old meter's first
        return new Register(points, null, null);
    }

    private static int period(List<MeterExchange> chain, Instant t) {
        int n = 0;
        while (n < chain.size() && !chain.get(n).exchangedAt().isAfter(t)) {
            n++;
        }
        return n;
    }

    private static boolean inChain(List<MeterExchange> chain, String meterSerial) {
        return chain.stream().anyMatch(e -> e.oldMeterSerial().equals(meterSerial) || e.newMeterSerial().equals(meterSerial));
    }
}
