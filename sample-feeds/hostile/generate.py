#!/usr/bin/env python3
"""Writes the hostile corpus: feeds a careless or hostile DAS provider could send, each with the
answer the service owes it (cases.csv). HostileCorpusIT sends every case through every channel that
takes its format and checks the answer, the receipt's reading_count and that nothing of a rejected
feed was stored. Expectations are written here by hand from the contracts in schemas/, never pasted
from the service's output.

Run it again after changing a case: python3 sample-feeds/hostile/generate.py

Every value case is a small feed of provider sunwatch with two good readings of MA-1001 (the same
in every case: stored once, then DUPLICATE, a no-op) and the hostile reading as record 3. A hostile
reading that is valid and stored gets its own instant and a register that grows with it, so the
cases can be judged in any order without disturbing one another.
"""
import csv
import io
import json
import os
import shutil
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
G1 = ("MA-1001", "SN-1001-A", "2025-01-01T00:00:00-05:00", "10000.000")
G2 = ("MA-1001", "SN-1001-A", "2025-02-01T00:00:00-05:00", "10500.000")
XML_NS = "urn:ptsingest:feed:1"
AR_NS = "https://ar.masscec-pts.com/PTS-AR"

cases = []  # (file, format, status, code, records, invalid, record3, note)


def add(path, fmt, data, status, code, records, invalid, record3, note):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    cases.append((path, fmt, status, code or "", records, invalid, record3 or "", note))


_slot = [0]


def fresh():
    """A unique instant and a register that grows with it (a stored reading never disturbs another case)."""
    _slot[0] += 1
    at = datetime(2025, 3, 1, tzinfo=timezone.utc) + timedelta(days=_slot[0])
    return at.strftime("%Y-%m-%dT%H:%M:%SZ"), "%d.000" % (11000 + 10 * _slot[0])


