package org.ptsingest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ptsingest.feed.OutcomeCode;
import org.ptsingest.feed.ParsedReading;

class ReadingJudgeTest {
    static final Instant RECEIVED = Instant.parse("2025-06-10T12:00:00Z");
    static final RuleSettings RULES = RuleSettings.defaults();

    // sys-small: 8.5 kW; sys-big: 250 kW; sys-edge: exactly the 10 kW threshold.
    static final RegistrySnapshot REGISTRY = new RegistrySnapshot("das",
            new ProviderHistory(Map.of(
                    LocalDate.parse("2015-01-01"), ProviderStatus.APPROVED,
                    LocalDate.parse("2019-03-01"), ProviderStatus.SUSPENDED,
                    LocalDate.parse("2019-06-01"), ProviderStatus.APPROVED)),
            Map.of("sys-small", new SystemInfo("sys-small", new BigDecimal("8.5"), LocalDate.parse("2016-02-15")),
                    "sys-big", new SystemInfo("sys-big", new BigDecimal("250"), LocalDate.parse("2018-06-01")),
                    "sys-edge", new SystemInfo("sys-edge", new BigDecimal("10"), LocalDate.parse("2018-06-01")),
                    "sys-other", new SystemInfo("sys-other", new BigDecimal("5"), LocalDate.parse("2018-06-01"))),
            Map.of("sys-small", List.of(new Designation(LocalDate.parse("2016-01-01"), null)),
                    "sys-big", List.of(new Designation(LocalDate.parse("2018-06-01"), null)),
                    "sys-edge", List.of(new Designation(LocalDate.parse("2018-06-01"), LocalDate.parse("2024-12-31")))));

    static ParsedReading reading(int line, String system, String at, String kwh) {
        return new ParsedReading(line - 1, line, system, "M1", Instant.parse(at), new BigDecimal(kwh));
    }

    static StoredReading stored(String system, String at, String kwh) {
        return new StoredReading(system, "M1", Instant.parse(at), new BigDecimal(kwh));
    }

    static OutcomeCode judgeAlone(ParsedReading r, Neighbours n) {
        return new ReadingJudge(RULES, REGISTRY, RECEIVED).judge(r, n).code();
    }

