#!/usr/bin/env python3
"""Where the machine's CPU went while a feed was processed: the difference of two snapshots.

    cpu_split.py snapshot PID FILE
    cpu_split.py diff START END

A snapshot holds the time, the service's per-thread CPU ticks (/proc/PID/task/*/stat; a thread that ends in
between is not counted), the summed ticks of every PostgreSQL process, and the machine's busy and idle ticks
(/proc/stat). Prints one line: the wall time, the service's CPU split into the JIT compilers, the
garbage collector and the rest (the feed's own work), PostgreSQL's CPU, and how much of the machine's
capacity (cores x wall) was idle. A sum near the capacity means the run was CPU-bound: overlapping
more work cannot make it faster, only doing less work can.
"""
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def load(path):
    threads, postgres, machine, wall = {}, 0, (0, 0), 0.0
    with open(path) as f:
        for line in f:
            kind, rest = line.rstrip("\n").split(" ", 1)
            if kind == "T":
                tid, comm, ticks = rest.split("\t")
                if ticks:  # (a thread that ended while it was read)
                    threads[tid] = (comm, int(ticks))
            elif kind == "P" and rest:
                postgres += int(rest)
            elif kind == "M":
                busy, idle = rest.split()
                machine = (int(busy), int(idle))
            elif kind == "W":
                wall = float(rest)
    return threads, postgres, machine, wall


def ticks(stat_path):
    """utime + stime of /proc/.../stat, counted after the ")" that ends the command name (which may hold spaces)."""
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def snapshot(pid, path):
    lines = [f"W {time.time()}"]
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            lines.append(f"T {tid}\t{comm}\t{ticks(f'/proc/{pid}/task/{tid}/stat')}")
        except (FileNotFoundError, ProcessLookupError):
            pass
    postgres = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/comm") as f:
                    if f.read().strip() == "postgres":
                        postgres += ticks(f"/proc/{p}/stat")
            except (FileNotFoundError, ProcessLookupError):
                pass
    lines.append(f"P {postgres}")
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    lines.append(f"M {cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]} {cpu[3] + cpu[4]}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
        return
    t0, pg0, m0, w0 = load(sys.argv[2])
    t1, pg1, m1, w1 = load(sys.argv[3])
    groups = {"jit": 0, "gc": 0, "work": 0}
    for tid, (comm, ticks) in t1.items():
        used = ticks - t0.get(tid, (comm, 0))[1]
        if comm.startswith(("C1 Compiler", "C2 Compiler")):
            groups["jit"] += used
        elif comm.startswith(("GC Thread", "G1 ")):
            groups["gc"] += used
        else:
            groups["work"] += used
    wall = w1 - w0
    cores = os.cpu_count() or 1
    service = sum(groups.values()) / TICK
    print(f"{service:.1f} cpu-s service (JIT compilers {groups['jit'] / TICK:.1f}, GC {groups['gc'] / TICK:.1f}, "
          f"the rest {groups['work'] / TICK:.1f}), {(pg1 - pg0) / TICK:.1f} cpu-s PostgreSQL; machine idle "
          f"{(m1[1] - m0[1]) / TICK:.1f} of {cores} x {wall:.1f} cpu-s")


if __name__ == "__main__":
    main()
