"""P3 replay: how fast ``sinergi reporting rebuild`` builds the read models again from every topic, against
plain aiokafka reading the same topics from the same broker.

The topics (of a broker of P3's own, ``p3_p4_kafka``) hold the history of ``CASES`` cases (``p3_events``:
about eleven events each, on all four topics). Each run reads all of it twice, in processes of their own
(``p3_readers``): the rebuild, with reporting's settings against the platform's database, and the raw reading.
Both must read every record published, or the run is void. Afterwards the platform's read models are rebuilt
from the platform's own topics, as they were."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping

from benchmarks.common import REPO_ROOT, BenchStack, Figure, median, side_by_side
from benchmarks.p3_events import histories
from benchmarks.p3_p4_kafka import outgoing, own_broker, publish
from sinergi_local import processes

CASES = 2000
GOAL = 0.5


class Readers:
    """Runs the two readers, each in its own process, and keeps the CPU each spent per event (the note: on a
    busy machine, where the time went)."""

    def __init__(self, env: Mapping[str, str], expected: int) -> None:
        self.env, self.expected = env, expected
        self.cpu_per_event: dict[str, list[float]] = {"rebuild": [], "raw": []}

    def events_per_second(self, which: str) -> float:
        result = _read(which, self.env, self.expected)
        self.cpu_per_event[which].append(result["cpu_seconds"] / result["events"])
        return float(result["events"] / result["seconds"])

    def note(self) -> str:
        rebuild, raw = (median(self.cpu_per_event[which]) * 1e6 for which in ("rebuild", "raw"))
        return (f"{self.expected:,} events of {CASES:,} cases on 4 topics (24 partitions), read from the start to "
                f"the end; CPU per event in the reading process: rebuild {rebuild:.0f} µs, raw {raw:.0f} µs")


def _read(which: str, env: Mapping[str, str], expected: int) -> dict[str, float]:
    """What one reader reports (``p3_readers``), run in its own process; every record must have been read."""
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.p3_readers", which], env=dict(env), cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=900, check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"P3 {which} reader failed:\n{finished.stderr[-3000:]}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    if result["events"] != expected:
        raise RuntimeError(f"P3 {which} reader read {result['events']} events of {expected}")
    return {key: float(value) for key, value in result.items()}


def _rebuild_platform_read_models(stack: BenchStack) -> None:
    """The platform's read models as its own topics build them, as they were before P3 replaced them."""
    finished = subprocess.run([sys.executable, "-m", "reporting", "rebuild", "--no-progress"], cwd=REPO_ROOT,
                              env=stack.platform.service_env("reporting"), capture_output=True, text=True,
                              timeout=900, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"P3 could not rebuild the platform's read models:\n{finished.stderr[-3000:]}")


def run(stack: BenchStack, *, runs: int) -> Figure:
    with own_broker(stack, "p3-broker") as bootstrap:
        ends = processes.run_coroutine(publish(bootstrap, outgoing(histories(CASES))))
        env = {**stack.platform.service_env("reporting"), "REPORTING_KAFKA_BOOTSTRAP_SERVERS": bootstrap}
        readers = Readers(env, expected=sum(ends.values()))
        try:
            results = side_by_side(runs, lambda: readers.events_per_second("rebuild"),
                                   lambda: readers.events_per_second("raw"))
        finally:
            _rebuild_platform_read_models(stack)
    ours, raw = median([a for a, _ in results]), median([b for _, b in results])
    ratio = median([a / b for a, b in results])  # paired: each run's two readers met the same machine
    return Figure(
        name="P3 replay", measure="events/s rebuilding the read models", ours=ours, baseline=raw,
        baseline_name="raw aiokafka read of the same topics", ratio=ratio, goal=f"ratio >= {GOAL}",
        met=ratio >= GOAL, runs=results, note=readers.note(),
    )
