"""`make up` prints what a person reads; the services' JSON logs, the migrations' included, go to files under the
run folder (issue 21: about 45 Alembic lines used to land in the terminal)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sinergi_local.infrastructure import Infrastructure
from sinergi_local.platform import SERVICES, Platform


def test_the_migrations_log_to_the_run_folder_not_the_terminal(
    infra: Infrastructure, service_env: Callable[[str], dict[str, str]], test_run_dir: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for service in SERVICES:
        service_env(service)  # provisioned, with the passwords saved under test_run_dir
    platform = Platform(test_run_dir, infra, dict.fromkeys(SERVICES, 0))  # ports: none is served here
    capfd.readouterr()
    platform.migrate()
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    for service in SERVICES:
        lines = (test_run_dir / "logs" / f"{service}-migrate.log").read_text().splitlines()
        assert lines, f"{service}'s migration wrote no log"
        assert all(isinstance(json.loads(line), dict) for line in lines), "the machine logs, as JSON lines"
