"""The bare baseline app (``benchmarks.bare_intake``) as a process beside the platform of a benchmark run: started
once per run (P1 and P5 share it, so P5 weighs the baseline that took P1's load, as the services did), stopped
when the benchmark process exits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from benchmarks.bare_intake import TABLE
from benchmarks.common import REPO_ROOT, BenchStack
from sinergi_local import processes

NAME = "bare-intake"


@dataclass(frozen=True)
class BareIntake:
    url: str
    pid: int
    dsn: str

    def stored(self) -> int:
        """How many reports its table holds."""
        return asyncio.run(_count(self.dsn, f"SELECT count(*) FROM {TABLE}"))  # noqa: S608 - a constant


async def _count(dsn: str, query: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


_started: dict[Path, BareIntake] = {}


def bare_intake(stack: BenchStack) -> BareIntake:
    """The run's bare app, started (and made ready) on first use."""
    if stack.run_dir in _started:
        return _started[stack.run_dir]
    port = processes.free_port()
    dsn = stack.platform.infra.admin_dsn
    pid = processes.start(
        NAME, [sys.executable, "-m", "benchmarks.bare_intake"], run_dir=stack.run_dir, cwd=REPO_ROOT,
        env={**os.environ, "BARE_INTAKE_DSN": dsn, "BARE_INTAKE_PORT": str(port)},
    )
    stack.extra_processes.append(NAME)
    bare = BareIntake(f"http://127.0.0.1:{port}", pid, dsn)
    _wait_ready(bare, stack.run_dir / "logs" / f"{NAME}.log")
    _started[stack.run_dir] = bare
    return bare


def _wait_ready(bare: BareIntake, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not processes.is_running(bare.pid):
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{bare.url}/ready", timeout=5).status_code == 200:
                return
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"the bare intake app is not ready after {timeout}s:\n{tail}")