# ---- reading values: (name, system_id, meter_serial, read_at, register_kwh, code of record 3, note)
# code INVALID_VALUE / a judge code / ACCEPTED. None for read_at/register means "a fresh valid one".
LONG_100K = "S" * 100_000
VALUES = [
    ("nul-in-system-id", "MA-10\x0001", None, None, None, "INVALID_VALUE", "NUL inside system_id"),
    ("nul-at-end-of-system-id", "MA-1001\x00", None, None, None, "INVALID_VALUE", "trailing NUL is not trimmed away"),
    ("nul-in-meter-serial", "MA-1001", "SN-1001\x00-A", None, None, "INVALID_VALUE", "NUL inside meter_serial"),
    ("soh-in-system-id", "MA-\x011001", None, None, None, "INVALID_VALUE", "U+0001"),
    ("del-in-system-id", "MA-1001\x7f", None, None, None, "INVALID_VALUE", "U+007F"),
    ("c1-control-in-meter", "MA-1001", "SN\x85-1001-A", None, None, "INVALID_VALUE", "U+0085 (C1 control)"),
    ("tab-inside-system-id", "MA-\t1001", None, None, None, "INVALID_VALUE", "tab inside an id"),
    ("newline-inside-system-id", "MA-\n1001", None, None, None, "INVALID_VALUE", "line feed inside an id"),
    ("escape-sequence-in-id", "MA-\x1b[31m1001", None, None, None, "INVALID_VALUE", "ANSI escape in an id"),
    ("system-id-65-chars", "M" * 65, None, None, None, "INVALID_VALUE", "one over the 64-character limit"),
    ("system-id-64-chars", "M" * 64, None, None, None, "UNKNOWN_SYSTEM", "exactly the limit: readable, unknown"),
    ("meter-serial-1000-chars", "MA-1001", "N" * 1000, None, None, "INVALID_VALUE", "1,000-character meter"),
    ("system-id-100k-chars", LONG_100K, None, None, None, "INVALID_VALUE", "100,000-character id (JSON: over the string limit)"),
    ("empty-system-id", "", None, None, None, "INVALID_VALUE", "empty"),
    ("blank-system-id", "   ", None, None, None, "INVALID_VALUE", "spaces only"),
    ("spaces-around-ids", "  MA-1001 ", " SN-1001-A  ", None, None, "ACCEPTED", "surrounding spaces are trimmed"),
    ("fullwidth-digits-id", "MA-\uff11\uff10\uff10\uff11", None, None, None, "UNKNOWN_SYSTEM", "look-alike digits"),
    ("emoji-id", "MA-1001-\U0001F31E", None, None, None, "UNKNOWN_SYSTEM", "astral character, valid text"),
    ("rtl-override-id", "MA-\u202e1001", None, None, None, "UNKNOWN_SYSTEM", "bidi override (format char, not control)"),
    ("zero-width-space-id", "MA-\u200b1001", None, None, None, "UNKNOWN_SYSTEM", "zero-width space"),
    ("sql-in-id", "MA-1001'; DROP TABLE reading;--", None, None, None, "UNKNOWN_SYSTEM", "SQL text is just text"),
    ("script-in-id", "<script>alert(1)</script>", None, None, None, "UNKNOWN_SYSTEM", "markup is just text"),
    ("formula-in-id", "=HYPERLINK(\"http://x\")", None, None, None, "UNKNOWN_SYSTEM", "spreadsheet formula"),
    ("wrong-meter", "MA-1001", "SN-OTHER", None, None, "METER_NOT_INSTALLED", "not the meter installed (registered) on the system"),
    ("kwh-16-integer-digits", "MA-1001", None, None, "1234567890123456", "INVALID_VALUE", "numeric(18,3) holds 15"),
    ("kwh-15-integer-digits", "MA-1001", None, None, "999999999999999.999", "CAPACITY_EXCEEDED", "largest storable"),
    ("kwh-5000-digits", "MA-1001", None, None, "9" * 5000, "INVALID_VALUE", "5,000 digits"),
    ("kwh-5000-leading-zeros", "MA-1001", None, None, "LEADING", "ACCEPTED", "5,000 leading zeros: the value is small"),
    ("kwh-exponent", "MA-1001", None, None, "1.1E+4", "INVALID_VALUE", "exponent is not allowed"),
    ("kwh-lower-exponent", "MA-1001", None, None, "11e3", "INVALID_VALUE", "exponent is not allowed"),
    ("kwh-negative", "MA-1001", None, None, "-5", "INVALID_VALUE", "negative"),
    ("kwh-negative-zero", "MA-1001", None, None, "-0", "INVALID_VALUE", "a sign is not allowed"),
    ("kwh-plus-sign", "MA-1001", None, None, "+11000", "INVALID_VALUE", "a sign is not allowed"),
    ("kwh-nan", "MA-1001", None, None, "NaN", "INVALID_VALUE", "NaN"),
    ("kwh-infinity", "MA-1001", None, None, "Infinity", "INVALID_VALUE", "Infinity"),
    ("kwh-thousands-separator", "MA-1001", None, None, "11,000", "INVALID_VALUE", "thousands separator"),
    ("kwh-decimal-comma", "MA-1001", None, None, "11000,5", "INVALID_VALUE", "decimal comma"),
    ("kwh-4-decimals", "MA-1001", None, None, "11000.1234", "INVALID_VALUE", "more than 3 decimals"),
    ("kwh-hex", "MA-1001", None, None, "0x2AF8", "INVALID_VALUE", "hexadecimal"),
    ("kwh-empty", "MA-1001", None, None, "", "INVALID_VALUE", "empty"),
    ("kwh-trailing-point", "MA-1001", None, None, "11000.", "INVALID_VALUE", "a point needs digits after it"),
    ("kwh-arabic-indic-digits", "MA-1001", None, None, "\u0661\u0661\u0660\u0660\u0660", "INVALID_VALUE", "non-ASCII digits"),
    ("kwh-nul", "MA-1001", None, None, "110\x0000", "INVALID_VALUE", "NUL in a number"),
    ("read-at-year-0000", "MA-1001", None, "0000-01-01T00:00:00Z", None, "INVALID_VALUE", "year 0000"),
    ("read-at-negative-year", "MA-1001", None, "-0001-06-01T00:00:00Z", None, "INVALID_VALUE", "negative year"),
    ("read-at-year-9999-minus-12", "MA-1001", None, "9999-12-31T23:00:00-12:00", None, "INVALID_VALUE", "year 10000 in UTC"),
    ("read-at-year-plus-10000", "MA-1001", None, "+10000-01-01T00:00:00Z", None, "INVALID_VALUE", "five-digit year"),
    ("read-at-year-9999", "MA-1001", None, "9999-12-31T23:59:59Z", None, "FUTURE_READING", "in the domain, in the future"),
    ("read-at-year-0001", "MA-1001", None, "0001-01-01T00:00:00Z", None, "NOT_DESIGNATED_REPORTER", "in the domain, long before anything"),
    ("read-at-100ns", "MA-1001", None, "2025-06-01T00:00:00.0000001Z", None, "INVALID_VALUE", "finer than a microsecond"),
    ("read-at-nanos", "MA-1001", None, "2025-06-01T00:00:00.123456789Z", None, "INVALID_VALUE", "nanoseconds"),
    ("read-at-9-zero-fraction", "MA-1001", None, "FRESH.000000000", None, "ACCEPTED", "trailing zeros past microseconds are fine"),
    ("read-at-micros", "MA-1001", None, "FRESH.123456", None, "ACCEPTED", "microseconds are kept"),
    ("read-at-no-offset", "MA-1001", None, "2025-06-01T00:00:00", None, "INVALID_VALUE", "no offset"),
    ("read-at-date-only", "MA-1001", None, "2025-06-01", None, "INVALID_VALUE", "a date is not an instant"),
    ("read-at-feb-30", "MA-1001", None, "2025-02-30T00:00:00Z", None, "INVALID_VALUE", "no such day"),
    ("read-at-hour-24", "MA-1001", None, "2025-06-01T24:00:00Z", None, "INVALID_VALUE", "hour 24"),
    ("read-at-offset-25h", "MA-1001", None, "2025-06-01T00:00:00+25:00", None, "INVALID_VALUE", "offset out of range"),
    ("read-at-epoch-number", "MA-1001", None, "1748736000", None, "INVALID_VALUE", "epoch seconds"),
    ("read-at-1000-chars", "MA-1001", None, "2025-06-01T00:00:00Z" + "0" * 980, None, "INVALID_VALUE", "1,000 characters"),
    ("read-at-nul", "MA-1001", None, "2025-06-01T00:00:00Z\x00", None, "INVALID_VALUE", "NUL after a good date-time"),
    ("read-at-lowercase-t-z", "MA-1001", None, "FRESHLOWER", None, "ACCEPTED", "ISO-8601 allows t and z"),
]


