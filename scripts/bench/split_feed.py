#!/usr/bin/env python3
"""Splits a benchmark CSV feed v1 into XML feed v1 messages of N readings each.

    split_feed.py FEED.csv OUT_DIR PROVIDER_ID N

Writes OUT_DIR/msg-00001.xml, ... in feed order (each message is one hour of readings when N is the
number of systems), so AS2 and HTTPS send exactly the same documents.
"""
import csv
import os
import sys


def main() -> None:
    src, out_dir, provider, per = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    os.makedirs(out_dir, exist_ok=True)
    with open(src, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        batch, n = [], 0
        for row in rows:
            batch.append(row)
            if len(batch) == per:
                n += 1
                write(out_dir, n, provider, batch)
                batch = []
        if batch:
            write(out_dir, n + 1, provider, batch)


def write(out_dir: str, n: int, provider: str, rows: list) -> None:
    with open(os.path.join(out_dir, "msg-%05d.xml" % n), "w") as o:
        o.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="urn:ptsingest:feed:1">\n')
        o.write(f"<header><provider_id>{provider}</provider_id><batch_id>bench-{n}</batch_id></header>\n")
        for s, m, t, k in rows:
            o.write(f"<reading><system_id>{s}</system_id><meter_serial>{m}</meter_serial>"
                    f"<read_at>{t}</read_at><register_kwh>{k}</register_kwh></reading>\n")
        o.write("</feed>\n")


if __name__ == "__main__":
    main()
