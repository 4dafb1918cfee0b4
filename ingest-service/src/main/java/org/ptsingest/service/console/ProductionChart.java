package org.ptsingest.service.console;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.ptsingest.rules.MonthProduction;
import org.ptsingest.rules.ProductionBasis;

/**
 * The geometry of a system's monthly production chart, for a server-rendered SVG (no JavaScript): one
 * bar per month, its height in proportion to the largest month shown, coloured by basis (the template's
 * CSS classes {@code bar ACTUAL}, {@code bar PROJECTED}…); months without a value get a short grey tick
 * so the gap shows. Plain arithmetic, tested without a browser.
 */
public record ProductionChart(int width, int height, List<Bar> bars, BigDecimal max, List<ProductionBasis> legend) {
    static final int PLOT_HEIGHT = 160;
    static final int TOP = 10;
    static final int BAR_WIDTH = 22;
    static final int GAP = 6;
    static final int LEFT = 8;

    /** @param label MM/YY under the bar; {@code title} the tooltip (month, kWh, basis) */
    public record Bar(int x, int y, int width, int height, String basis, String label, String title) {}

    public static ProductionChart of(List<MonthProduction> months) {
        BigDecimal max = months.stream().map(MonthProduction::kwh).filter(k -> k != null && k.signum() > 0)
                .max(BigDecimal::compareTo).orElse(BigDecimal.ONE);
        List<Bar> bars = new ArrayList<>();
        List<ProductionBasis> legend = new ArrayList<>();
        int x = LEFT;
        for (MonthProduction m : months) {
            String label = String.format("%02d/%02d", m.month().getMonthValue(), m.month().getYear() % 100);
            int h;
            if (m.kwh() == null || m.kwh().signum() <= 0) {
                h = 2; // no value (OPEN, UNRESOLVED) or nothing produced: a tick marks the month
            } else {
                h = Math.max(2, m.kwh().multiply(BigDecimal.valueOf(PLOT_HEIGHT)).divide(max, 0, RoundingMode.HALF_UP)
                        .intValue());
            }
            String title = m.month() + ": " + (m.kwh() == null ? "no value" : m.kwh().toPlainString() + " kWh")
                    + " (" + m.basis() + ")";
            bars.add(new Bar(x, TOP + PLOT_HEIGHT - h, BAR_WIDTH, h, m.basis().name(), label, title));
            if (!legend.contains(m.basis())) {
                legend.add(m.basis());
            }
            x += BAR_WIDTH + GAP;
        }
        legend.sort(null);
        return new ProductionChart(Math.max(x + LEFT, 200), TOP + PLOT_HEIGHT + 30, bars, max, legend);
    }

    /** Where the month labels sit (below the plot). */
    public int labelY() {
        return TOP + PLOT_HEIGHT + 16;
    }

    public int baseline() {
        return TOP + PLOT_HEIGHT;
    }
}