def value_reading(v):
    name, sid, meter, at, kwh, code, note = v
    meter = "SN-1001-A" if meter is None else meter
    f_at, f_kwh = fresh() if (at is None or (at or "").startswith("FRESH") or kwh == "LEADING") else (None, None)
    if at is None:
        # after every stored case's instant, so a refused reading's code does not depend on the order
        at = f_at if code == "ACCEPTED" else "2025-12-15T00:00:00Z"
    elif at == "FRESH.000000000":
        at = f_at[:-1] + ".000000000Z"
    elif at == "FRESH.123456":
        at = f_at[:-1] + ".123456Z"
    elif at == "FRESHLOWER":
        at = f_at.lower()
    if kwh is None:
        kwh = f_kwh if code == "ACCEPTED" else "11000.000"
    elif kwh == "LEADING":
        kwh = "0" * 5000 + f_kwh
    return (sid, meter, at, kwh)


def xml_legal(s):
    for ch in s:
        o = ord(ch)
        if o < 0x20 and ch not in "\t\n\r":
            return False
        if 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF):
            return False
    return True


def csv_feed(rows, header=("system_id", "meter_serial", "read_at", "register_kwh")):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def xml_esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_feed(rows, batch, pretty=True):
    nl, ind = ("\n", "  ") if pretty else ("", "")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>' + nl, '<feed xmlns="%s">' % XML_NS + nl,
             ind + "<header><provider_id>sunwatch</provider_id><batch_id>%s</batch_id></header>" % batch + nl]
    for r in rows:
        parts.append(ind + "<reading><system_id>%s</system_id><meter_serial>%s</meter_serial>"
                     "<read_at>%s</read_at><register_kwh>%s</register_kwh></reading>" % tuple(map(xml_esc, r)) + nl)
    parts.append("</feed>" + nl)
    return "".join(parts)


def json_feed(rows, batch, number_kwh=False, pretty=True):
    readings = []
    for r in rows:
        readings.append({"system_id": r[0], "meter_serial": r[1], "read_at": r[2], "register_kwh": r[3]})
    text = json.dumps({"header": {"provider_id": "sunwatch", "batch_id": batch}, "readings": readings},
                      ensure_ascii=True, indent=2 if pretty else None)
    if number_kwh:
        # the hostile register as a JSON number, exactly as written
        text = text.replace('"register_kwh": "%s"' % rows[-1][3], '"register_kwh": %s' % rows[-1][3])
    return text + "\n"


def expect(code):
    if code == "ACCEPTED":
        return "ACCEPTED", 0
    return "PARTIALLY_ACCEPTED", 1 if code == "INVALID_VALUE" else 0


def generate_values():
    for v in VALUES:
        name, code, note = v[0], v[5], v[6]
        status, invalid = expect(code)
        # each format its own instant for a stored reading: SFTP and AS2 take several formats at once
        h = value_reading(v)
        rows = [G1, G2, h]
        # CSV: the bytes as they are (a lone surrogate cannot be UTF-8, so none is used here)
        add("csv/%s.csv" % name, "CSV_V1", csv_feed(rows), status, None, 3, invalid, code, note)
        h = value_reading(v)
        rows = [G1, G2, h]
        # XML 1.0 cannot carry C0 controls: the document is not well-formed
        if all(xml_legal(x) for x in h):
            add("xml/%s.xml" % name, "XML_V1", xml_feed(rows, "H-" + name), status, None, 3, invalid, code, note)
        else:
            add("xml/%s.xml" % name, "XML_V1", xml_feed(rows, "H-" + name), "REJECTED", "SCHEMA_VIOLATION", 0, 0,
                None, note + " (not a legal XML 1.0 character)")
        h = value_reading(v)
        rows = [G1, G2, h]
        # JSON escapes every control character (\u0000); strings over 65,536 characters exceed a limit
        if any(len(x) > 65536 for x in h):
            add("json/%s.json" % name, "JSON_V1", json_feed(rows, "H-" + name), "REJECTED", "SCHEMA_VIOLATION",
                0, 0, None, note + " (over the JSON string limit)")
        else:
            add("json/%s.json" % name, "JSON_V1", json_feed(rows, "H-" + name), status, None, 3, invalid, code, note)


