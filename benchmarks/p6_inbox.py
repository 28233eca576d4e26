"""P6 inbox: the workspace's inbox page with 100,000 referrals in routing's table. Goal: p95 under 200 ms.

Its own platform, as a person meets it: PostgreSQL, the broker, the OpenID Connect provider, routing and the
workspace, the services verifying the provider's tokens. The referrals are copied in first (``p6_referrals``). Two
demo users sign in through the workspace as a browser does (the authorization-code flow, the provider's form):
the staff of UPTD PPA Barito Timur (several thousand referrals) and Barito Timur's district supervisor (over ten
thousand). For each of them the benchmark reads VIEWS: the first page, a later page by the cursor (the fifth),
the overdue and a status filter.

Server time is the time from sending a GET of the page to reading its whole answer, measured by the client on
the same machine over one kept-alive connection, one request at a time (the views in turn). Each page is a
signed-in request: the workspace loads and touches the session, calls routing's ``GET /v1/referrals`` with the
person's token (routing checks it, lists one page under row-level security) and renders the page.

The baseline is routing's ``GET /v1/referrals`` itself, asked for the same pages with the same person's token:
the part of the page's time the list's query and routing's API take. ``P6_REFERRALS`` sets another number of
referrals (e.g. 10000 while developing).
"""

from __future__ import annotations

import contextlib
import functools
import html
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from benchmarks.common import BENCH_ENV, REPO_ROOT, BenchStack, Figure, median, percentile, side_by_side
from benchmarks.p6_referrals import HOME_REGENCY, Loaded, load
from sinergi_local import infrastructure, processes
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import follow, form_action
from sinergi_local.platform import Platform
from workspace.domain.inbox import InboxFilters

# The benchmark starts its own platform (with the identity provider), not ``make bench``'s shared one.
OWN_PLATFORM = True
REFERRALS = int(os.environ.get("P6_REFERRALS", "100000"))
GOAL_MS = 200.0
REQUESTS_PER_VIEW = 40  # in each run, of each view of each person
WARM_UP_PER_VIEW = 5
LATER_PAGE = 5
PEOPLE = (f"agency_staff.uptd-ppa-{HOME_REGENCY}", f"district_supervisor.{HOME_REGENCY}")
VIEWS = {"first page": "/inbox", f"page {LATER_PAGE}": None, "overdue": "/inbox?overdue=1",
         "in the queue": "/inbox?status=created"}
# The "next page" link: the only link of the inbox to itself with a cursor.
_NEXT = re.compile(r'href="(/inbox\?[^"]*cursor=[^"]*)"')
APPS = ("routing", "workspace")


@contextlib.contextmanager
def inbox_platform(run_dir: Path) -> Iterator[Platform]:
    """PostgreSQL, the broker, the identity provider, routing and the workspace, on free ports."""
    ports = {name: processes.free_port() for name in (*APPS, "oidc")}
    try:
        infra = infrastructure.start(run_dir, postgres_port=processes.free_port(), kafka_port=processes.free_port())
        provider = oidc.start(run_dir, ports["oidc"], workspace_port=ports["workspace"])
        platform = Platform(run_dir, infra, ports, dict(BENCH_ENV), identity=provider)
        platform.provision()
        platform.migrate()
        platform.start_services(APPS)
        yield platform
    finally:
        for name in (*APPS, "oidc"):
            processes.stop(name, run_dir=run_dir)
        infrastructure.discard(run_dir)


@dataclass
class Person:
    """A demo user signed in at the workspace (its session cookie in ``browser``), and their bearer token for
    asking routing directly (the baseline)."""

    username: str
    browser: httpx.Client
    routing: httpx.Client
    pages: dict[str, str] = field(default_factory=dict)  # view -> the workspace's URL of it


def sign_in(platform: Platform, username: str) -> httpx.Client:
    """A browser's session at the workspace: its sign-in, the provider's form, the callback."""
    assert platform.identity is not None
    browser = httpx.Client(base_url=platform.url("workspace"), timeout=30)
    page = follow(browser, browser.get("/auth/sign-in"), stop_at="\0")
    submitted = browser.post(form_action(page), data={"username": username,
                                                      "password": platform.identity.demo_password()})
    home = follow(browser, submitted, stop_at="\0")
    if home.status_code != 200 or not str(home.url).startswith(platform.url("workspace")):
        raise RuntimeError(f"{username} could not sign in at the workspace: {home.status_code} {home.url}")
    return browser


def later_page(browser: httpx.Client, pages: int) -> str:
    """The URL of the inbox's page ``pages + 1``, by following its "next page" links."""
    url = "/inbox"
    for _ in range(pages):
        found = _NEXT.search(_get(browser, url).text)
        if found is None:
            raise RuntimeError(f"the inbox has fewer than {pages + 1} pages")
        url = html.unescape(found.group(1))
    return url


