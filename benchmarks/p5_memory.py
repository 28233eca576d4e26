"""P5 memory: the resident memory (RSS) of each of the four service processes, ready and idle, against that of the
bare FastAPI + asyncpg app (``benchmarks.bare_intake``). Goal: every service at most 150 MB.

Idle means no load: a process counts as idle once it has used under IDLE_CPU of a core in each of IDLE_SECONDS
consecutive seconds. Not zero: an idle service still polls (its outbox relay, its Kafka consumers), and the
CPU share each one takes for that is in the note. The services are weighed as they are when P5 runs, after
whatever load the benchmarks before it gave them (in ``make bench``, P1 to P4), as the bare app is after P1's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bare_process import bare_intake
from benchmarks.common import BenchStack, Figure, median, rss_megabytes, side_by_side
from sinergi_local import processes
from sinergi_local.platform import SERVICES

LIMIT_MB = 150.0
IDLE_CPU = 0.25  # share of one core; a service under load takes all of one
IDLE_SECONDS = 3
IDLE_TIMEOUT = 60.0
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    # The command name (field 2) may hold spaces; every field after it follows its closing parenthesis.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


@dataclass(frozen=True)
class Quiet:
    """How a wait for idleness ended: whether every process went idle, and the CPU share each took meanwhile."""

    idle: bool
    cpu_share: dict[str, float]


def wait_until_idle(pids: Mapping[str, int]) -> Quiet:
    """Wait until every process in ``pids`` has been idle IDLE_SECONDS in a row, or IDLE_TIMEOUT has passed (the
    reading is then taken anyway, and the note says so)."""
    deadline = time.monotonic() + IDLE_TIMEOUT
    quiet_seconds = 0
    shares: list[dict[str, float]] = []
    while quiet_seconds < IDLE_SECONDS and time.monotonic() < deadline:
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.monotonic()
        time.sleep(1)
        elapsed = time.monotonic() - started
        share = {name: (cpu_seconds(pid) - before[name]) / elapsed for name, pid in pids.items()}
        quiet_seconds = quiet_seconds + 1 if max(share.values()) < IDLE_CPU else 0
        shares.append(share)
    last = shares[-IDLE_SECONDS:]
    return Quiet(quiet_seconds >= IDLE_SECONDS, {name: median([share[name] for share in last]) for name in pids})


def service_pids(stack: BenchStack) -> dict[str, int]:
    pids = {}
    for service in SERVICES:
        stack.platform.wait_ready(service)
        pid = processes.read_pid(stack.run_dir / "pids" / f"{service}.pid")
        if pid is None:
            raise RuntimeError(f"{service} is not running")
        pids[service] = pid
    return pids


def _listed(values: Mapping[str, float], unit: str) -> str:
    return ", ".join(f"{name} {value:.0f}{unit}" for name, value in values.items())


def run(stack: BenchStack, *, runs: int = 3) -> Figure:
    bare = bare_intake(stack)
    pids = service_pids(stack)
    readings: list[dict[str, float]] = []
    waits: list[Quiet] = []

    def services_rss() -> float:
        waits.append(wait_until_idle({**pids, "bare": bare.pid}))
        readings.append({service: rss_megabytes(pid) for service, pid in pids.items()})
        return max(readings[-1].values())

    def bare_rss() -> float:
        return rss_megabytes(bare.pid)

    results = side_by_side(runs, services_rss, bare_rss)
    each = {service: median([reading[service] for reading in readings]) for service in SERVICES}
    largest = max(each, key=lambda service: each[service])
    idle_cpu = {name: 100 * median([wait.cpu_share[name] for wait in waits]) for name in (*SERVICES, "bare")}
    ours = median([ours for ours, _ in results])
    note = (
        f"largest: {largest}; each service (median idle RSS): {_listed(each, ' MB')}; ratio is the largest over "
        f"{LIMIT_MB:.0f} MB; the bare app imports only FastAPI, asyncpg and uvicorn; CPU while idle (polling): "
        f"{_listed(idle_cpu, '%')} of a core"
        + ("" if all(wait.idle for wait in waits) else f"; not every process went idle within {IDLE_TIMEOUT:.0f} s")
    )
    return Figure(
        name="P5 memory",
        measure="idle RSS of the largest service, MB",
        ours=ours,
        baseline=median([baseline for _, baseline in results]),
        baseline_name="bare FastAPI + asyncpg app",
        ratio=ours / LIMIT_MB,
        goal=f"max RSS <= {LIMIT_MB:.0f} MB",
        met=all(value <= LIMIT_MB for value in each.values()),
        runs=results,
        note=note,
    )
