#!/usr/bin/env python3
"""Converts a benchmark CSV feed v1 into XML feed v1 or JSON feed v1, streaming.

    convert_feed.py FEED.csv OUT.xml|OUT.json PROVIDER_ID

Same readings in the same order, so every format loads exactly the rows of the CSV reference.
"""
import csv
import json
import sys


def main() -> None:
    src, out, provider = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(src, newline="") as f, open(out, "w", buffering=1 << 22) as o:
        rows = csv.reader(f)
        next(rows)
        if out.endswith(".xml"):
            o.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="urn:ptsingest:feed:1">\n')
            o.write(f"<header><provider_id>{provider}</provider_id><batch_id>bench</batch_id></header>\n")
            for s, m, t, k in rows:
                o.write(f"<reading><system_id>{s}</system_id><meter_serial>{m}</meter_serial>"
                        f"<read_at>{t}</read_at><register_kwh>{k}</register_kwh></reading>\n")
            o.write("</feed>\n")
        else:
            o.write('{"header":{"provider_id":%s,"batch_id":"bench"},"readings":[\n' % json.dumps(provider))
            first = True
            for s, m, t, k in rows:
                o.write(("" if first else ",\n")
                        + '{"system_id":"%s","meter_serial":"%s","read_at":"%s","register_kwh":"%s"}' % (s, m, t, k))
                first = False
            o.write("\n]}\n")


if __name__ == "__main__":
    main()
