package org.ptsingest.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which meter of a system is installed at an instant t: the new meter of its latest exchange at or
 * before t; else the old meter of its earliest exchange after t; else its registered meter, if any;
 * else none is known and every meter counts as installed. So the exchange instant itself already
 * belongs to the new meter (the old meter's final register travels in the exchange, not as a reading).
 */
public final class InstalledMeters {
    /** No registered meter, no exchange: every meter counts as installed. */
    public static final InstalledMeters ANY = new InstalledMeters(null, List.of());

    private final String registeredMeter;
    private final List<MeterExchange> exchanges;

    private InstalledMeters(String registeredMeter, List<MeterExchange> byTime) {
        this.registeredMeter = registeredMeter;
        this.exchanges = byTime;
    }

    /** @param registeredMeter the system's registered meter_serial, or null */
    public static InstalledMeters of(String registeredMeter, Collection<MeterExchange> exchanges) {
        if (registeredMeter == null && exchanges.isEmpty()) {
            return ANY;
        }
        List<MeterExchange> byTime = new ArrayList<>(exchanges);
        byTime.sort(Comparator.comparing(MeterExchange::exchangedAt));
        return new InstalledMeters(registeredMeter, List.copyOf(byTime));
    }

    /** The meter installed at {@code t}, or null when every meter counts as installed. */
    public String at(Instant t) {
        MeterExchange latest = latestAtOrBefore(t);
        if (latest != null) {
            return latest.newMeterSerial();
        }
        return exchanges.isEmpty() ? registeredMeter : exchanges.get(0).oldMeterSerial();
    }

    public boolean installed(String meterSerial, Instant t) {
        String meter = at(t);
        return meter == null || meter.equals(meterSerial);
    }

    /** The installed meter at {@code t} and what makes it so, for a reading's outcome message. */
    public String explain(Instant t) {
        MeterExchange latest = latestAtOrBefore(t);
        if (latest != null) {
            return latest.newMeterSerial() + " (installed by the exchange at " + latest.exchangedAt() + ")";
        }
        if (!exchanges.isEmpty()) {
            return exchanges.get(0).oldMeterSerial() + " (until the exchange at " + exchanges.get(0).exchangedAt() + ")";
        }
        return registeredMeter == null ? "any meter" : registeredMeter + " (the registered meter)";
    }

    /** The system's exchanges in time order. */
    public List<MeterExchange> exchanges() {
        return exchanges;
    }

    public String registeredMeter() {
        return registeredMeter;
    }

    private MeterExchange latestAtOrBefore(Instant t) {
        int lo = 0;
        int hi = exchanges.size() - 1;
        MeterExchange found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MeterExchange e = exchanges.get(mid);
            if (e.exchangedAt().isAfter(t)) {
                hi = mid - 1;
            } else {
                found = e;
                lo = mid + 1;
            }
        }
        return found;
    }
}