def generate_json_numbers():
    for name, kwh, code, note in [
        ("number-exponent", "1.1E+4", "INVALID_VALUE", "an exponent in a JSON number is refused like in text"),
        ("number-lower-exponent", "11e3", "INVALID_VALUE", "an exponent in a JSON number"),
        ("number-5000-digits", "9" * 5000, "INVALID_VALUE", "5,000-digit JSON number"),
        ("number-16-digits", "1234567890123456", "INVALID_VALUE", "16 integer digits"),
        ("number-4-decimals", "11000.1234", "INVALID_VALUE", "more than 3 decimals"),
        ("number-negative", "-1", "INVALID_VALUE", "negative number"),
    ]:
        rows = [G1, G2, ("MA-1001", "SN-1001-A", "2025-06-15T00:00:00Z", kwh)]
        status, invalid = expect(code)
        add("json/%s.json" % name, "JSON_V1", json_feed(rows, "N-" + name, number_kwh=True), status, None, 3,
            invalid, code, note)
    at, kwh = fresh()
    add("json/number-plain.json", "JSON_V1",
        json_feed([G1, G2, ("MA-1001", "SN-1001-A", at, kwh)], "N-plain", number_kwh=True),
        "ACCEPTED", None, 3, 0, "ACCEPTED", "a plain JSON number is fine")


GOOD_CSV = csv_feed([G1, G2])


def generate_csv_documents():
    sv = ("REJECTED", "SCHEMA_VIOLATION", 0, 0, None)
    docs = [
        ("empty", b"", sv, "zero bytes"),
        ("bom-only", b"\xef\xbb\xbf", sv, "a byte-order mark and nothing else"),
        ("newlines-only", b"\n\n\n", sv, "blank lines only"),
        ("header-only", b"system_id,meter_serial,read_at,register_kwh\n", sv, "no data"),
        ("utf16le-bom", b"\xff\xfe" + GOOD_CSV.encode("utf-16-le"), sv, "UTF-16 with byte-order mark"),
        ("utf16le-no-bom", GOOD_CSV.encode("utf-16-le"), sv, "UTF-16 without byte-order mark"),
        ("utf16be-no-bom", GOOD_CSV.encode("utf-16-be"), sv, "UTF-16BE without byte-order mark"),
        ("utf32", GOOD_CSV.encode("utf-32"), sv, "UTF-32"),
        ("latin1-in-id", csv_feed([G1, G2, ("MA-1001", "SN-\xe9", "2025-06-15T00:00:00Z", "11000")]).encode("latin-1"),
         sv, "a Latin-1 byte"),
        ("cesu-surrogate", GOOD_CSV.encode() + b"MA-1001,SN-\xed\xa0\x80,2025-06-15T00:00:00Z,11000\n", sv,
         "an encoded surrogate is not UTF-8"),
        ("gzip-named-csv", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256)), sv, "compressed bytes"),
        ("random-binary", bytes((i * 37 + 11) % 256 for i in range(4096)), sv, "binary noise"),
        ("nul-in-header", b"system_id\x00,meter_serial,read_at,register_kwh\n" + GOOD_CSV.split("\n", 1)[1].encode(),
         sv, "NUL in a column name: message escapes it"),
        ("unknown-column-long", ("x" * 10000 + ",meter_serial,read_at,register_kwh\n").encode() +
         GOOD_CSV.split("\n", 1)[1].encode(), sv, "10,000-character column name: message capped"),
        ("header-2000-columns", (",".join("c%d" % i for i in range(2000)) + "\n").encode() +
         GOOD_CSV.split("\n", 1)[1].encode(), sv, "2,000 columns"),
        ("unterminated-quote", (GOOD_CSV + '"MA-1001,SN-1001-A,2025-06-15T00:00:00Z,11000\n').encode(), sv,
         "quote never closed"),
        ("html-page", b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n", sv, "an error page saved as CSV"),
    ]
    for name, data, (status, code, records, invalid, r3), note in docs:
        add("csv/doc-%s.csv" % name, "CSV_V1", data, status, code, records, invalid, r3, note)
    at, kwh = fresh()
    ok = [G1, G2, ("MA-1001", "SN-1001-A", at, kwh)]
    body = csv_feed(ok)
    add("csv/doc-no-final-newline.csv", "CSV_V1", body.rstrip("\n"), "ACCEPTED", None, 3, 0, "ACCEPTED",
        "last line without line end")
    at, kwh = fresh()
    ok = [G1, G2, ("MA-1001", "SN-1001-A", at, kwh)]
    add("csv/doc-cr-only.csv", "CSV_V1", csv_feed(ok).replace("\n", "\r"), "ACCEPTED", None, 3, 0, "ACCEPTED",
        "old Mac line ends")
    at, kwh = fresh()
    ok = [G1, G2, ("MA-1001", "SN-1001-A", at, kwh)]
    add("csv/doc-bom-crlf.csv", "CSV_V1", b"\xef\xbb\xbf" + csv_feed(ok).replace("\n", "\r\n").encode(),
        "ACCEPTED", None, 3, 0, "ACCEPTED", "BOM and CRLF")
    add("csv/doc-1000-fields.csv", "CSV_V1", GOOD_CSV + ",".join(["x"] * 1000) + "\n", "PARTIALLY_ACCEPTED", None,
        3, 1, "INVALID_VALUE", "a record with 1,000 fields")
    add("csv/doc-one-field.csv", "CSV_V1", GOOD_CSV + "MA-1001\n", "PARTIALLY_ACCEPTED", None, 3, 1,
        "INVALID_VALUE", "a record with one field")
    rows = "".join("MA-1001,SN-1001-A,2025-07-%02dT00:00:00Z,-%d\n" % (d, d) for d in range(1, 6))
    add("csv/doc-every-reading-invalid.csv", "CSV_V1", "system_id,meter_serial,read_at,register_kwh\n" + rows,
        "REJECTED", None, 5, 5, "INVALID_VALUE", "every reading refused: rejected, nothing stored")
    add("csv/doc-quoted-newline-in-id.csv", "CSV_V1",
        GOOD_CSV + '"MA-\n1001",SN-1001-A,2025-06-15T00:00:00Z,11000\n', "PARTIALLY_ACCEPTED", None, 3, 1,
        "INVALID_VALUE", "a quoted line break inside an id: one record over two lines")


