"""The chaos suite at CI size: reports submitted while each service is SIGKILLed and restarted once, PostgreSQL
restarted once and the broker (Tansu on s3:// storage, backed by moto) restarted once; nothing accepted may be
lost or duplicated. ``make chaos`` runs the same driver with 10,000 reports (README, "Chaos")."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sinergi_local.platform import REPO_ROOT

pytestmark = pytest.mark.chaos

REPORTS = 120
FIGURE = re.compile(r"^\s+(lost|duplicated|result)\s+(\S+)", re.MULTILINE)


@pytest.mark.timeout(1500)
def test_nothing_accepted_is_lost_or_duplicated_under_faults(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-m", "sinergi_local.chaos", "--reports", str(REPORTS), "--rate", "2",
         "--kills-per-service", "1", "--seed", "8", "--run-dir", str(tmp_path / "chaos"), "--settle-timeout", "600"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        output, _ = run.communicate(timeout=1400)
    except subprocess.TimeoutExpired:
        run.terminate()  # the driver stops every process it started on SIGTERM
        output, _ = run.communicate(timeout=120)
        pytest.fail(f"the chaos run did not finish in time:\n{output}")
    figures = dict(FIGURE.findall(output))
    assert figures.get("lost") == "0", output
    assert figures.get("duplicated") == "0", output
    assert figures.get("result") == "PASS", output
    assert run.returncode == 0, output
    assert f"submitted {REPORTS}" in output
    assert "restarts     services 4   postgres 1   broker 1" in output, output
