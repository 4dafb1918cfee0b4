#!/usr/bin/env python3
"""Writes a benchmark feed and the registry it needs.

    generate_feed.py OUT_DIR READINGS [time|system] [SYSTEM_PREFIX]

Writes OUT_DIR/feed.csv (READINGS readings), OUT_DIR/providers.csv, systems.csv and designations.csv.

The readings are spread over 1,000 systems (BENCH-00001 ..., 100 kW DC, interconnected 2000-01-01,
designated to provider "benchdas", one meter each), hourly from 2020-01-01T00:00:00Z, in one of two
orders: "time" (the default: hour-major, every system for hour 0, then hour 1, ..., as a DAS export of
one interval would list them, so the service has to sort them) or "system" (system-major: every hour of
system 1, then of system 2, ..., the order the judge walks them). Both orders hold exactly the same
readings. Each hour adds 5-20 kWh to a meter's register (at most 100 kW x 1 h; the 35 %
capacity-factor ceiling only applies to intervals of 7 days or more), so every reading is valid and
unflagged: the receipt must say ACCEPTED for all of them. SYSTEM_PREFIX (default BENCH) names other systems,
for a warm-up feed that shares no meter with the measured one. Deterministic (a fixed seed for the first
registers, a hash of system and hour for each increment).
"""
import datetime
import random
import sys

SYSTEMS = 1000
PROVIDER = "benchdas"
START = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


def increment(system: int, hour: int) -> int:
    """Watt-hours added to system's register in that hour: 5,000 - 20,000, the same in both orders."""
    return 5_000 + (system * 2_654_435_761 + hour * 40_503) % 15_001


def main() -> None:
    if len(sys.argv) not in (3, 4, 5):
        sys.exit("usage: generate_feed.py OUT_DIR READINGS [time|system] [SYSTEM_PREFIX]")
    out_dir, readings = sys.argv[1], int(sys.argv[2])
    order = sys.argv[3] if len(sys.argv) >= 4 else "time"
    prefix = sys.argv[4] if len(sys.argv) == 5 else "BENCH"
    if order not in ("time", "system"):
        sys.exit("generate_feed.py: the order is time or system")
    if readings < 1:
        sys.exit("generate_feed.py: READINGS must be at least 1")
    systems = min(SYSTEMS, readings)
    hours = -(-readings // systems)
    last = START + datetime.timedelta(hours=hours - 1)
    if last > datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1):
        sys.exit(f"generate_feed.py: {readings} readings would reach {last:%Y-%m-%d}, in the future; "
                 "the service would reject them")

    ids = [f"{prefix}-{s:05d}" for s in range(1, systems + 1)]
    with open(f"{out_dir}/providers.csv", "w") as f:
        f.write("provider_id,name,status,effective_from\n")
        f.write(f"{PROVIDER},Bench DAS,APPROVED,2000-01-01\n")
    with open(f"{out_dir}/systems.csv", "w") as f:
        f.write("system_id,owner_name,dc_capacity_kw,interconnected_on,program\n")
        f.writelines(f"{sid},Bench owner {i + 1},100,2000-01-01,SREC II\n" for i, sid in enumerate(ids))
    with open(f"{out_dir}/designations.csv", "w") as f:
        f.write("system_id,provider_id,effective_from,effective_to\n")
        f.writelines(f"{sid},{PROVIDER},2000-01-01,\n" for sid in ids)

    rng = random.Random(20200101)
    # registers in watt-hours (exact integers; printed with 3 decimals of kWh)
    registers = [rng.randrange(0, 50_000_000) for _ in ids]
    prefixes = [f"{sid},M-{sid[len(prefix) + 1:]}," for sid in ids]
    # the readings of the last hour: only the first `tail` systems have one when READINGS is not a multiple
    tail = readings - (hours - 1) * systems
    stamps = [(START + datetime.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ") for h in range(hours)]
    with open(f"{out_dir}/feed.csv", "w", buffering=1 << 22) as f:
        f.write("system_id,meter_serial,read_at,register_kwh\n")
        if order == "time":
            for h in range(hours):
                n = systems if h < hours - 1 else tail
                lines = []
                for s in range(n):
                    if h:
                        registers[s] += increment(s, h)
                    wh = registers[s]
                    lines.append(f"{prefixes[s]}{stamps[h]},{wh // 1000}.{wh % 1000:03d}\n")
                f.writelines(lines)
        else:
            for s in range(systems):
                wh = registers[s]
                lines = []
                for h in range(hours if s < tail else hours - 1):
                    if h:
                        wh += increment(s, h)
                    lines.append(f"{prefixes[s]}{stamps[h]},{wh // 1000}.{wh % 1000:03d}\n")
                f.writelines(lines)


if __name__ == "__main__":
    main()