def generate_xml_documents():
    sv = ("REJECTED", "SCHEMA_VIOLATION", 0, 0, None)
    base = xml_feed([G1, G2], "X-base")
    docs = [
        ("whitespace", b"   \n  ", sv, "white space only"),
        ("utf7-declared", base.replace('encoding="UTF-8"', 'encoding="UTF-7"').encode(), sv,
         "declares UTF-7"),
        ("latin1-declared", base.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"), sv,
         "declares ISO-8859-1"),
        ("utf16-bom", base.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"), sv, "UTF-16 with BOM"),
        ("utf16-no-bom", base.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"), sv,
         "UTF-16 without BOM"),
        ("unknown-encoding", base.replace('encoding="UTF-8"', 'encoding="X-NOPE"').encode(), sv, "no such charset"),
        ("bad-utf8-byte", base.replace("MA-1001", "MA-\udcff1001", 1).encode("utf-8", "surrogateescape"), sv,
         "a byte that is not UTF-8"),
        ("nul-byte", base.replace("MA-1001", "MA-\x001001", 1).encode(), sv, "a NUL byte"),
        ("char-ref-nul", base.replace("MA-1001", "MA-&#0;1001", 1).encode(), sv, "&#0; is not an XML character"),
        ("char-ref-soh", base.replace("MA-1001", "MA-&#1;1001", 1).encode(), sv, "&#1; is not an XML 1.0 character"),
        ("wrong-namespace", base.replace(XML_NS, "urn:other").encode(), sv, "another namespace"),
        ("no-namespace", base.replace(' xmlns="%s"' % XML_NS, "").encode(), sv, "no namespace"),
        ("missing-header", base.replace(
            "  <header><provider_id>sunwatch</provider_id><batch_id>X-base</batch_id></header>\n", "").encode(), sv,
         "no header"),
        ("two-roots", (base + "<feed/>").encode(), sv, "two root elements"),
        ("trailing-garbage", (base + "garbage").encode(), sv, "text after the root"),
        ("unknown-element", base.replace("<reading>", "<reading><colour>red</colour>", 1).encode(), sv,
         "an element the schema does not know"),
        ("register-twice", base.replace("<register_kwh>10000.000</register_kwh>",
                                        "<register_kwh>10000.000</register_kwh><register_kwh>1</register_kwh>", 1).encode(),
         sv, "an element twice"),
        ("deep-nesting", ('<?xml version="1.0" encoding="UTF-8"?>' + "<a>" * 50000 + "</a>" * 50000).encode(), sv,
         "50,000 nested elements"),
        ("provider-mismatch-nul-like", base.replace("<provider_id>sunwatch", "<provider_id>sun&#x85;watch").encode(),
         sv, "header names another provider (escaped in the message)"),
        ("doctype-entity", base.replace("<feed", '<!DOCTYPE feed [<!ENTITY e "x">]><feed', 1).encode(), sv,
         "a DTD"),
        ("truncated", base[: len(base) // 2].encode(), sv, "cut in the middle"),
    ]
    for name, data, (status, code, records, invalid, r3), note in docs:
        add("xml/doc-%s.xml" % name, "XML_V1", data, status, code, records, invalid, r3, note)
    at1, k1 = fresh()
    at2, k2 = fresh()
    four = [G1, G2, ("MA-1001", "SN-1001-A", at1, k1), ("MA-1001", "SN-1001-A", at2, k2)]
    add("xml/doc-minified-four.xml", "XML_V1", xml_feed(four, "X-min4", pretty=False), "ACCEPTED", None, 4, 0,
        "ACCEPTED", "no white space between elements: every reading is read")
    bad = [G1, G2, ("MA-1001", "SN-1001-A", "2025-06-01", "11000"), ("MA-1001", "SN-1001-A", "2025-06-02T00:00:00Z", "-1"),
           ("MA-9999", "SN-X", "2025-06-03T00:00:00Z", "1")]
    add("xml/doc-one-line-mixed.xml", "XML_V1", xml_feed(bad, "X-line", pretty=False), "PARTIALLY_ACCEPTED", None,
        5, 2, "INVALID_VALUE", "one line, three refused readings: each its own record")
    at, kwh = fresh()
    cdata = xml_feed([G1, G2, ("MA-1001", "SN-1001-A", at, kwh)], "X-cdata").replace(
        "<system_id>MA-1001</system_id><meter_serial>SN-1001-A</meter_serial><read_at>%s" % at,
        "<system_id><![CDATA[MA-1001]]></system_id><!-- c --><meter_serial>SN-1001-A</meter_serial><?pi x?><read_at>%s" % at)
    add("xml/doc-cdata-comment-pi.xml", "XML_V1", cdata, "ACCEPTED", None, 3, 0, "ACCEPTED",
        "CDATA, a comment and a processing instruction inside a reading")
    at, kwh = fresh()
    add("xml/doc-bom.xml", "XML_V1", b"\xef\xbb\xbf" + xml_feed([G1, G2, ("MA-1001", "SN-1001-A", at, kwh)], "X-bom").encode(),
        "ACCEPTED", None, 3, 0, "ACCEPTED", "UTF-8 byte-order mark")
    at, kwh = fresh()
    add("xml/doc-no-declaration.xml", "XML_V1",
        xml_feed([G1, G2, ("MA-1001", "SN-1001-A", at, kwh)], "X-nodecl").split("\n", 1)[1],
        "ACCEPTED", None, 3, 0, "ACCEPTED", "no XML declaration")


def generate_json_documents():
    sv = ("REJECTED", "SCHEMA_VIOLATION", 0, 0, None)
    base = json_feed([G1, G2], "J-base")
    readings_part = base[base.index('"readings"'):base.rindex("}")].rstrip()
    docs = [
        ("whitespace", b"  \n ", sv, "white space only"),
        ("null", b"null", sv, "null"),
        ("array", b"[]", sv, "an array"),
        ("string", b'"feed"', sv, "a string"),
        ("readings-twice", base.replace(readings_part, readings_part + ",\n  " + readings_part.replace("10000.000", "1")).encode(),
         sv, "readings twice: one set would be counted and another stored"),
        ("header-twice", base.replace('"header"', '"header": {"provider_id": "sunwatch", "batch_id": "a"}, "header"', 1).encode(),
         sv, "header twice"),
        ("duplicate-key-in-reading", base.replace('"register_kwh": "10000.000"',
                                                  '"register_kwh": "10000.000", "register_kwh": "1"', 1).encode(), sv,
         "a member twice in one reading (CSV: repeated column, XML: element twice)"),
        ("utf16-no-bom", base.encode("utf-16-le"), sv, "UTF-16 without byte-order mark"),
        ("utf16-bom", base.encode("utf-16"), sv, "UTF-16 with byte-order mark"),
        ("utf32-no-bom", base.encode("utf-32-be"), sv, "UTF-32 without byte-order mark"),
        ("bad-utf8-byte", base.replace("MA-1001", "MA-\udcff", 1).encode("utf-8", "surrogateescape"), sv,
         "a byte that is not UTF-8"),
        ("raw-nul-in-string", base.replace("MA-1001", "MA-\x001001", 1).encode(), sv,
         "an unescaped control character in a string"),
        ("deep-nesting-100k", ('{"header": {"provider_id": "sunwatch", "batch_id": "deep"}, "readings": [' +
                               "[" * 100000 + "]" * 100000 + "]}").encode(), sv, "100,000 nested arrays"),
        ("header-nested-20", ('{"header": {"provider_id": "sunwatch", "batch_id": "n", "x": ' + '{"a": ' * 20 + "1" +
                              "}" * 20 + "}, " + readings_part + "}").encode(), sv, "20 levels inside the header"),
        ("long-string-100k", base.replace("J-base", "J" * 100000).encode(), sv, "100,000-character string"),
        ("trailing-comma", base.replace('"10500.000"\n    }', '"10500.000"\n    },').encode(), sv, "a trailing comma"),
        ("comment", ("// feed\n" + base).encode(), sv, "a comment"),
        ("nan-literal", base.replace('"10000.000"', "NaN").encode(), sv, "NaN is not JSON"),
        ("single-quotes", base.replace('"header"', "'header'").encode(), sv, "single quotes"),
        ("readings-object", base.replace(readings_part, '"readings": {}').encode(), sv, "readings is an object"),
        ("readings-empty", base.replace(readings_part, '"readings": []').encode(), sv, "no readings"),
        ("unknown-member", base.replace('"header"', '"extra": 1, "header"', 1).encode(), sv, "a member the format does not have"),
        ("truncated", base[: len(base) // 2].encode(), sv, "cut in the middle"),
        ("two-documents", (base + base).encode(), sv, "two documents"),
        ("provider-mismatch", base.replace('"provider_id": "sunwatch"', '"provider_id": "sun\\u0000watch"').encode(),
         sv, "header names another provider, with a NUL (escaped in the message)"),
    ]
    for name, data, (status, code, records, invalid, r3), note in docs:
        add("json/doc-%s.json" % name, "JSON_V1", data, status, code, records, invalid, r3, note)
    one_line = json_feed([G1, G2, ("MA-1001", "SN-1001-A", "2025-06-01", "11000"),
                          ("MA-1001", "SN-1001-A", "2025-06-02T00:00:00Z", "-1"),
                          ("MA-9999", "SN-X", "2025-06-03T00:00:00Z", "1")], "J-line", pretty=False)
    add("json/doc-one-line-mixed.json", "JSON_V1", one_line, "PARTIALLY_ACCEPTED", None, 5, 2, "INVALID_VALUE",
        "one line, three refused readings: each its own record")
    r = json.loads(json_feed([G1, G2], "J-shapes"))
    r["readings"] += ["a string", None, {"system_id": "MA-1001"}, {"system_id": "MA-1001", "meter_serial": "SN-1001-A",
                      "read_at": "2025-06-15T00:00:00Z", "register_kwh": True},
                      {"system_id": "MA-1001", "meter_serial": "SN-1001-A", "read_at": "2025-06-15T00:00:00Z",
                       "register_kwh": {"v": 1}},
                      {"system_id": "MA-1001", "meter_serial": "SN-1001-A", "read_at": "2025-06-15T00:00:00Z",
                       "register_kwh": "1", "extra": 1},
                      {"system_id": "\ud800", "meter_serial": "SN-1001-A", "read_at": "2025-06-15T00:00:00Z",
                       "register_kwh": "1"}]
    add("json/doc-reading-shapes.json", "JSON_V1", json.dumps(r, indent=1, ensure_ascii=True), "PARTIALLY_ACCEPTED",
        None, 9, 7, "INVALID_VALUE", "readings that are not reading objects, wrong types, extra member, lone surrogate")
    at, kwh = fresh()
    add("json/doc-bom.json", "JSON_V1", b"\xef\xbb\xbf" + json_feed([G1, G2, ("MA-1001", "SN-1001-A", at, kwh)],
                                                                    "J-bom").encode(),
        "ACCEPTED", None, 3, 0, "ACCEPTED", "UTF-8 byte-order mark")


def ardata(systems, pretty=True):
    nl = "\n" if pretty else ""
    out = ['<?xml version="1.0" encoding="utf-8"?>' + nl, '<ARData xmlns="%s">' % AR_NS + nl]
    for sid, readings in systems:
        out.append('<ptsSystem sysType="PV"><sysID>%s</sysID><MonthlyData>' % xml_esc(sid) + nl)
        for kwh, at in readings:
            out.append("<PVmonthlyData><kwhRegistry>%s</kwhRegistry><regDateTime>%s</regDateTime></PVmonthlyData>"
                       % (xml_esc(kwh), xml_esc(at)) + nl)
        out.append("</MonthlyData></ptsSystem>" + nl)
    out.append("</ARData>" + nl)
    return "".join(out)


def pts_json(systems, pretty=True):
    body = {"APIKey": "k", "systems": [{"fk_System": s, "metervalue": v, "meterDate": d} for s, v, d in systems]}
    return json.dumps(body, indent=2 if pretty else None, ensure_ascii=True) + "\n"


# MA-1003 (6.2 kW, sunwatch since 2023) is the PTS cases' system; its good readings, as local times.
P1 = ("5000", "2025-01-01T00:00:00")
P2 = ("5300", "2025-02-01T00:00:00")


def generate_pts():
    sv = ("REJECTED", "SCHEMA_VIOLATION", 0, 0, None)
    pslot = [0]

    def pfresh():
        pslot[0] += 1
        return "%d" % (5400 + 5 * pslot[0]), "2025-03-%02dT12:00:00" % pslot[0]

    values = [
        ("kwh-5000-digits", ("9" * 5000, "2025-06-15T00:00:00"), "INVALID_VALUE", "5,000 digits"),
        ("kwh-16-digits", ("1234567890123456", "2025-06-15T00:00:00"), "INVALID_VALUE", "16 integer digits"),
        ("kwh-exponent", ("5.4E+3", "2025-06-15T00:00:00"), "INVALID_VALUE", "exponent"),
        ("kwh-negative", ("-1", "2025-06-15T00:00:00"), "INVALID_VALUE", "negative"),
        ("date-year-0000", ("5400", "0000-01-01T00:00:00"), "INVALID_VALUE", "year 0000"),
        ("date-year-plus-10000", ("5400", "+10000-01-01T00:00:00"), "INVALID_VALUE", "five-digit year"),
        ("date-dst-gap", ("5400", "2025-03-09T02:30:00"), "INVALID_VALUE", "does not exist in New York"),
        ("date-nanos", ("5400", "2025-06-15T00:00:00.0000001"), "INVALID_VALUE", "finer than a microsecond"),
        ("date-garbage", ("5400", "yesterday"), "INVALID_VALUE", "not a date-time"),
        ("date-dst-overlap", None, "ACCEPTED", "fall-back hour: the earlier instant"),
    ]
    for name, reading, code, note in values:
        if reading is None:
            # later than every other PTS case's reading, and above all their registers
            reading = ("9000", "2025-11-02T01:30:00")
        status, invalid = expect(code)
        add("ardata/%s.xml" % name, "PTS_ARDATA", ardata([("MA-1003", [P1, P2, reading])]), status, None, 3, invalid,
            code, note)
        add("pts-json/%s.json" % name, "PTS_JSON", pts_json([("MA-1003",) + P1, ("MA-1003",) + P2, ("MA-1003",) + reading]),
            status, None, 3, invalid, code, note)
    # ids
    add("pts-json/system-nul.json", "PTS_JSON", pts_json([("MA-1003",) + P1, ("MA-1003",) + P2, ("MA-10\x0003", "5400",
        "2025-06-15T00:00:00")]), "PARTIALLY_ACCEPTED", None, 3, 1, "INVALID_VALUE", "NUL in fk_System")
    add("pts-json/system-100-chars.json", "PTS_JSON", pts_json([("MA-1003",) + P1, ("MA-1003",) + P2, ("M" * 100, "5400",
        "2025-06-15T00:00:00")]), "PARTIALLY_ACCEPTED", None, 3, 1, "INVALID_VALUE", "100-character fk_System")
    add("ardata/system-100-chars.xml", "PTS_ARDATA", ardata([("MA-1003", [P1, P2]), ("M" * 100, [("5400",
        "2025-06-15T00:00:00")])]), "PARTIALLY_ACCEPTED", None, 3, 1, "INVALID_VALUE", "100-character sysID")
    # documents
    docs_json = [
        ("systems-twice", pts_json([("MA-1003",) + P1]).replace('"systems"', '"systems": [], "systems"'), "systems twice"),
        ("deep-nesting", '{"APIKey": "k", "x": ' + "[" * 100000 + "]" * 100000 + ', "systems": []}', "100,000 nested arrays"),
        ("utf16", pts_json([("MA-1003",) + P1]).encode("utf-16-le"), "UTF-16 without byte-order mark"),
        ("empty", b"", "zero bytes"),
        ("not-json", b"fk_System,metervalue,meterDate\nMA-1003,5000,2025-01-01T00:00:00\n", "CSV sent as JSON"),
    ]
    for name, data, note in docs_json:
        add("pts-json/doc-%s.json" % name, "PTS_JSON", data, *sv, note)
    docs_xml = [
        ("utf7", ardata([("MA-1003", [P1, P2])]).replace('encoding="utf-8"', 'encoding="UTF-7"'), "declares UTF-7"),
        ("utf16", ardata([("MA-1003", [P1, P2])]).replace('encoding="utf-8"', 'encoding="UTF-16"').encode("utf-16"),
         "UTF-16"),
        ("doctype", ardata([("MA-1003", [P1, P2])]).replace("<ARData", '<!DOCTYPE ARData [<!ENTITY e "x">]><ARData', 1),
         "a DTD"),
        ("not-well-formed", ardata([("MA-1003", [P1, P2])])[:-20], "cut short"),
        ("whitespace", b"\n\n", "white space only"),
    ]
    for name, data, note in docs_xml:
        add("ardata/doc-%s.xml" % name, "PTS_ARDATA", data, *sv, note)
    k1, d1 = pfresh()
    k2, d2 = pfresh()
    add("ardata/doc-one-line.xml", "PTS_ARDATA", ardata([("MA-1003", [P1, P2, (k1, d1), (k2, d2),
                                                                      ("-1", "2025-06-20T00:00:00")])], pretty=False),
        "PARTIALLY_ACCEPTED", None, 5, 1, "ACCEPTED", "one line, five readings")
    k1, d1 = pfresh()
    add("pts-json/doc-one-line.json", "PTS_JSON", pts_json([("MA-1003",) + P1, ("MA-1003",) + P2, ("MA-1003", k1, d1),
                                                            ("MA-1003", "x", "2025-06-20T00:00:00"),
                                                            ("MA-1003", "-1", "2025-06-21T00:00:00")], pretty=False),
        "PARTIALLY_ACCEPTED", None, 5, 2, "ACCEPTED", "one line, five readings")


def main():
    for d in ("csv", "xml", "json", "ardata", "pts-json"):
        shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)
    generate_values()
    generate_json_numbers()
    generate_csv_documents()
    generate_xml_documents()
    generate_json_documents()
    generate_pts()
    # One channel takes several formats at once (SFTP: CSV, XML, JSON; AS2: CSV, XML, ARData): the same
    # bytes twice would rightly be a DUPLICATE_FEED. PTS REST bodies go one at a time.
    seen = {}
    for c in cases:
        with open(os.path.join(HERE, c[0]), "rb") as f:
            data = f.read()
        key = (c[1] == "PTS_JSON", data)
        assert key not in seen, "%s has the same bytes as %s" % (c[0], seen[key])
        seen[key] = c[0]
    with open(os.path.join(HERE, "cases.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "format", "status", "code", "reading_count", "invalid", "record_3", "note"])
        for c in cases:
            w.writerow(c)
    print("%d cases" % len(cases))


if __name__ == "__main__":
    main()
