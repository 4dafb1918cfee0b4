#!/usr/bin/env python3
"""Reads the service's answer to a PTS-compatible post and says whether every system succeeded.

    check_pts_answer.py FORMAT ANSWER_FILE HTTP_CODE SYSTEMS PER_SYSTEM

FORMAT is json (POST /pts/v1/readings: {"feed_id", "status", "results": [{"fk_System", "success",
"records_inserted", "messages"}]}), ardata (POST /pts/v1/ardata: <Results FeedID Status> with one
<ARSystemResults SystemID> per system holding Success, RecordsInserted, Messages) or soap (POST
/pts/v1/soap: the same Results document as escaped text in postdataResponse/postdataResult, or a
soap:Fault).

Prints one line "OK <summary>" or "FAIL <summary>". All-success means: HTTP 200, feed status ACCEPTED,
exactly SYSTEMS systems answered, each with success true, PER_SYSTEM records inserted and no message
(the generated readings are all valid and unflagged, so any message is a finding).
"""
import json
import sys
import xml.etree.ElementTree as ET

SOAP_NS = "{http://schemas.xmlsoap.org/soap/envelope/}"
SERVICE_NS = "{https://ar.masscec-pts.com/}"


def head(path: str, n: int = 400) -> str:
    with open(path, "rb") as f:
        return " ".join(f.read(n).decode("utf-8", "replace").split())


def results_xml(root: ET.Element):
    """(feed id, status, [(system, success, inserted, messages)]) of a Results document."""
    systems = []
    for s in root.iter("ARSystemResults"):
        systems.append((s.get("SystemID"), (s.findtext("Success") or "").strip() == "true",
                        int((s.findtext("RecordsInserted") or "0").strip()), (s.findtext("Messages") or "").strip()))
    return root.get("FeedID"), root.get("Status"), systems


def main() -> None:
    fmt, path, code = sys.argv[1], sys.argv[2], sys.argv[3]
    n_systems, per_system = int(sys.argv[4]), int(sys.argv[5])
    try:
        if fmt == "json":
            if code != "200":
                raise ValueError(f"HTTP {code}: {head(path)}")
            a = json.load(open(path, encoding="utf-8"))
            feed, status = a.get("feed_id"), a.get("status")
            systems = [(r.get("fk_System"), r.get("success") is True, r.get("records_inserted", 0),
                        "; ".join(r.get("messages") or [])) for r in a.get("results", [])]
        elif fmt == "ardata":
            if code != "200":
                raise ValueError(f"HTTP {code}: {head(path)}")
            feed, status, systems = results_xml(ET.parse(path).getroot())
        else:
            envelope = ET.parse(path).getroot()
            fault = envelope.find(f"{SOAP_NS}Body/{SOAP_NS}Fault")
            if fault is not None:
                raise ValueError(f"HTTP {code}, soap:Fault {fault.findtext('faultcode')}: {fault.findtext('faultstring')}")
            if code != "200":
                raise ValueError(f"HTTP {code}: {head(path)}")
            result = envelope.findtext(f"{SOAP_NS}Body/{SERVICE_NS}postdataResponse/{SERVICE_NS}postdataResult")
            if result is None:
                raise ValueError(f"HTTP {code}, no postdataResult: {head(path)}")
            feed, status, systems = results_xml(ET.fromstring(result))
    except (ValueError, ET.ParseError, json.JSONDecodeError) as e:
        print(f"FAIL {e}" if isinstance(e, ValueError) else f"FAIL HTTP {code}, unreadable answer ({e}): {head(path)}")
        return

    succeeded = sum(1 for s in systems if s[1])
    inserted = sum(s[2] for s in systems)
    with_messages = [s for s in systems if s[3]]
    short = [s for s in systems if s[2] != per_system]
    summary = (f"HTTP {code}, feed {feed} {status}: {len(systems)} systems answered, {succeeded} success, "
               f"{inserted} records inserted, {len(with_messages)} with messages")
    problems = []
    if status != "ACCEPTED":
        problems.append(f"status {status}")
    if len(systems) != n_systems or len({s[0] for s in systems}) != n_systems:
        problems.append(f"{len(systems)} results for {n_systems} systems")
    if succeeded != len(systems):
        problems.append(f"{len(systems) - succeeded} not success")
    if short:
        problems.append(f"{len(short)} systems without {per_system} records inserted, e.g. {short[0][0]}: {short[0][2]}")
    if with_messages:
        problems.append(f"e.g. {with_messages[0][0]}: {with_messages[0][3][:300]}")
    print(("FAIL " if problems else "OK ") + summary + ("" if not problems else " -- " + "; ".join(problems)))


if __name__ == "__main__":
    main()