    @Test
    void registryRules() {
        assertThat(judgeAlone(reading(2, "nope", "2025-01-01T00:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.UNKNOWN_SYSTEM);
        assertThat(judgeAlone(reading(2, "sys-other", "2025-01-01T00:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.NOT_DESIGNATED_REPORTER);
        // designation end date is inclusive, in the programme's zone: 2024-12-31 23:30 New York is covered
        assertThat(judgeAlone(reading(2, "sys-edge", "2025-01-01T04:30:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judgeAlone(reading(2, "sys-edge", "2025-01-01T05:30:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.NOT_DESIGNATED_REPORTER);
    }

    @Test
    void dasMandateAppliesAboveTheThresholdOnlyWhileTheReporterWasNotApproved() {
        assertThat(judgeAlone(reading(2, "sys-big", "2019-04-15T12:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.DAS_MANDATE);
        assertThat(judgeAlone(reading(2, "sys-big", "2019-06-15T12:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.ACCEPTED);
        // exactly at the threshold, and below it, an owner may self-report: no mandate
        assertThat(judgeAlone(reading(2, "sys-edge", "2019-04-15T12:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judgeAlone(reading(2, "sys-small", "2019-04-15T12:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.ACCEPTED);
    }

    @Test
    void futureReadingsToleratetheConfiguredSkew() {
        assertThat(judgeAlone(reading(2, "sys-small", "2025-06-10T12:04:59Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-06-10T12:05:01Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.FUTURE_READING);
    }

    @Test
    void beforeInterconnection() {
        assertThat(judgeAlone(reading(2, "sys-small", "2016-02-14T12:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.BEFORE_INTERCONNECTION);
    }

    @Test
    void sameInstantAsAStoredReading() {
        StoredReading s = stored("sys-small", "2025-02-01T05:00:00Z", "100.0");
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-01T05:00:00Z", "100"), new Neighbours(null, s, null)))
                .isEqualTo(OutcomeCode.DUPLICATE);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-01T05:00:00Z", "101"), new Neighbours(null, s, null)))
                .isEqualTo(OutcomeCode.CONFLICTING_READING);
    }

    @Test
    void registerMustNotGoBackwardsAgainstPredecessorOrStoredSuccessor() {
        StoredReading before = stored("sys-small", "2025-02-01T00:00:00Z", "100");
        StoredReading after = stored("sys-small", "2025-03-01T00:00:00Z", "200");
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-10T00:00:00Z", "99.999"),
                new Neighbours(before, null, after))).isEqualTo(OutcomeCode.REGISTER_DECREASED);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-10T00:00:00Z", "200.001"),
                new Neighbours(before, null, after))).isEqualTo(OutcomeCode.REGISTER_DECREASED);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-10T00:00:00Z", "150"),
                new Neighbours(before, null, after))).isEqualTo(OutcomeCode.ACCEPTED);
    }

    @Test
    void capacityCeilingAgainstBothNeighbours() {
        StoredReading before = stored("sys-small", "2025-02-01T00:00:00Z", "100");
        // 8.5 kW x 10 h = 85 kWh
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-01T10:00:00Z", "185"), new Neighbours(before, null, null)))
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-01T10:00:00Z", "185.001"),
                new Neighbours(before, null, null))).isEqualTo(OutcomeCode.CAPACITY_EXCEEDED);
        StoredReading after = stored("sys-small", "2025-02-01T10:00:00Z", "300");
        assertThat(judgeAlone(reading(2, "sys-small", "2025-02-01T05:00:00Z", "110"),
                new Neighbours(before, null, after))).isEqualTo(OutcomeCode.CAPACITY_EXCEEDED);
    }

    @Test
    void highProductionFlagsLongIntervalsOnlyAndLosesToTheHardCeiling() {
        StoredReading before = stored("sys-small", "2025-04-01T00:00:00Z", "0");
        // 7 days: 8.5 kW x 168 h = 1428 kWh; 35 % = 499.8 kWh
        assertThat(judgeAlone(reading(2, "sys-small", "2025-04-08T00:00:00Z", "499.8"), new Neighbours(before, null, null)))
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judgeAlone(reading(2, "sys-small", "2025-04-08T00:00:00Z", "500"), new Neighbours(before, null, null)))
                .isEqualTo(OutcomeCode.HIGH_PRODUCTION);
        // a sunny 6-day stretch at 60 % is only held to the hard ceiling
        assertThat(judgeAlone(reading(2, "sys-small", "2025-04-07T00:00:00Z", "734"), new Neighbours(before, null, null)))
                .isEqualTo(OutcomeCode.ACCEPTED);
        // flagged against the predecessor but over capacity against the successor: the hard code wins
        StoredReading after = stored("sys-small", "2025-04-08T01:00:00Z", "520");
        assertThat(judgeAlone(reading(2, "sys-small", "2025-04-08T00:00:00Z", "500"), new Neighbours(before, null, after)))
                .isEqualTo(OutcomeCode.CAPACITY_EXCEEDED);
    }

    @Test
    void withinAFeedRejectedReadingsAreNobodysNeighbourAndRepeatsOfALineAreDuplicatesOrConflicts() {
        ReadingJudge judge = new ReadingJudge(RULES, REGISTRY, RECEIVED);
        StoredReading start = stored("sys-small", "2025-01-01T00:00:00Z", "100");
        Neighbours n = new Neighbours(start, null, null);
        assertThat(judge.judge(reading(2, "sys-small", "2025-01-02T00:00:00Z", "150"), n).code())
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judge.judge(reading(5, "sys-small", "2025-01-02T00:00:00Z", "150"), n).code())
                .isEqualTo(OutcomeCode.DUPLICATE);
        assertThat(judge.judge(reading(6, "sys-small", "2025-01-02T00:00:00Z", "151"), n).code())
                .isEqualTo(OutcomeCode.CONFLICTING_READING);
        // 1000 kWh in a day on 8.5 kW: rejected, so it does not become the next reading's predecessor
        assertThat(judge.judge(reading(3, "sys-small", "2025-01-03T00:00:00Z", "1150"), n).code())
                .isEqualTo(OutcomeCode.CAPACITY_EXCEEDED);
        assertThat(judge.judge(reading(4, "sys-small", "2025-01-04T00:00:00Z", "200"), n).code())
                .isEqualTo(OutcomeCode.ACCEPTED);
        // the accepted feed reading (150 on Jan 2) is the predecessor, not the older stored 100
        assertThat(judge.judge(reading(7, "sys-small", "2025-01-05T00:00:00Z", "190"), n).code())
                .isEqualTo(OutcomeCode.REGISTER_DECREASED);
    }

    /**
     * A feed judged in batches behind its parser gives the judge each batch's registry slice: the next slice's
     * systems are judged against it, and the meter being walked keeps its feed-accepted predecessor across the switch.
     */
    @Test
    void aNewRegistrySliceServesTheNextBatchAndTheMeterBeingWalkedCarriesOver() {
        RegistrySnapshot bigAndSmall = new RegistrySnapshot("das", REGISTRY.provider(),
                Map.of("sys-big", REGISTRY.system("sys-big"), "sys-small", REGISTRY.system("sys-small")),
                Map.of("sys-big", REGISTRY.designations().get("sys-big"), "sys-small", REGISTRY.designations().get("sys-small")));
        RegistrySnapshot smallOnly = new RegistrySnapshot("das", REGISTRY.provider(),
                Map.of("sys-small", REGISTRY.system("sys-small")), Map.of("sys-small", REGISTRY.designations().get("sys-small")));
        ReadingJudge judge = new ReadingJudge(RULES, bigAndSmall, RECEIVED);
        assertThat(judge.judge(reading(2, "sys-big", "2025-01-02T00:00:00Z", "10"), Neighbours.NONE).code())
                .isEqualTo(OutcomeCode.ACCEPTED);
        assertThat(judge.judge(reading(3, "sys-edge", "2025-01-02T00:00:00Z", "10"), Neighbours.NONE).code())
                .as("not in this slice").isEqualTo(OutcomeCode.UNKNOWN_SYSTEM);
        assertThat(judge.judge(reading(4, "sys-small", "2025-01-02T00:00:00Z", "150"), Neighbours.NONE).code())
                .isEqualTo(OutcomeCode.ACCEPTED);

        judge.registry(smallOnly);
        // the same meter as before the switch: 150 accepted on Jan 2 is still its predecessor
        assertThat(judge.judge(reading(5, "sys-small", "2025-01-03T00:00:00Z", "140"), Neighbours.NONE).code())
                .isEqualTo(OutcomeCode.REGISTER_DECREASED);
        assertThat(judge.judge(reading(6, "sys-small", "2025-01-04T00:00:00Z", "160"), Neighbours.NONE).code())
                .isEqualTo(OutcomeCode.ACCEPTED);

        RegistrySnapshot otherProvider = new RegistrySnapshot("other", REGISTRY.provider(), Map.of(), Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> judge.registry(otherProvider))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void precedenceFollowsTheDeclaredOrder() {
        // future AND before its stored predecessor: FUTURE_READING comes first
        StoredReading before = stored("sys-small", "2025-01-01T00:00:00Z", "100");
        assertThat(judgeAlone(reading(2, "sys-small", "2030-01-01T00:00:00Z", "1"), new Neighbours(before, null, null)))
                .isEqualTo(OutcomeCode.FUTURE_READING);
        // suspended reporter on a big system, before interconnection: DAS_MANDATE comes first
        assertThat(judgeAlone(reading(2, "sys-big", "2019-04-15T00:00:00Z", "1"), Neighbours.NONE))
                .isEqualTo(OutcomeCode.DAS_MANDATE);
    }
    @Test
    void aReadingOfAMeterNotInstalledAtItsTimeIsRefusedRightAfterTheInterconnectionCheck() {
        Instant exchange = Instant.parse("2025-03-15T16:00:00Z");
        InstalledMeters meters = InstalledMeters.of("M1",
                List.of(new MeterExchange(exchange, "M1", new BigDecimal("5000"), "M2", BigDecimal.ZERO)));
        RegistrySnapshot registry = new RegistrySnapshot("das", REGISTRY.provider(),
                Map.of("sys-small", new SystemInfo("sys-small", new BigDecimal("8.5"), LocalDate.parse("2016-02-15"), meters)),
                REGISTRY.designations());
        ReadingJudge judge = new ReadingJudge(RULES, registry, RECEIVED);
        ParsedReading oldBefore = new ParsedReading(1, 2, "sys-small", "M1", exchange.minusSeconds(60), new BigDecimal("4999"));
        ParsedReading oldAt = new ParsedReading(2, 3, "sys-small", "M1", exchange, new BigDecimal("5000"));
        ParsedReading newBefore = new ParsedReading(3, 4, "sys-small", "M2", exchange.minusSeconds(60), new BigDecimal("0"));
        ParsedReading newAfter = new ParsedReading(4, 5, "sys-small", "M2", exchange.plusSeconds(3600), new BigDecimal("2"));
        assertThat(judge.judge(oldBefore, Neighbours.NONE).code()).isEqualTo(OutcomeCode.ACCEPTED);
        Verdict at = judge.judge(oldAt, Neighbours.NONE);
        assertThat(at.code()).isEqualTo(OutcomeCode.METER_NOT_INSTALLED);
        assertThat(at.message()).isEqualTo("meter M1 is not installed on sys-small at 2025-03-15T16:00:00Z; "
                + "the installed meter is M2 (installed by the exchange at 2025-03-15T16:00:00Z)");
        assertThat(judge.judge(newBefore, Neighbours.NONE).code()).isEqualTo(OutcomeCode.METER_NOT_INSTALLED);
        assertThat(judge.judge(newAfter, Neighbours.NONE).code()).isEqualTo(OutcomeCode.ACCEPTED);
        // a reading before interconnection keeps that code; a stored twin of a meter no longer installed is not a DUPLICATE
        ParsedReading early = new ParsedReading(5, 6, "sys-small", "M9", Instant.parse("2016-02-14T12:00:00Z"), BigDecimal.ONE);
        assertThat(new ReadingJudge(RULES, registry, RECEIVED).judge(early, Neighbours.NONE).code())
                .isEqualTo(OutcomeCode.BEFORE_INTERCONNECTION);
        ParsedReading twin = new ParsedReading(6, 7, "sys-small", "M1", exchange.plusSeconds(60), new BigDecimal("5001"));
        Neighbours same = new Neighbours(null, new StoredReading("sys-small", "M1", twin.readAt(), twin.registerKwh()), null);
        assertThat(new ReadingJudge(RULES, registry, RECEIVED).judge(twin, same).code())
                .isEqualTo(OutcomeCode.METER_NOT_INSTALLED);
    }
}
