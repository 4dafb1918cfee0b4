package org.ptsingest.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.ParsedReading;

/**
 * Gives each readable reading of one feed exactly one outcome code. Call {@link #judge} in
 * (system_id, meter_serial, read_at, line) order: a reading is judged against the nearest
 * <em>accepted</em> earlier reading of its meter (stored, or accepted earlier in this feed) and
 * against the nearest stored later reading. Rejected readings are never anyone's neighbour;
 * flagged ones are. Codes are tried in the precedence order of {@link OutcomeCode}.
 */
public final class ReadingJudge {
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private final RuleSettings settings;
    private RegistrySnapshot registry;
    private final Instant latestAllowed;
    private final BigDecimal reviewFactor;

    // State of the meter being walked.
    private String systemId;
    private String meterSerial;
    private StoredReading lastAcceptedInFeed;
    private Instant keyAt;
    private BigDecimal keyValue;

    public ReadingJudge(RuleSettings settings, RegistrySnapshot registry, Instant receivedAt) {
        this.settings = settings;
        this.registry = registry;
        this.latestAllowed = receivedAt.plus(settings.futureTolerance());
        this.reviewFactor = BigDecimal.valueOf(settings.highProductionCapacityFactor());
    }

    /**
     * Goes on with another slice of the registry, for a feed judged in batches while it is still being parsed:
     * each batch's slice names the systems of that batch, and the meter being walked carries over from the
     * batch before (same provider, same rules).
     */
    public void registry(RegistrySnapshot next) {
        if (!next.providerId().equals(registry.providerId())) {
            throw new IllegalArgumentException("a feed is judged for one provider: " + registry.providerId()
                    + ", not " + next.providerId());
        }
        this.registry = next;
    }

    public Verdict judge(ParsedReading r, Neighbours stored) {
        if (!r.systemId().equals(systemId) || !r.meterSerial().equals(meterSerial)) {
            systemId = r.systemId();
            meterSerial = r.meterSerial();
            lastAcceptedInFeed = null;
            keyAt = null;
        }
        boolean repeatOfEarlierLine = r.readAt().equals(keyAt);
        Verdict verdict = judgeOne(r, stored, repeatOfEarlierLine);
        if (!repeatOfEarlierLine) {
            keyAt = r.readAt();
            keyValue = r.registerKwh();
        }
        if (verdict.code().stores()) {
            lastAcceptedInFeed = new StoredReading(r.systemId(), r.meterSerial(), r.readAt(), r.registerKwh());
        }
        return verdict;
    }

    private Verdict judgeOne(ParsedReading r, Neighbours stored, boolean repeatOfEarlierLine) {
        SystemInfo system = registry.system(r.systemId());
        if (system == null) {
            return new Verdict(OutcomeCode.UNKNOWN_SYSTEM, "system " + r.systemId() + " is not registered");
        }
        LocalDate day = r.readAt().atZone(settings.zone()).toLocalDate();
        if (!registry.designated(r.systemId(), day)) {
            return new Verdict(OutcomeCode.NOT_DESIGNATED_REPORTER,
                    "provider " + registry.providerId() + " is not the designated reporter of " + r.systemId() + " on " + day);
        }
        if (system.dcCapacityKw().compareTo(settings.dasThresholdKw()) > 0 && !registry.provider().approvedOn(day)) {
            return new Verdict(OutcomeCode.DAS_MANDATE, r.systemId() + " is " + plain(system.dcCapacityKw())
                    + " kW DC, above the " + plain(settings.dasThresholdKw())
                    + " kW DAS threshold, and the reporter was not an approved DAS provider on " + day);
        }
        if (r.readAt().isAfter(latestAllowed)) {
            return new Verdict(OutcomeCode.FUTURE_READING, "read_at " + r.readAt() + " is after the feed was received");
        }
        if (day.isBefore(system.interconnectedOn())) {
            return new Verdict(OutcomeCode.BEFORE_INTERCONNECTION, "read_at " + r.readAt() + " is before "
                    + r.systemId() + " was interconnected on " + system.interconnectedOn());
        }
        if (!system.meters().installed(r.meterSerial(), r.readAt())) {
            return new Verdict(OutcomeCode.METER_NOT_INSTALLED, "meter " + r.meterSerial() + " is not installed on "
                    + r.systemId() + " at " + r.readAt() + "; the installed meter is " + system.meters().explain(r.readAt()));
        }
        if (repeatOfEarlierLine) {
            return sameInstant(r, keyValue, "an earlier line of this feed");
        }
        if (stored.same() != null) {
            return sameInstant(r, stored.same().registerKwh(), "the stored reading");
        }
        StoredReading before = later(stored.before(), lastAcceptedInFeed);
        StoredReading after = stored.after();
        if (before != null && r.registerKwh().compareTo(before.registerKwh()) < 0) {
            return new Verdict(OutcomeCode.REGISTER_DECREASED, "register " + plain(r.registerKwh())
                    + " kWh is below " + plain(before.registerKwh()) + " kWh read at " + before.readAt());
        }
        if (after != null && r.registerKwh().compareTo(after.registerKwh()) > 0) {
            return new Verdict(OutcomeCode.REGISTER_DECREASED, "register " + plain(r.registerKwh())
                    + " kWh is above " + plain(after.registerKwh()) + " kWh stored for the later " + after.readAt());
        }
        Verdict sinceBefore = capacity(system, before, r.readAt(), r.registerKwh());
        Verdict untilAfter = after == null ? null : capacity(system,
                new StoredReading(r.systemId(), r.meterSerial(), r.readAt(), r.registerKwh()),
                after.readAt(), after.registerKwh());
        return first(first(sinceBefore, untilAfter), Verdict.ACCEPTED);
    }

