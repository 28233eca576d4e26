"""The test tiers, given by what a test uses so that a new test lands in the right one without a hand-written mark.

- ``integration``: the test's fixture closure holds one of INFRASTRUCTURE_FIXTURES (PostgreSQL, the broker, the
  services as processes), or it carries ``integration``/``e2e``/``chaos`` by hand.
- ``browser``: its module imports ``tests.browser`` (Debian's Chromium through Playwright).
- ``alone``: it needs the machine to itself (the chaos run), so ``make test`` runs it after the rest, by itself.
- ``unit``: none of these; ``make unit`` runs exactly these, with no PostgreSQL, broker or browser.

Under ``make unit`` (SINERGI_TEST_TIER=unit) the infrastructure refuses to start, so a unit test that reaches it
by a way this file does not know fails with a message that says so, instead of passing by accident. This module
is a pytest plugin (the root conftest.py loads it).
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from typing import Any, NoReturn

import pytest

# A fixture that starts or reaches PostgreSQL or the broker; a fixture built on one is found through the closure.
INFRASTRUCTURE_FIXTURES = frozenset({"infra", "service_env", "make_settings", "platform"})
# Marks that already say a test needs the infrastructure.
INFRASTRUCTURE_MARKS = ("integration", "e2e", "chaos")
# Marks of the tests that need the machine to themselves.
ALONE_MARKS = ("chaos",)
BROWSER_MODULE = "tests.browser"
TIER_VARIABLE = "SINERGI_TEST_TIER"

MARKERS = (
    "unit: needs no PostgreSQL, broker or browser (given automatically: none of the others applies)",
    "browser: drives Debian's Chromium (given automatically: the module imports tests.browser)",
    "alone: needs the machine to itself; `make test` runs it after the rest, with no other test beside it",
    "xdist_group(name): the tests pytest-xdist runs on one worker (given automatically: tiers.xdist_group)",
)


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if unit_only():
        forbid_infrastructure()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        classify(item)


def unit_only() -> bool:
    return os.environ.get(TIER_VARIABLE) == "unit"


def _uses_browser(module: types.ModuleType | None) -> bool:
    if module is None:
        return False
    for value in vars(module).values():
        if getattr(value, "__name__", None) == BROWSER_MODULE:
            return True
        if getattr(value, "__module__", None) == BROWSER_MODULE:
            return True
    return False


def classify(item: pytest.Item) -> None:
    """Add the tier marks to ``item`` (a test may be both ``integration`` and ``browser``)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    marks = {mark.name for mark in item.iter_markers()}
    needs_infrastructure = bool(fixtures & INFRASTRUCTURE_FIXTURES) or bool(marks & set(INFRASTRUCTURE_MARKS))
    browser = _uses_browser(getattr(item, "module", None))
    if needs_infrastructure and "integration" not in marks:
        item.add_marker(pytest.mark.integration)
    if browser and "browser" not in marks:
        item.add_marker(pytest.mark.browser)
    if marks & set(ALONE_MARKS):
        item.add_marker(pytest.mark.alone)
    if not needs_infrastructure and not browser:
        item.add_marker(pytest.mark.unit)
    item.add_marker(pytest.mark.xdist_group(xdist_group(item)))


def xdist_group(item: pytest.Item) -> str:
    """The pytest-xdist worker unit (``--dist loadgroup``): a service's integration tests all on one worker, one
    after the other as in a single run, so that its package-scoped app starts once and no other module's apps join
    its consumer groups in between; any other test file on a worker of its own choosing."""
    parts = item.path.relative_to(item.config.rootpath).parts
    if len(parts) > 4 and parts[0] == "services" and parts[3] == "integration":
        return "/".join(parts[:4])
    return "/".join(parts)


def refuse_in_unit_run(what: str) -> None:
    if unit_only():
        _refuse(what)


def _refuse(what: str, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise RuntimeError(
        f"{what}: this is the unit run ({TIER_VARIABLE}=unit), which has no PostgreSQL, broker or browser. "
        f"A test that needs them takes one of the fixtures {sorted(INFRASTRUCTURE_FIXTURES)} (or imports "
        f"{BROWSER_MODULE}), which puts it in the integration or browser tier (tests/tiers.py)."
    )


def _refusing(what: str) -> Callable[..., NoReturn]:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        _refuse(what, *args, **kwargs)

    return refuse


def forbid_infrastructure() -> None:
    """Make every way of starting PostgreSQL, the broker, the services or Chromium fail in the unit run."""
    from playwright.async_api import BrowserType

    from sinergi_local import containers, infrastructure, platform, postgres, tansu

    for module, name in (
        (infrastructure, "start"), (postgres, "start"), (tansu, "start"), (containers, "start_containers"),
    ):
        setattr(module, name, _refusing(f"{module.__name__}.{name}"))
    platform.Platform.start_services = _refusing("Platform.start_services")  # type: ignore[method-assign]
    BrowserType.launch = _refusing("Chromium")  # type: ignore[method-assign]
