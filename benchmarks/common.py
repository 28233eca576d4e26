"""What every benchmark shares: the platform on local processes under its own run folder, a figure and its
baseline, and the statistics (medians of several runs, ratios, percentiles)."""

from __future__ import annotations

import contextlib
import os
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sinergi_local import infrastructure, processes
from sinergi_local.platform import HELPERS, SERVICES, Platform, start_platform

REPO_ROOT = Path(__file__).resolve().parents[1]

# The load comes from one client address: no public rate limit. Nothing else differs from `make up`.
BENCH_ENV = {f"{service.upper()}_HTTP_PUBLIC_RATE_LIMIT": "100000000/minute" for service in SERVICES}


@dataclass(frozen=True)
class Figure:
    """One benchmark's outcome: our figure and the baseline's, each the median of ``runs`` side-by-side runs."""

    name: str  # "P1 intake"
    measure: str  # what the numbers are, with their unit: "reports accepted/s"
    ours: float
    baseline: float
    baseline_name: str  # "bare FastAPI + asyncpg insert"
    ratio: float  # the number the goal is about (ours / baseline, or the reverse, as ``goal`` says)
    goal: str  # "ratio >= 0.7"
    met: bool
    runs: Sequence[tuple[float, float]] = ()  # (ours, baseline) of each run
    note: str = ""


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` percentile (0-100) of ``values``, by the inclusive method (what p50/p99 usually mean)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return float(statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]) if q < 100 else ordered[-1]


def side_by_side(
    runs: int, ours: Callable[[], float], baseline: Callable[[], float]
) -> list[tuple[float, float]]:
    """Run ours and the baseline in turn ``runs`` times (alternating which goes first, so neither always meets
    a warmer or a busier machine)."""
    results = []
    for index in range(runs):
        if index % 2 == 0:
            a = ours()
            b = baseline()
        else:
            b = baseline()
            a = ours()
        results.append((a, b))
    return results


def rss_megabytes(pid: int) -> float:
    """Resident memory of a process, in MB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class BenchStack:
    """The platform of a benchmark run, under ``.run/bench-<pid>``: PostgreSQL, Tansu (memory storage), the
    four services, the webhook sink and the mail server, all on free ports."""

    run_dir: Path
    platform: Platform
    # Processes a benchmark started under ``run_dir`` beside the platform (its baselines): stopped with it.
    extra_processes: list[str] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return self.platform.infra.kafka_bootstrap_servers


@contextlib.contextmanager
def bench_stack(services: tuple[str, ...] = SERVICES) -> Iterator[BenchStack]:
    run_dir = REPO_ROOT / ".run" / f"bench-{os.getpid()}"
    ports = {name: processes.free_port() for name in (*SERVICES, *HELPERS)}
    platform = start_platform(
        run_dir, ports=ports, postgres_port=processes.free_port(), kafka_port=processes.free_port(),
        extra_env=BENCH_ENV, services=services,
    )
    stack = BenchStack(run_dir, platform)
    try:
        yield stack
    finally:
        for name in stack.extra_processes:
            processes.stop(name, run_dir=run_dir)
        platform.stop()
        infrastructure.discard(run_dir)
