"""Process memory and CPU from /proc (Linux), without extra dependencies.

``CpuWatch`` tells how busy the machine was during a measurement *apart from*
the processes being measured: on a shared machine that is the noise to report
next to every figure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        raw = fh.read()
    # The command name (field 2) may hold spaces: split after its closing paren.
    return raw[raw.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``."""
    parent_of: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent_of[int(entry)] = int(_stat_fields(int(entry))[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parent_of.items() if parent == current]
        found += kids
        frontier += kids
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    return [pid, *children(pid)]


def rss_mib(pids: Iterable[int]) -> float:
    """Resident memory of these processes, MiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time of these processes (and their reaped children), seconds."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores)."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


@dataclass
class CpuWatch:
    """Machine CPU used by others (not ``pids``) while a measurement runs."""

    pids: list[int]
    started: float = 0.0
    busy0: float = 0.0
    own0: float = 0.0
    load0: float = 0.0

    def __enter__(self) -> CpuWatch:
        self.started = time.monotonic()
        self.busy0 = machine_busy_seconds()
        self.own0 = cpu_seconds(self.pids)
        self.load0 = os.getloadavg()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(time.monotonic() - self.started, 1e-6)
        busy = machine_busy_seconds() - self.busy0
        own = cpu_seconds(self.pids) - self.own0
        self.result = {
            "wall_s": round(wall, 2),
            "own_cores": round(own / wall, 2),
            "other_cores": round(max(0.0, busy - own) / wall, 2),
            "load1_start": round(self.load0, 2),
            "load1_end": round(os.getloadavg()[0], 2),
        }


def settle(own: list[int], *, below: float = 0.5, patience_s: float = 60.0) -> dict[str, float]:
    """Wait (at most ``patience_s``) until other processes use under ``below`` cores.

    On a shared machine this starts each measured run in a quiet moment when
    there is one; what was seen is returned and reported either way.
    """
    started = time.monotonic()
    other = 0.0
    quiet = 0
    while True:
        busy0, own0 = machine_busy_seconds(), cpu_seconds(own)
        time.sleep(1.0)
        other = max(0.0, (machine_busy_seconds() - busy0) - (cpu_seconds(own) - own0))
        quiet = quiet + 1 if other < below else 0
        waited = time.monotonic() - started
        if quiet >= 2 or waited >= patience_s:
            return {"waited_s": round(waited, 1), "other_cores_before": round(other, 2)}
