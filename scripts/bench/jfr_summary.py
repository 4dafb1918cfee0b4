#!/usr/bin/env python3
"""Summarises a JFR recording's CPU samples (jdk.ExecutionSample) as Markdown, and writes folded stacks.

    jfr_summary.py RECORDING.jfr [TOP] [WITHIN]

Prints, for the threads that did the work: samples per thread, the TOP (default 20) methods by self
samples (where the CPU was), and the TOP methods of org.ptsingest by total samples (what our code spent,
callees included). Writes RECORDING.folded beside the recording: one line per distinct stack,
"root;...;leaf count", the input of flame-graph tools (flamegraph.pl, speedscope, inferno).

WITHIN (e.g. org.ptsingest.service.ingest.Deliveries.ingest) keeps only the samples whose stack holds a
frame starting with it: the feed's own work, without start-up and the benchmark's API calls.

Uses the `jfr` tool of the newest JDK under /usr/lib/jvm (or $JFR).
"""
import collections
import glob
import os
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+(\S+)\(.*?\)\s+line:")
THREAD = re.compile(r'sampledThread = "(.*?)"')


def jfr_tool() -> str:
    if os.environ.get("JFR"):
        return os.environ["JFR"]
    tools = sorted(glob.glob("/usr/lib/jvm/*/bin/jfr"), key=lambda p: ("temurin-25" in p, p))
    if not tools:
        sys.exit("jfr_summary.py: no jfr tool under /usr/lib/jvm; set $JFR")
    return tools[-1]


def samples(recording: str):
    out = subprocess.run([jfr_tool(), "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", recording],
                         check=True, capture_output=True, text=True).stdout
    thread, stack = None, []
    for line in out.splitlines():
        m = THREAD.search(line)
        if m:
            thread = re.sub(r"-\d+$", "-N", m.group(1))
            continue
        m = FRAME.match(line)
        if m:
            stack.append(m.group(1))
            continue
        if line.strip() == "]" and stack:
            yield thread, stack  # leaf first
            stack = []


def main() -> None:
    if len(sys.argv) not in (2, 3, 4):
        sys.exit("usage: jfr_summary.py RECORDING.jfr [TOP] [WITHIN]")
    recording = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) >= 3 else 20
    within = sys.argv[3] if len(sys.argv) == 4 else None
    threads = collections.Counter()
    self_time = collections.Counter()
    ours = collections.Counter()
    folded = collections.Counter()
    total = 0
    for thread, stack in samples(recording):
        if within and not any(f.startswith(within) for f in stack):
            continue
        total += 1
        threads[thread] += 1
        self_time[stack[0]] += 1
        for frame in set(stack):
            if frame.startswith("org.ptsingest."):
                ours[frame] += 1
        folded[";".join([thread] + list(reversed(stack)))] += 1
    with open(os.path.splitext(recording)[0] + (".within" if within else "") + ".folded", "w") as f:
        for stack, n in sorted(folded.items()):
            f.write(f"{stack} {n}\n")

    name = os.path.basename(recording)
    print(f"### {name}: {total} CPU samples" + (f" within `{within}`" if within else "") + "\n")
    print("| thread | samples | share |\n| --- | --- | --- |")
    for t, n in threads.most_common(8):
        print(f"| {t} | {n} | {100 * n / total:.1f} % |")
    print(f"\n**Top {top} methods by self samples**\n\n| method | self | share |\n| --- | --- | --- |")
    for m, n in self_time.most_common(top):
        print(f"| `{m}` | {n} | {100 * n / total:.1f} % |")
    print(f"\n**Top {top} of our methods by total samples (callees included)**\n\n| method | total | share |\n| --- | --- | --- |")
    for m, n in ours.most_common(top):
        print(f"| `{m}` | {n} | {100 * n / total:.1f} % |")
    print()


if __name__ == "__main__":
    main()
