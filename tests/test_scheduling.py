"""make test's workers take the slow files first (tests/scheduling.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scheduling import SIGNED_PLATFORM_FILES, SIGNED_PLATFORM_SCOPE, scope_of, slow_first

REPO_ROOT = Path(__file__).parent.parent


def test_cross_service_files_then_integration_files_then_the_rest_each_in_xdists_order() -> None:
    queue = ["shared/tests/test_a.py", "services/routing/tests/integration/test_b.py", "tests/test_c.py",
             "services/intake/tests/unit/test_d.py", "tests/test_e.py", "services/intake/tests/integration/test_f.py"]
    assert slow_first(queue) == [
        "tests/test_c.py", "tests/test_e.py",
        "services/routing/tests/integration/test_b.py", "services/intake/tests/integration/test_f.py",
        "shared/tests/test_a.py", "services/intake/tests/unit/test_d.py",
    ]


def test_a_loadfile_run_starts_with_the_cross_service_files() -> None:
    """On one worker the files run in the queue's order. xdist alone would start with the file of more tests."""
    files = ["shared/tests/test_shared_validation_messages.py", "tests/test_scheduling.py"]
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", "--dist", "loadfile", "-p", "no:cacheprovider", "-v",
         "--noconftest", "-p", "tests.scheduling",  # the plugin alone: the suite's fixtures cost seconds to load
         "-k", "not loadfile_run", *files],  # not this test itself
        capture_output=True, text=True, check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    order = [line.split()[-1] for line in ran.stdout.splitlines() if line.startswith("[gw0]") and "PASSED" in line]
    assert order, ran.stdout
    assert order[0].startswith("tests/test_scheduling.py"), order


def test_the_signed_platforms_files_are_one_unit_and_the_list_is_whole() -> None:
    users = {str(path.relative_to(REPO_ROOT)) for path in REPO_ROOT.glob("tests/test_*.py")
             if re.search(r"\bsigned_platform\s*:", path.read_text())}  # a parameter
    assert users == SIGNED_PLATFORM_FILES
    assert {scope_of(f"{path}::test_x") for path in users} == {SIGNED_PLATFORM_SCOPE}
    assert scope_of("tests/test_end_to_end.py::test_x[a]") == "tests/test_end_to_end.py"


def test_the_suite_loads_the_scheduler(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("tests.scheduling")
