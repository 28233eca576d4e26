"""HTTP load from a process apart from what it measures: Debian's ``wrk`` (C, one event loop per thread) driven
by a Lua script that builds each request and counts the answers by status. ``make bench`` installs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "  # the line the Lua script's ``done`` prints


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run saw: answers by HTTP status, socket errors, and how long it ran."""

    seconds: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    latency_p50_ms: float
    latency_p99_ms: float

    @property
    def accepted(self) -> int:
        """Answers with a 2xx status: only those count as done."""
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def accepted_per_second(self) -> float:
        return self.accepted / self.seconds

    @property
    def refused(self) -> dict[int, int]:
        return {status: count for status, count in sorted(self.statuses.items()) if not 200 <= status < 300}

    def problems(self) -> str:
        """Every answer that was not 2xx and every socket error, in words; empty when there were none."""
        parts = [f"HTTP {status}: {count}" for status, count in self.refused.items()]
        parts += [f"{count} {kind}" for kind, count in self.socket_errors.items() if count]
        return ", ".join(parts)


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: `make bench` installs it (Debian's package `wrk`)")
    return found


def run_wrk(
    url: str, *, script: Path, script_args: Sequence[str], connections: int, seconds: int, threads: int = 1
) -> LoadResult:
    """Load ``url`` for ``seconds`` with ``connections`` open connections, each sending its next request as soon
    as the previous one is answered (closed loop), as ``script`` builds them."""
    command = [
        wrk_path(), f"--threads={threads}", f"--connections={connections}", f"--duration={seconds}s",
        "--timeout=10s", f"--script={script}", url, "--", *script_args,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not lines:
        output = completed.stdout[-2000:] + completed.stderr[-2000:]
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{output}")
    raw = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return LoadResult(
        seconds=raw["duration_us"] / 1e6,
        statuses={int(status): count for status, count in raw["statuses"].items()},
        socket_errors={kind: raw[f"{kind}_errors"] for kind in ("connect", "read", "write")}
        | {"timeouts": raw["timeouts"]},
        latency_p50_ms=raw["latency_p50_us"] / 1000,
        latency_p99_ms=raw["latency_p99_us"] / 1000,
    )
