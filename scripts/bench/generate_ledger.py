#!/usr/bin/env python3
"""Generates the production-ledger benchmark's data as PostgreSQL COPY text (scripts/benchmark-ledger).

    generate_ledger.py systems OUT    pts_system rows
    generate_ledger.py exchanges OUT  meter_exchange rows
    generate_ledger.py readings OUT   reading rows ("-" for stdout, to pipe into psql)

N systems (BENCH_LEDGER_SYSTEMS, default 10,000) LS-00001 …, 5–102.5 kW DC, with one reading a day at 10:00
America/New_York from 2023-12-01 to 2026-11-30 (1,096 days: about 11 M readings), listed day by day as
feeds would deliver them (so the table is in arrival order, not system order). Deterministic. Some
systems make the other rules work too:
  - every 10th misses three months of readings (a closed gap, prorated);
  - every 50th (from the 7th) stops reporting after June 2026 (an open gap, projected);
  - every 100th (from the 1st) has its meter exchanged on 2025-06-15 12:00 local (new meter from 0).
"""
import datetime
import os
import sys
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/New_York")
SYSTEMS = int(os.environ.get("BENCH_LEDGER_SYSTEMS", "10000"))
FIRST_DAY = datetime.date(2023, 12, 1)
DAYS = (datetime.date(2026, 11, 30) - FIRST_DAY).days + 1
YIELD = [62, 71, 94, 104, 118, 119, 129, 118, 101, 79, 56, 50]
EXCHANGE_AT = datetime.datetime(2025, 6, 15, 12, 0, tzinfo=ZONE)
STOP_AFTER = datetime.date(2026, 6, 30)


def system_id(i):
    return f"LS-{i:05d}"


def dc_kw(i):
    return 5 + (i % 40) * 2.5


def gap_months(i):
    """The three months (index from Dec 2023) a system of every 10th misses, or an empty range."""
    if i % 10 != 0:
        return range(0)
    start = (i // 10) % 30 + 1
    return range(start, start + 3)


def month_index(d):
    return (d.year - FIRST_DAY.year) * 12 + d.month - FIRST_DAY.month


def systems(out):
    for i in range(1, SYSTEMS + 1):
        gis = f"NON{i:05d}" if i % 2 == 0 else "\\N"
        out.write(f"{system_id(i)}\tOwner {i}\t{dc_kw(i):.3f}\t2020-01-01\tSREC II\tLM-{i}-1\t{gis}\n")


def exchanged(i):
    return i % 100 == 1


def days():
    """(date, ISO instant at 10:00 local, days in its month, month index) for every day."""
    for n in range(DAYS):
        d = FIRST_DAY + datetime.timedelta(days=n)
        at = datetime.datetime(d.year, d.month, d.day, 10, 0, tzinfo=ZONE)
        length = ((d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)).day
        yield d, at, at.isoformat(), length, month_index(d)


def exchanges(out):
    # the old meter's final register: what readings() has reached at the exchange instant
    final = {}
    registers = [0.0] * (SYSTEMS + 1)
    swapped = [i for i in range(1, SYSTEMS + 1) if exchanged(i)]
    for d, at, _, length, _ in days():
        for i in swapped:
            if at >= EXCHANGE_AT and i not in final:
                final[i] = registers[i]
            registers[i] += daily(i, d, length)
    for i in sorted(final):
        out.write(f"{system_id(i)}\t{EXCHANGE_AT.isoformat()}\tLM-{i}-1\t{final[i]:.3f}\tLM-{i}-2\t0.000\n")


def daily(i, d, length):
    # expected yield per day, scaled by a per-system performance ratio of 0.80 – 1.09
    return dc_kw(i) * YIELD[d.month - 1] / length * (0.80 + (i % 10) * 0.03)


def readings(out):
    registers = [0.0] * (SYSTEMS + 1)
    shift = [None] * (SYSTEMS + 1)
    gaps = [gap_months(i) for i in range(SYSTEMS + 1)]
    record = 0
    for d, at, iso, length, m in days():
        lines = []
        for i in range(1, SYSTEMS + 1):
            registers[i] += daily(i, d, length)
            if m in gaps[i] or (i % 50 == 7 and d > STOP_AFTER):
                continue
            meter = f"LM-{i}-1"
            register = registers[i]
            if exchanged(i) and at >= EXCHANGE_AT:
                if shift[i] is None:
                    shift[i] = registers[i] - daily(i, d, length)  # the final register before today's
                meter = f"LM-{i}-2"
                register = registers[i] - shift[i]
            record += 1
            lines.append(f"{system_id(i)}\t{meter}\t{iso}\t{register:.3f}\t0\t{record}\t0\t\\N\n")
        out.write("".join(lines))


def main():
    what, target = sys.argv[1], sys.argv[2]
    out = sys.stdout if target == "-" else open(target, "w", encoding="utf-8")
    {"systems": systems, "exchanges": exchanges, "readings": readings}[what](out)
    out.flush()


if __name__ == "__main__":
    main()
