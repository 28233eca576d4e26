"""The test tiers (``tests/tiers.py``): a test's tier follows from what it uses, with no hand-written mark, and the
unit run refuses the infrastructure to a test that reaches it unmarked. Each case runs pytest on a small suite of
its own, with the tiers plugin and stand-in fixtures of the real fixtures' names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

CONFTEST = '''
import pytest

@pytest.fixture(scope="session")
def infra():
    from tests import tiers
    tiers.refuse_in_unit_run("infra")
    return "infrastructure"

@pytest.fixture
def make_settings(infra):
    return infra

@pytest.fixture
def built_on_settings(make_settings):  # the infrastructure two fixtures away
    return make_settings
'''

SUITE = '''
import pytest

def test_pure():
    assert 1 + 1 == 2

def test_takes_infra(infra):
    assert infra

def test_takes_a_fixture_built_on_it(built_on_settings):
    assert built_on_settings

@pytest.mark.chaos
def test_chaos():
    assert True

def test_starts_a_broker_by_hand(tmp_path):
    from sinergi_local import tansu
    tansu.start(tmp_path, 1)
'''

BROWSER_SUITE = '''
from tests.browser import chromium

def test_in_the_browser():
    assert chromium
'''


REPORT = '''
import json
from pathlib import Path

import pytest

TIERS = ("unit", "integration", "browser", "alone")


@pytest.hookimpl(wrapper=True)  # around the tiers plugin's marks and -k's deselection: every item, marked
def pytest_collection_modifyitems(items):
    everything = list(items)
    result = yield
    tiers = {item.name: sorted({m.name for m in item.iter_markers()} & set(TIERS)) for item in everything}
    Path(__file__).with_name("tiers.json").write_text(json.dumps(tiers))
    return result
'''


def run_pytest(tmp_path: Path, *args: str, unit: bool = False) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_suite.py").write_text(SUITE)
    (tmp_path / "test_browser_suite.py").write_text(BROWSER_SUITE)
    (tmp_path / "tier_report.py").write_text(REPORT)
    env = {key: value for key, value in os.environ.items() if key not in ("SINERGI_TEST_TIER", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join((str(REPO_ROOT), str(tmp_path)))
    if unit:
        env["SINERGI_TEST_TIER"] = "unit"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.tiers", "-p", "tier_report", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(tmp_path), "-c", os.devnull, *args, str(tmp_path)],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env, timeout=300,
    )


def test_the_tiers_follow_from_the_fixtures_the_marks_and_the_imports(tmp_path: Path) -> None:
    """Outside the unit run the infrastructure fixtures serve; every test has its tiers."""
    result = run_pytest(tmp_path, "-q", "-k", "takes")
    assert result.returncode == 0, result.stdout
    assert "2 passed" in result.stdout
    assert json.loads((tmp_path / "tiers.json").read_text()) == {
        "test_pure": ["unit"],
        "test_starts_a_broker_by_hand": ["unit"],  # unmarked: the unit run below catches it
        "test_takes_infra": ["integration"],
        "test_takes_a_fixture_built_on_it": ["integration"],
        "test_chaos": ["alone", "integration"],
        "test_in_the_browser": ["browser"],
    }


def test_the_unit_run_refuses_the_infrastructure(tmp_path: Path) -> None:
    """A unit test that starts the broker by hand fails, and so does the infra fixture asked for by name."""
    result = run_pytest(tmp_path, "-q", "-k", "pure or by_hand or takes_infra", unit=True)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed" in result.stdout
    assert "1 error" in result.stdout  # the fixture refused
    assert "sinergi_local.tansu.start: this is the unit run" in result.stdout
    assert "infra: this is the unit run" in result.stdout
