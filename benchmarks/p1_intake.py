"""P1 intake: reports accepted per second (validated, encrypted, stored, outboxed) by intake's public endpoint,
against a bare FastAPI + asyncpg endpoint that inserts the same JSON into one table (``benchmarks.bare_intake``).

Both get the same closed-loop load from wrk (``benchmarks.http_load``): CONNECTIONS connections for SECONDS,
every request a distinct valid report spread over Indonesia's regencies. Only 2xx answers count; anything
else, a report stored but not counted (or counted but not stored), an outbox that does not drain or an error
in intake's log is reported in the note. Goal: intake at least 0.7 of the bare rate.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from benchmarks.bare_process import BareIntake, bare_intake
from benchmarks.common import BenchStack, Figure, median, side_by_side
from benchmarks.http_load import LoadResult, run_wrk
from shared.regions import load_regions

CONNECTIONS = 16
SECONDS = 10
WARM_UP_SECONDS = 3  # a first short load on each, not counted: pools filled, statements prepared
OUTBOX_DRAIN_TIMEOUT = 120.0
GOAL = 0.7
SCRIPT = Path(__file__).with_name("http_post_reports.lua")
# Log lines of intake that mean something went wrong during the load.
TROUBLE = ('"level": "ERROR"', '"level": "CRITICAL"', "outbox relay failed")

# Each wrk run tags its reports (names, phones, addresses) with its own number, so no run's reports match
# another's as duplicates.
_run_tags = itertools.count(1)


def regency_codes() -> list[str]:
    regions = load_regions()
    return [regency.code for province in regions.provinces() for regency in regions.regencies_of(province.code)]


def load(url: str, seconds: int) -> LoadResult:
    return run_wrk(
        f"{url}/v1/reports", script=SCRIPT, script_args=[str(next(_run_tags) % 100), *regency_codes()],
        connections=CONNECTIONS, seconds=seconds,
    )


async def _scalar(dsn: str, query: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


def scalar(dsn: str, query: str) -> int:
    return asyncio.run(_scalar(dsn, query))


@dataclass
class Findings:
    """What went wrong in the runs, for the note: empty when nothing did."""

    problems: list[str] = field(default_factory=list)
    outbox_backlogs: list[int] = field(default_factory=list)  # unpublished right after each intake run
    drain_seconds: list[float] = field(default_factory=list)
    latencies_p99_ms: dict[str, list[float]] = field(default_factory=lambda: {"intake": [], "bare": []})

    def check(self, who: str, result: LoadResult, stored: int) -> None:
        if problems := result.problems():
            self.problems.append(f"{who}: {problems}")
        # A request in flight when wrk stops may be stored without its answer being counted, never the reverse.
        if not 0 <= stored - result.accepted <= CONNECTIONS:
            self.problems.append(f"{who}: {result.accepted} accepted but {stored} stored")
        self.latencies_p99_ms[who].append(result.latency_p99_ms)


class IntakeUnderLoad:
    """Intake's side of a run, with the checks that its reports are stored and its outbox keeps flowing."""

    def __init__(self, stack: BenchStack) -> None:
        self.url = stack.platform.url("intake")
        self.dsn = stack.platform.infra.admin_dsn
        self.log = stack.run_dir / "logs" / "intake.log"

    def run(self, findings: Findings, seconds: int = SECONDS) -> float:
        before = scalar(self.dsn, "SELECT count(*) FROM intake.cases")
        log_offset = self.log.stat().st_size
        result = load(self.url, seconds)
        findings.outbox_backlogs.append(self.unpublished())
        findings.check("intake", result, scalar(self.dsn, "SELECT count(*) FROM intake.cases") - before)
        self.wait_for_outbox(findings)
        with self.log.open(errors="replace") as log:
            log.seek(log_offset)
            if trouble := [line for line in log if any(mark in line for mark in TROUBLE)]:
                findings.problems.append(f"intake logged {len(trouble)} errors: {trouble[0].strip()[:300]}")
        return result.accepted_per_second

    def unpublished(self) -> int:
        return scalar(self.dsn, "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL")

    def wait_for_outbox(self, findings: Findings) -> None:
        """The relay publishes every event the run queued (so the next run starts level, and we know it works)."""
        started = time.monotonic()
        while (left := self.unpublished()) > 0:
            if time.monotonic() - started > OUTBOX_DRAIN_TIMEOUT:
                findings.problems.append(f"intake's outbox still holds {left} events after {OUTBOX_DRAIN_TIMEOUT}s")
                return
            time.sleep(0.2)
        findings.drain_seconds.append(time.monotonic() - started)


def bare_run(bare: BareIntake, findings: Findings, seconds: int = SECONDS) -> float:
    before = bare.stored()
    result = load(bare.url, seconds)
    findings.check("bare", result, bare.stored() - before)
    return result.accepted_per_second


def run(stack: BenchStack, *, runs: int = 3) -> Figure:
    bare = bare_intake(stack)
    intake = IntakeUnderLoad(stack)
    warm_up = Findings()
    intake.run(warm_up, WARM_UP_SECONDS)
    bare_run(bare, warm_up, WARM_UP_SECONDS)
    findings = Findings(problems=[f"warm-up: {problem}" for problem in warm_up.problems])
    results = side_by_side(runs, lambda: intake.run(findings), lambda: bare_run(bare, findings))
    # Each run's two loads met the same machine at nearly the same time: the median of the runs' ratios.
    ratio = median([ours / baseline for ours, baseline in results]) if all(b > 0 for _, b in results) else 0.0
    note = (
        f"{CONNECTIONS} connections, {SECONDS} s per load (wrk); ratio is the median of the runs' ratios; "
        f"p99 latency intake {median(findings.latencies_p99_ms['intake']):.0f} ms, "
        f"bare {median(findings.latencies_p99_ms['bare']):.0f} ms; intake's outbox held at most "
        f"{max(findings.outbox_backlogs)} unpublished events as a load ended, drained in "
        f"{max(findings.drain_seconds, default=0.0):.1f} s at most; "
        + ("problems: " + "; ".join(findings.problems) if findings.problems else "every answer 2xx, no errors")
    )
    return Figure(
        name="P1 intake",
        measure="reports accepted/s",
        ours=median([ours for ours, _ in results]),
        baseline=median([baseline for _, baseline in results]),
        baseline_name="bare FastAPI + asyncpg insert",
        ratio=ratio,
        goal=f"ratio >= {GOAL}",
        met=ratio >= GOAL and not findings.problems,
        runs=results,
        note=note,
    )
