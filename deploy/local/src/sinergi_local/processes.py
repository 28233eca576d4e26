"""Background processes with pid files: start detached, stop only what we started."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(FileNotFoundError):
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return False
    return True


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if is_running(pid) else None


def start(
    name: str,
    command: Sequence[str],
    *,
    run_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start ``command`` in its own session, output to ``run_dir/logs/name.log``, pid in ``run_dir/pids``."""
    pid_file = run_dir / "pids" / f"{name}.pid"
    existing = read_pid(pid_file)
    if existing is not None:
        return existing
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "logs" / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    return process.pid


def stop(name: str, *, run_dir: Path, timeout: float = 10.0, sig: int = signal.SIGTERM) -> bool:
    """Stop the process group we started under ``name``; True if one was running."""
    pid_file = run_dir / "pids" / f"{name}.pid"
    pid = read_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + timeout
    while is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if is_running(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return True


def kill(name: str, *, run_dir: Path) -> bool:
    """SIGKILL, for chaos: no chance to clean up."""
    return stop(name, run_dir=run_dir, timeout=2.0, sig=signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ensure_port_free(port: int, name: str) -> None:
    """Refuse to start where something else already listens: we would silently talk to a stranger."""
    if port_in_use(port):
        raise RuntimeError(f"cannot start {name}: port {port} is already in use by another process")


def wait_for_port(port: int, *, timeout: float, name: str, pid: int | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if pid is not None and not is_running(pid):
            break
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout}s\n{tail}")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a fresh event loop in its own thread, so synchronous set-up code
    can be called from inside a running loop (test fixtures) as well as from a plain script."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
