"""How ``make test`` hands test files to its pytest-xdist workers: the slow files first.

xdist's ``--dist loadfile`` queues the files with the most tests first. Those are the quick unit files, so the
cross-service files (a platform of processes, a browser, the fuzzing: minutes each, with few tests) came last, and
the run waited at its end on one worker while the other idled. Here the cross-service files under ``tests/`` go
first, then the services' integration files, then the rest; within each, xdist's own order.

The files on the signed platform (the OIDC provider, the four services and the workspace: six processes and a
broker, which cost CPU even idle) go to one worker together, so only that worker starts one.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

# The files whose tests take the ``signed_platform`` fixture (tests/test_scheduling.py checks this list).
SIGNED_PLATFORM_FILES = frozenset({
    "tests/test_access_matrix_workspace.py",
    "tests/test_workspace_admin_browser.py",
    "tests/test_workspace_browser.py",
    "tests/test_workspace_oversight_browser.py",
    "tests/test_workspace_operator_browser.py",
    "tests/test_workspace_district_browser.py",
    "tests/test_workspace_signed_in.py",
})
SIGNED_PLATFORM_SCOPE = "tests/ (the signed platform's files)"


def scope_of(nodeid: str) -> str:
    """The unit a worker takes whole: a file, or all the signed platform's files."""
    path = nodeid.split("::", 1)[0]
    return SIGNED_PLATFORM_SCOPE if path in SIGNED_PLATFORM_FILES else path


def weight(scope: str) -> int:
    """The larger, the sooner: a file's expected length, from where it lives."""
    if scope.startswith("tests/"):
        return 2
    if "/integration/" in scope:
        return 1
    return 0


def slow_first(scopes: list[str]) -> list[str]:
    """``scopes`` (files, in xdist's order) with the heavier kinds first; the sort is stable."""
    return sorted(scopes, key=lambda scope: -weight(scope))


class SlowFilesFirst(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        if not getattr(self, "_slow_first", False):  # the first assignment: xdist has just filled its queue
            units = dict(self.workqueue)
            self.workqueue.clear()
            self.workqueue.update((scope, units[scope]) for scope in slow_first(list(units)))
            self._slow_first = True
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    if config.getoption("dist") != "loadfile":
        return None
    return SlowFilesFirst(config, log)