def _get(client: httpx.Client, url: str) -> httpx.Response:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]}")
    return response


def routing_query(workspace_url: str) -> dict[str, str]:
    """The query the workspace sends routing for one of its inbox URLs."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(workspace_url).query).items()}
    return InboxFilters.parse(query).params()


@dataclass
class Timings:
    ours: dict[str, list[float]] = field(default_factory=dict)  # "person: view" -> ms
    baseline: dict[str, list[float]] = field(default_factory=dict)

    @staticmethod
    def all(found: dict[str, list[float]]) -> list[float]:
        return [value for values in found.values() for value in values]


def timed(target: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    response = target()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return elapsed


def measure(people: list[Person], into: dict[str, list[float]], *, workspace: bool, per_view: int) -> list[float]:
    """``per_view`` requests of each view of each person, in turn; the times of this call (ms)."""
    these: list[float] = []
    for _ in range(per_view):
        for person in people:
            for view, url in person.pages.items():
                request = (functools.partial(person.browser.get, url) if workspace else
                           functools.partial(person.routing.get, "/v1/referrals", params=routing_query(url)))
                ms = timed(request)
                into.setdefault(f"{person.username}: {view}", []).append(ms)
                these.append(ms)
    return these


def _people(platform: Platform) -> list[Person]:
    people = []
    for username in PEOPLE:
        browser = sign_in(platform, username)
        routing = httpx.Client(base_url=platform.url("routing"), timeout=30, headers=platform.demo_bearer(username))
        person = Person(username, browser, routing)
        person.pages = {view: url or later_page(browser, LATER_PAGE - 1) for view, url in VIEWS.items()}
        people.append(person)
    return people


def _note(loaded: Loaded, timings: Timings, load_seconds: float) -> str:
    staff_agency = PEOPLE[0].split(".", 1)[1]
    worst = max(timings.ours, key=lambda key: percentile(timings.ours[key], 95))
    return (
        f"{loaded.referrals:,} referrals of {loaded.cases:,} cases (copied in and analysed in {load_seconds:.0f} s); "
        f"{staff_agency} holds {loaded.of_agency.get(staff_agency, 0):,}, regency {HOME_REGENCY} "
        f"{loaded.of_regency.get(HOME_REGENCY, 0):,}; server time measured by the client (GET to the last byte, "
        f"one kept-alive connection, one request at a time); {len(PEOPLE)} people x {len(VIEWS)} views "
        f"({', '.join(VIEWS)}) x {REQUESTS_PER_VIEW} requests per run; over all runs the page's p50 "
        f"{percentile(Timings.all(timings.ours), 50):.0f} ms, p95 {percentile(Timings.all(timings.ours), 95):.0f} "
        f"ms, routing's API alone p50 {percentile(Timings.all(timings.baseline), 50):.0f} ms; slowest view by p95: "
        f"{worst} {percentile(timings.ours[worst], 95):.0f} ms"
    )


def run(stack: BenchStack | None, *, runs: int = 3) -> Figure:
    del stack  # P6 runs on its own platform
    run_dir = REPO_ROOT / ".run" / f"bench-{os.getpid()}-p6"
    with inbox_platform(run_dir) as platform:
        started = time.monotonic()
        loaded = load(platform.infra.admin_dsn, REFERRALS, datetime.now(UTC))
        load_seconds = time.monotonic() - started
        people = _people(platform)
        try:
            warm = Timings()
            measure(people, warm.ours, workspace=True, per_view=WARM_UP_PER_VIEW)
            measure(people, warm.baseline, workspace=False, per_view=WARM_UP_PER_VIEW)
            timings = Timings()
            results = side_by_side(
                runs,
                lambda: percentile(measure(people, timings.ours, workspace=True, per_view=REQUESTS_PER_VIEW), 95),
                lambda: percentile(measure(people, timings.baseline, workspace=False, per_view=REQUESTS_PER_VIEW),
                                   95),
            )
        finally:
            for person in people:
                person.browser.close()
                person.routing.close()
    ours = median([ours for ours, _ in results])
    return Figure(
        name="P6 inbox",
        measure="inbox page's server time, p95 ms",
        ours=ours,
        baseline=median([baseline for _, baseline in results]),
        baseline_name="routing's GET /v1/referrals alone",
        ratio=ours / GOAL_MS,
        goal=f"p95 < {GOAL_MS:.0f} ms",
        met=ours < GOAL_MS,
        runs=results,
        note=_note(loaded, timings, load_seconds),
    )
