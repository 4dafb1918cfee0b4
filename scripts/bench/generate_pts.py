#!/usr/bin/env python3
"""Writes the PTS-compatible benchmark payloads, their registry and the psql reference of the same readings.

    generate_pts.py OUT_DIR SYSTEMS PER_SYSTEM [--provider ID] [--zone ZONE]

Writes to OUT_DIR:
  providers.csv, systems.csv, designations.csv  the registry: SYSTEMS systems PTS-000001 ... of 100 kW DC,
      interconnected 2000-01-01, each with ONE registered meter (systems.csv's optional meter_serial
      column: PTS payloads name no meter, the service attributes each reading to the system's installed
      meter), all designated to one APPROVED provider (default "benchpts") from 2000-01-01;
  readings.json   the PTS REST body: {"APIKey": ..., "systems": [{"fk_System", "metervalue", "meterDate"}, ...]}
      (one entry per reading, the readings of one system together);
  ardata.xml      the ARData document: one ptsSystem per system, one PVmonthlyData per reading;
  soap-body.xml   the SOAP postdata call's body (soap:Body, the ARData above escaped as xmldata text, and
      the closing soap:Envelope): the caller writes the envelope's head with the cAuthentication header
      (UserName = provider, Password = its API key, known only once the service has issued it);
  reference.csv   system_id,meter_serial,read_at,register_kwh: exactly the rows the service stores, read_at
      as the UTC instant the service makes of the local date-time, in the same order as the payloads.

Each system has PER_SYSTEM readings, one a month on the 1st at 12:00 local time in ZONE (default
America/New_York, the service's default ingest.rules.zone): PTS clients send local date-times without an
offset and the service reads them in that zone; noon is never in a DST gap or overlap, so each local time
is exactly one instant. The months start at 2020-01 (or earlier when PER_SYSTEM months from 2020-01 would
reach the current month) and must end before the current month: every reading is in the past.

Every reading is valid and unflagged: a register starts at 0-50,000 kWh and each month adds 6,000-12,000
kWh, at most 12,000 / (100 kW x 672 h) = 17.9 % capacity factor over the shortest month, below the 35 %
high-production review ceiling that applies to intervals of 7 days or more (ReadingJudge). So the answer
must say every system succeeded with PER_SYSTEM records inserted and no message. Deterministic: the
registers are a function of system and month only.
"""
import argparse
import datetime
import json
import zoneinfo
from xml.sax.saxutils import escape

CAPACITY_KW = 100
INTERCONNECTED = datetime.date(2000, 1, 1)
FIRST_MONTH = (2020, 1)
BUFFER = 1 << 22


def start_month(per_system: int, today: datetime.date) -> tuple[int, int]:
    """The first reading's (year, month): 2020-01, or early enough that the last one is before this month."""
    # months are counted as year * 12 + (month - 1)
    current = today.year * 12 + today.month - 1
    first = min(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1, current - per_system)
    if first < INTERCONNECTED.year * 12 + INTERCONNECTED.month - 1:  # not before the interconnection
        raise SystemExit(f"generate_pts.py: {per_system} monthly readings per system do not fit between "
                         f"the interconnection ({INTERCONNECTED}) and this month")
    y, m = divmod(first, 12)
    return y, m + 1


def increment_wh(system: int, month: int) -> int:
    """Watt-hours a system's register gains in a month: 6,000,000 - 12,000,000 (6,000 - 12,000 kWh)."""
    return 6_000_000 + (system * 2_654_435_761 + month * 40_503) % 6_000_001


def first_register_wh(system: int) -> int:
    return (system * 1_103_515_245 + 12_345) % 50_000_001


def kwh(wh: int) -> str:
    return f"{wh // 1000}.{wh % 1000:03d}"