    private static Verdict sameInstant(ParsedReading r, BigDecimal existing, String what) {
        if (existing.compareTo(r.registerKwh()) == 0) {
            return new Verdict(OutcomeCode.DUPLICATE, "identical to " + what + " at " + r.readAt());
        }
        return new Verdict(OutcomeCode.CONFLICTING_READING, "register " + plain(r.registerKwh()) + " kWh differs from "
                + plain(existing) + " kWh of " + what + " at " + r.readAt() + "; the first stands");
    }

    /**
     * Hard ceiling (CAPACITY_EXCEEDED) over any interval; review ceiling (HIGH_PRODUCTION) over long
     * ones. Compared exactly in decimal (kWh x 3600 against kW x seconds), so a reading exactly at a
     * ceiling passes whatever binary floating point would make of it.
     */
    private Verdict capacity(SystemInfo system, StoredReading from, Instant to, BigDecimal toKwh) {
        if (from == null) {
            return null;
        }
        Duration length = Duration.between(from.readAt(), to);
        BigDecimal produced = toKwh.subtract(from.registerKwh());
        BigDecimal producedKws = produced.multiply(SECONDS_PER_HOUR);
        BigDecimal ceilingKws = system.dcCapacityKw().multiply(BigDecimal.valueOf(length.toMillis()))
                .movePointLeft(3);
        double hours = length.toMillis() / 3_600_000.0;
        // the messages' texts are built only for a verdict: formatting two instants per reading was a tenth of
        // a large feed's judging
        if (producedKws.compareTo(ceilingKws) > 0) {
            String interval = from.readAt() + " to " + to;
            return new Verdict(OutcomeCode.CAPACITY_EXCEEDED, String.format(Locale.ROOT,
                    "%s kWh from %s exceeds %s kW DC x %.2f h = %.3f kWh", plain(produced), interval,
                    plain(system.dcCapacityKw()), hours, system.dcCapacityKw().doubleValue() * hours));
        }
        if (length.compareTo(settings.highProductionMinInterval()) >= 0
                && producedKws.compareTo(ceilingKws.multiply(reviewFactor)) > 0) {
            String interval = from.readAt() + " to " + to;
            return new Verdict(OutcomeCode.HIGH_PRODUCTION, String.format(Locale.ROOT,
                    "capacity factor %.1f %% from %s is above the %s %% review ceiling",
                    produced.doubleValue() / (system.dcCapacityKw().doubleValue() * hours) * 100, interval,
                    plain(reviewFactor.movePointRight(2).stripTrailingZeros())));
        }
        return null;
    }

    /** The verdict whose code comes first in precedence order; nulls lose. */
    private static Verdict first(Verdict a, Verdict b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.code().ordinal() <= b.code().ordinal() ? a : b;
    }

    private static StoredReading later(StoredReading a, StoredReading b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.readAt().isAfter(b.readAt()) ? a : b;
    }

    private static String plain(BigDecimal d) {
        return d.toPlainString();
    }
}