def main() -> None:
    ap = argparse.ArgumentParser(description="PTS benchmark payloads (see the module docstring)")
    ap.add_argument("out_dir")
    ap.add_argument("systems", type=int)
    ap.add_argument("per_system", type=int)
    ap.add_argument("--provider", default="benchpts")
    ap.add_argument("--zone", default="America/New_York")
    a = ap.parse_args()
    if a.systems < 1 or a.systems > 999_999 or a.per_system < 1:
        raise SystemExit("generate_pts.py: SYSTEMS must be 1-999,999 and PER_SYSTEM at least 1")
    zone = zoneinfo.ZoneInfo(a.zone)
    year, month = start_month(a.per_system, datetime.date.today())

    # The months' local date-times (what the payloads say) and UTC instants (what the service stores).
    local, utc = [], []
    for i in range(a.per_system):
        y, m = divmod(year * 12 + month - 1 + i, 12)
        t = datetime.datetime(y, m + 1, 1, 12, 0, 0)
        local.append(t.strftime("%Y-%m-%dT%H:%M:%S"))
        utc.append(t.replace(tzinfo=zone).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    ids = [f"PTS-{s:06d}" for s in range(1, a.systems + 1)]
    meters = [f"M-{s:06d}" for s in range(1, a.systems + 1)]
    out = a.out_dir
    with open(f"{out}/providers.csv", "w") as f:
        f.write("provider_id,name,status,effective_from\n")
        f.write(f"{a.provider},Bench PTS DAS,APPROVED,{INTERCONNECTED}\n")
    with open(f"{out}/systems.csv", "w") as f:
        f.write("system_id,owner_name,dc_capacity_kw,interconnected_on,program,meter_serial\n")
        f.writelines(f"{sid},Bench owner {i + 1},{CAPACITY_KW},{INTERCONNECTED},SREC II,{meters[i]}\n"
                     for i, sid in enumerate(ids))
    with open(f"{out}/designations.csv", "w") as f:
        f.write("system_id,provider_id,effective_from,effective_to\n")
        f.writelines(f"{sid},{a.provider},{INTERCONNECTED},\n" for sid in ids)

    with open(f"{out}/readings.json", "w", buffering=BUFFER) as js, \
            open(f"{out}/ardata.xml", "w", buffering=BUFFER) as ar, \
            open(f"{out}/soap-body.xml", "w", buffering=BUFFER) as soap, \
            open(f"{out}/reference.csv", "w", buffering=BUFFER) as ref:
        # The service ignores the body's APIKey (the header authenticates); a client sends it anyway.
        js.write('{"APIKey": %s, "systems": [\n' % json.dumps("sent-in-the-Ocp-Apim-Subscription-Key-header"))
        ar.write('<?xml version="1.0" encoding="utf-8"?>\n<ARData xmlns="https://ar.masscec-pts.com/PTS-AR">\n')
        soap.write('<soap:Body><postdata xmlns="https://ar.masscec-pts.com/"><xmldata>')
        soap.write(escape('<ARData xmlns="https://ar.masscec-pts.com/PTS-AR">\n'))
        ref.write("system_id,meter_serial,read_at,register_kwh\n")
        for s, sid in enumerate(ids):
            wh = first_register_wh(s)
            js_lines, ar_lines, ref_lines = [], [f'<ptsSystem sysType="PV"><sysID>{sid}</sysID><MonthlyData>\n'], []
            for i in range(a.per_system):
                if i:
                    wh += increment_wh(s, i)
                v = kwh(wh)
                js_lines.append('{"fk_System":"%s","metervalue":"%s","meterDate":"%s"}' % (sid, v, local[i]))
                ar_lines.append(f"<PVmonthlyData><kwhRegistry>{v}</kwhRegistry>"
                                f"<regDateTime>{local[i]}</regDateTime></PVmonthlyData>\n")
                ref_lines.append(f"{sid},{meters[s]},{utc[i]},{v}\n")
            ar_lines.append("</MonthlyData></ptsSystem>\n")
            js.write(("" if s == 0 else ",\n") + ",\n".join(js_lines))
            block = "".join(ar_lines)
            ar.write(block)
            soap.write(escape(block))
            ref.writelines(ref_lines)
        js.write("\n]}\n")
        ar.write("</ARData>\n")
        soap.write(escape("</ARData>\n"))
        soap.write("</xmldata></postdata></soap:Body></soap:Envelope>\n")


if __name__ == "__main__":
    main()
