"""The access matrix's workspace part: every page and form of the workspace, for a person of every role, signed in
through the real OIDC provider's page (``tests.workspace_people``) on the platform behind it. The services' own
matrix is ``tests/test_access_matrix.py``; the workspace calls them as the signed-in person, so what it may show
or do follows from theirs, and this table says how each answer looks in a browser:

- ``page``: the page (200); ``stream``: the live inbox's event stream; ``done``: a form that worked, back to the
  referral's page (303; a later person's repeat of a move may meet 409, said on the page); ``to_case``: a form
  of the operator's that worked, back to the case's page;
- ``admin``: a form of the province admin's pages (directory, rules) that worked, back to its page (303);
- ``hand_done``: a district supervisor's form that worked, back to the case's page in the district's pages;
- ``sign_in``: to sign-in first (303 to /auth/sign-in), for whoever is not signed in;
- ``not_yet``: a role the workspace has no pages for yet (issue 23): a clear 403 page that says so;
- ``refused``: a clear 403 or 404 page (no access, not found, or the refusal said on the referral's page), with
  nothing of the case the person may not see.

``MATRIX`` has one entry per route; a route in no entry fails ``test_every_workspace_route_is_in_the_matrix``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.workspace_people import Person, browser
from workspace.app import create_app
from workspace.settings import WorkspaceSettings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

# Who signs in (a demo user of each role; the public signs in as nobody).
PEOPLE: dict[str, str | None] = {
    "public": None,
    "staff-62.13": "agency_staff.uptd-ppa-62.13",  # the lead agency of case A
    "supervisor-62.13": "agency_supervisor.uptd-ppa-62.13",
    "school-62.13": "agency_staff.disdik-62.13",  # same district, not referred
    "staff-62.71": "agency_staff.uptd-ppa-62.71",  # another district's UPTD PPA
    "district-62.13": "district_supervisor.62.13",  # supervises case A's regency
    "district-62.71": "district_supervisor.62.71",
    "operator-62.13": "operator.62.13",
    "admin-62": "province_admin.62",
    "auditor-62": "auditor.62",
    "national": "national_admin",
}
EVERYONE = frozenset(PEOPLE)
SIGNED_IN = EVERYONE - {"public"}
LEAD_AGENCY = frozenset({"staff-62.13", "supervisor-62.13"})
AGENCY_PEOPLE = LEAD_AGENCY | {"school-62.13", "staff-62.71"}
DISTRICT_SUPERVISORS = frozenset({"district-62.13", "district-62.71"})
OPERATORS = frozenset({"operator-62.13"})
WITH_PAGES = AGENCY_PEOPLE | DISTRICT_SUPERVISORS
# Who has pages of their own besides (issue 23): their home page links to them; an inbox or a referral's page
# is refused to them, never "not yet".
OVERSIGHT = frozenset({"auditor-62", "admin-62"})
PROVINCE_ADMINS = frozenset({"admin-62"})  # the directory, rules, subscriptions and export pages
NOT_YET = SIGNED_IN - WITH_PAGES - OVERSIGHT - OPERATORS  # the national admin: issue 23
CASE_A_VIEWERS = LEAD_AGENCY | {"district-62.13"}  # of those with pages: the lead agency and the region

VICTIM = "Matriks Ruang Kerja Korban"
NARRATIVE = "Narasi matriks ruang kerja yang rahasia."
NOTE = "Catatan matriks ruang kerja: korban sudah dihubungi."
FOLLOW_UP = "Tindak lanjut matriks ruang kerja: kunjungan rumah."
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 33, "name": VICTIM}],
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": NARRATIVE,
}
NOT_YET_TEXT = "The workspace has no pages for your role yet"
REFUSED_TEXTS = ("You do not have access to this page", "Page not found", "Your role may not make this change")


def _follow_up_form(_name: str) -> dict[str, str]:
    due = (datetime.now(UTC) + timedelta(days=4)).strftime("%d/%m/%Y")
    return {"due_date": due, "due_time": "10:00", "province": "62", "follow_up_note": FOLLOW_UP}


@dataclass(frozen=True)
class Entry:
    method: str
    route: str  # as the workspace declares it
    answer: str  # what the allowed get: page, stream, done, back, provider, failed, signed_out
    allowed: frozenset[str]
    filtered: frozenset[str] = frozenset()  # the page, without case A
    shows: str | None = None  # what an allowed page shows (a key of the world's values)
    personal: frozenset[str] = frozenset()  # who sees case A's personal values on it
    body: Mapping[str, Any] | Callable[[str], Mapping[str, Any]] = field(default_factory=dict)
    at: Mapping[str, str] = field(default_factory=dict)  # path parameter -> world key, where not the default
    needs_workspace: bool = True  # public: sign in; roles without pages: not yet
    repeated: frozenset[int] = frozenset({409})  # what a later allowed person may meet, the move being made
    status: int = 200  # of a page
    query: Mapping[str, str] = field(default_factory=dict)  # of a GET
    to: str | None = None  # where a form that worked sends the person (answer "moved"), as a route


REFERRAL = "/cases/{case_id}/referrals/{referral_id}"
SUBSCRIPTIONS = "/admin/subscriptions"
# A webhook where nothing listens, told only of follow-ups falling due (days away): nothing is sent meanwhile.
HOOK = "http://127.0.0.1:9/matrix-hook"
SUBSCRIPTION_FORM = {"agency_id": "uptd-ppa-62.13", "channel": "webhook", "target": HOOK,
                     "event_types": "referral.follow_up_due", "language": "id"}
EXPORT = {"date_from": "01/01/2026", "date_to": "31/12/2026", "regency": "62.13", "format": "csv"}
# The province admin's pages: the agencies of the admin's province, and its rules. The matrix's own agency of 62.13
# (made in the world) is edited and taken out of service; a new one is added.
MATRIX_AGENCY = "matrix-ws-community-62.13"
_AGENCY_FORM = {"action": "save", "name": "Satgas PPA Matriks", "agency_type": "community", "level": "regency",
                "regency_code": "62.13", "district_code": "62.13.02", "services": ["pengaduan"], "active": "1"}
DISTRICT_CASE = "/district/cases/{case_id}"
MATRIX = (
    Entry("GET", "/", "page", SIGNED_IN, needs_workspace=False),
    Entry("GET", "/inbox", "page", LEAD_AGENCY | {"district-62.13"},
          filtered=frozenset({"school-62.13", "staff-62.71", "district-62.71"}), shows="case_number"),
    Entry("GET", "/inbox/events", "stream", WITH_PAGES),
    Entry("GET", REFERRAL, "page", CASE_A_VIEWERS, shows="case_number", personal=LEAD_AGENCY),
    # The district supervisor's pages: their district's (the other district's supervisor gets theirs, without case
    # A), and case A's referrals, which only the supervisor of its regency sees.
    Entry("GET", "/district", "page", frozenset({"district-62.13"}), filtered=frozenset({"district-62.71"}),
          shows="case_number"),
    Entry("GET", DISTRICT_CASE, "page", frozenset({"district-62.13"}), shows="case_number"),
    Entry("GET", "/district/dashboard", "page", DISTRICT_SUPERVISORS),
    Entry("POST", REFERRAL + "/notes", "done", LEAD_AGENCY, body={"note": NOTE}),
    Entry("POST", REFERRAL + "/follow-ups", "done", LEAD_AGENCY, body=_follow_up_form),
    Entry("POST", REFERRAL + "/follow-ups/{follow_up_id}/done", "done", LEAD_AGENCY),
    # Case A's referral is accepted, started and completed; case E's is declined.
    Entry("POST", REFERRAL + "/{move}", "done", LEAD_AGENCY, at={"move": "accept"}),
    Entry("POST", REFERRAL + "/{move}", "done", LEAD_AGENCY, at={"move": "start"}),
    Entry("POST", REFERRAL + "/{move}", "done", LEAD_AGENCY, at={"move": "complete"},
          body={"services_given": ["pengaduan"]}),
    Entry("POST", REFERRAL + "/{move}", "done", LEAD_AGENCY, at={"move": "decline", "case_id": "case_e",
                                                               "referral_id": "referral_e"},
          # Once declined, the case is no longer the agency's to see (access follows the referral): not found.
          body={"reason": "Matriks ruang kerja: di luar kapasitas"}, repeated=frozenset({409, 404})),
    # The auditor's pages: case A of their province, found by its number; its trail, reads and chain.
    Entry("GET", "/audit", "page", frozenset({"auditor-62"}), needs_workspace=False),
    Entry("GET", "/audit", "moved", frozenset({"auditor-62"}), needs_workspace=False,
          query={"case": "case_number"}, to="/audit/cases/{case_id}"),
    Entry("GET", "/audit/cases/{case_id}", "page", frozenset({"auditor-62"}), needs_workspace=False,
          shows="case_number"),
    # The province admin's: their province's subscriptions (subscription A, made for case A's lead agency), a new
    # one (its secret on the answer), pause, resume, a new secret, delete; the SIMFONI export.
    Entry("GET", SUBSCRIPTIONS, "page", PROVINCE_ADMINS, needs_workspace=False, shows="subscription_a"),
    Entry("GET", SUBSCRIPTIONS + "/new", "page", PROVINCE_ADMINS, needs_workspace=False),
    Entry("POST", SUBSCRIPTIONS, "page", PROVINCE_ADMINS, needs_workspace=False, body=SUBSCRIPTION_FORM, status=201),
    Entry("GET", SUBSCRIPTIONS + "/{subscription_id}", "page", PROVINCE_ADMINS, needs_workspace=False,
          shows="subscription_a"),
    Entry("POST", SUBSCRIPTIONS + "/{subscription_id}/{action}", "moved", PROVINCE_ADMINS, needs_workspace=False,
          at={"action": "pause"}, to=SUBSCRIPTIONS + "/{subscription_id}"),
    Entry("POST", SUBSCRIPTIONS + "/{subscription_id}/{action}", "page", PROVINCE_ADMINS, needs_workspace=False,
          at={"action": "rotate-secret"}, shows="subscription_a"),
    Entry("POST", SUBSCRIPTIONS + "/{subscription_id}/{action}", "moved", PROVINCE_ADMINS, needs_workspace=False,
          at={"action": "delete"}, to=SUBSCRIPTIONS, repeated=frozenset({404})),
    Entry("GET", "/admin/exports/simfoni", "page", PROVINCE_ADMINS, needs_workspace=False),
    Entry("GET", "/admin/exports/simfoni/file", "file", PROVINCE_ADMINS, needs_workspace=False, query=EXPORT),
    Entry("GET", "/admin/agencies", "page", PROVINCE_ADMINS, needs_workspace=False),
    Entry("GET", "/admin/agencies/new", "page", PROVINCE_ADMINS, needs_workspace=False),
    Entry("POST", "/admin/agencies/new", "admin", PROVINCE_ADMINS, needs_workspace=False,
          body={**_AGENCY_FORM, "agency_id": "matrix-ws-new-62.13"}),
    Entry("GET", "/admin/agencies/{agency_id}", "page", PROVINCE_ADMINS, needs_workspace=False,
          at={"agency_id": MATRIX_AGENCY}),
    Entry("POST", "/admin/agencies/{agency_id}", "admin", PROVINCE_ADMINS, needs_workspace=False,
          body=_AGENCY_FORM, at={"agency_id": MATRIX_AGENCY}),
    Entry("POST", "/admin/agencies/{agency_id}/deactivate", "admin", PROVINCE_ADMINS, needs_workspace=False,
          at={"agency_id": MATRIX_AGENCY}),
    Entry("GET", "/admin/rules", "page", PROVINCE_ADMINS, needs_workspace=False),
    # A preview (a page saying where the sample case would go); nothing is stored.
    Entry("POST", "/admin/rules", "page", PROVINCE_ADMINS, needs_workspace=False,
          body={"action": "preview", "rules_yaml": "version: 99\nrules: []\n", "regency_code": "62.13"}),
    # The operator's pages: their reports (case O, which they recorded), the messages waiting, the report form
    # ("add another victim" posts it back), a case's triage and raising its priority.
    Entry("GET", "/reports", "page", OPERATORS, shows="case_number"),  # case A, of the operator's region
    Entry("GET", "/drafts", "page", OPERATORS),
    Entry("GET", "/reports/new", "page", OPERATORS),
    Entry("POST", "/reports/new", "page", OPERATORS, body={"action": "add_victim", "victims": "1"}),
    Entry("GET", "/reports/{case_id}", "page", OPERATORS, shows="case_o_number", at={"case_id": "case_o"}),
    Entry("POST", "/reports/{case_id}/priority", "to_case", OPERATORS, at={"case_id": "case_o"},
          body={"priority": "P2", "reason": "Matriks ruang kerja: penelepon menelepon lagi."}),
    # After case E's decline (its lead now the one routing re-routed to): its lead handed to the province's UPTD
    # PPA, then a referral by hand to the province's Dinas PPA; case F's lead revoked.
    Entry("POST", DISTRICT_CASE + "/{hand}", "hand_done", frozenset({"district-62.13"}),
          at={"hand": "handover", "case_id": "case_e"},
          body={"agency_id": "uptd-ppa-62", "hand_reason": "Matriks: lembaga utama dialihkan", "confirm": "1"}),
    Entry("POST", DISTRICT_CASE + "/{hand}", "hand_done", frozenset({"district-62.13"}),
          at={"hand": "refer", "case_id": "case_e"},
          body={"agency_id": "dinas-ppa-62", "hand_reason": "Matriks: rujukan manual", "confirm": "1"}),
    Entry("POST", DISTRICT_CASE + "/referrals/{referral_id}/revoke", "hand_done", frozenset({"district-62.13"}),
          at={"case_id": "case_f", "referral_id": "referral_f"},
          body={"hand_reason": "Matriks: rujukan dicabut", "confirm": "1"}),
    Entry("POST", "/language", "back", EVERYONE, body={"lang": "en", "back": "/inbox"},
          needs_workspace=False),
    Entry("GET", "/auth/sign-in", "provider", EVERYONE, needs_workspace=False),
    Entry("GET", "/auth/callback", "failed", EVERYONE, needs_workspace=False),  # no sign-in under way
    Entry("GET", "/auth/signed-out", "signed_out", EVERYONE, needs_workspace=False),
    Entry("POST", "/auth/sign-out", "provider", SIGNED_IN, needs_workspace=False),  # last: it ends the sessions
)
# Served to anyone and holding nothing of a case: the health checks, the metrics (counts), the (empty) API
# documents, the stylesheet and the live inbox's script.
NOT_IN_THE_MATRIX = {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",
                     "/docs-assets", "/static"}
PATH_IDS = {"case_id": "case_a", "referral_id": "referral_a", "follow_up_id": "follow_up_a",
            "subscription_id": "subscription_a"}


@dataclass
class World:
    platform: Platform
    people: dict[str, Person]
    values: dict[str, str]

    def url(self, entry: Entry) -> str:
        ids = {param: self.values.get(key, key) for param, key in {**PATH_IDS, **entry.at}.items()}
        return entry.route.format(**ids)


def _flat(routes: list[Any]) -> list[Any]:
    """The routes of the app and of the routers it includes (included without a prefix)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found += _flat(included.routes) if included is not None else [route]
    return found


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    declared = set()
    for route in _flat(app.routes):
        path = getattr(route, "path", "")
        if path in NOT_IN_THE_MATRIX:
            continue
        for method in getattr(route, "methods", None) or {"GET"}:
            if method != "HEAD":
                declared.add((method, path))
    return declared


async def _lead(client: httpx.AsyncClient, platform: Platform, case_id: str) -> str:
    async with asyncio.timeout(120):
        while True:
            answer = await client.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals",
                                      headers=platform.demo_bearer("province_admin.62"))
            lead = next((r for r in answer.json() if r["is_lead"]), None) if answer.status_code == 200 else None
            if lead:
                assert lead["agency_id"] == "uptd-ppa-62.13"
                return str(lead["referral_id"])
            await asyncio.sleep(0.2)


async def _build(client: httpx.AsyncClient, platform: Platform) -> dict[str, str]:
    """Case A (referred to the UPTD PPA of 62.13) with a note and a follow-up of its staff, and case E."""
    intake, routing = platform.url("intake"), platform.url("routing")
    case_a = (await client.post(f"{intake}/v1/reports", json=REPORT)).json()
    case_e = (await client.post(f"{intake}/v1/reports", json={**REPORT, "victims": [{"sex": "laki_laki",
                                                                                       "age": 40}]})).json()
    case_o = (await client.post(f"{intake}/v1/reports", json={  # a P3 report by the operator, linked to nothing
        **REPORT, "channel": "hotline", "victims": [{"sex": "perempuan", "age": 33}],
        "narrative": "Narasi operator matriks ruang kerja."},
                                headers=platform.demo_bearer(PEOPLE["operator-62.13"] or ""))).json()
    values = {"case_a": case_a["case_id"], "case_number": case_a["case_number"], "case_e": case_e["case_id"],
              "case_o": case_o["case_id"], "case_o_number": case_o["case_number"]}
    values["referral_a"] = await _lead(client, platform, values["case_a"])
    values["referral_e"] = await _lead(client, platform, values["case_e"])
    case_f = (await client.post(f"{intake}/v1/reports", json={**REPORT, "victims": [{"sex": "laki_laki",
                                                                                       "age": 50}]})).json()
    values["case_f"] = case_f["case_id"]
    values["referral_f"] = await _lead(client, platform, values["case_f"])  # revoked by the district
    staff = platform.demo_bearer(PEOPLE["staff-62.13"] or "")
    async with asyncio.timeout(120):  # until intake has heard of the referral
        while True:
            noted = await client.post(f"{intake}/v1/cases/{values['case_a']}/updates", headers=staff,
                                      json={"kind": "information_added", "note": NOTE})
            if noted.status_code == 201:
                break
            await asyncio.sleep(0.2)
    followed = await client.post(f"{routing}/v1/referrals/{values['referral_a']}/follow-ups", headers=staff, json={
        "due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "note": FOLLOW_UP})
    assert followed.status_code == 201, followed.text
    values["follow_up_a"] = followed.json()["follow_up_id"]
    subscribed = await client.post(f"{platform.url('notifications')}/v1/subscriptions", json={
        "agency_id": "uptd-ppa-62.13", "channel": "webhook", "target": HOOK, "event_types": ["referral.follow_up_due"],
    }, headers=platform.demo_bearer("province_admin.62"))
    assert subscribed.status_code == 201, subscribed.text
    values["subscription_a"] = subscribed.json()["subscription_id"]
    verification = f"{platform.url('reporting')}/v1/audit/cases/{values['case_a']}/verification"
    async with asyncio.timeout(120):  # until reporting has case A in its audit trail
        while True:
            verified = await client.get(verification, headers=platform.demo_bearer("auditor.62"))
            if verified.status_code == 200:
                break
            await asyncio.sleep(0.2)
    agency = await client.put(
        f"{routing}/v1/agencies/{MATRIX_AGENCY}", headers=platform.demo_bearer("province_admin.62"),
        json={"agency_id": MATRIX_AGENCY, "name": "Satgas PPA Matriks", "agency_type": "community", "level": "regency",
              "province_code": "62", "regency_code": "62.13"})
    assert agency.status_code in (200, 201), agency.text
    return values


@pytest.fixture(scope="module")
async def world(signed_platform: Platform) -> AsyncIterator[World]:
    seed_directory(signed_platform)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        values = await _build(client, signed_platform)
        people = {}
        for name, username in PEOPLE.items():
            person = await stack.enter_async_context(browser(signed_platform, lang="en"))
            if username is None:
                await person.get("/auth/signed-out")  # an anonymous session, with a form token
            else:
                landed = await person.sign_in(signed_platform, username)
                assert landed.status_code == 200, (name, landed.text[:300])
            people[name] = person
        yield World(signed_platform, people, values)


async def test_every_workspace_route_is_in_the_matrix(
    world: World, make_settings: Callable[..., WorkspaceSettings]
) -> None:
    app = create_app(make_settings(WorkspaceSettings, "workspace", oidc_issuer=world.platform.identity.issuer))
    in_matrix = {(entry.method, entry.route) for entry in MATRIX}
    assert _routes(app) - in_matrix == set(), "workspace routes missing from MATRIX"
    assert in_matrix - _routes(app) == set(), "MATRIX names routes the workspace does not have"
    assert ("GET", "/inbox") in _routes(app), "the included routers are read"
    for entry in MATRIX:
        assert entry.allowed | entry.filtered <= EVERYONE
        assert not entry.allowed & entry.filtered


def _secrets_for(name: str, world: World) -> set[str]:
    """What ``name`` may never see on any answer: case A's personal values unless they are of its lead agency,
    and its case number unless they may see case A."""
    hidden = set() if name in LEAD_AGENCY else {VICTIM, NARRATIVE, NOTE, FOLLOW_UP}
    # The province's auditor and admin supervise case A's region: its number is theirs to see (trail, export); the
    # operator of 62.13 lists case A among their region's reports (no personal field), not its referral.
    return hidden | (set() if name in CASE_A_VIEWERS | OVERSIGHT | OPERATORS else {world.values["case_number"]})


async def _call(world: World, entry: Entry, name: str) -> httpx.Response:
    person = world.people[name]
    url = world.url(entry)
    if entry.method == "GET" and entry.answer == "stream":
        async with person.client.stream("GET", person.base + url) as streamed:
            if streamed.status_code != 200:
                await streamed.aread()
            return streamed  # the status and headers; an event stream is closed here, unread
    if entry.method == "GET":
        return await person.get(url, params={key: world.values.get(value, value) for key, value in entry.query.items()})
    body = entry.body(name) if callable(entry.body) else entry.body
    form = await person.get("/auth/signed-out")  # any page: the session's form token
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    return await person.post(url, data={**body, **({"csrf_token": token.group(1)} if token else {})})


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except httpx.ResponseNotRead:  # an event stream, closed unread
        return ""


def _check(world: World, entry: Entry, name: str, response: httpx.Response, *, first_allowed: bool) -> None:
    text, location = _text(response), response.headers.get("location", "")
    where = f"{name}: {entry.method} {world.url(entry)} -> {response.status_code} {location} {text[:300]}"
    assert not [secret for secret in _secrets_for(name, world) if secret in text], where
    if name == "public" and entry.route == "/auth/sign-out":  # no session: nothing to end
        assert (response.status_code, location) == (303, "/auth/signed-out"), where
    elif name == "public" and (entry.needs_workspace or name not in entry.allowed):
        assert (response.status_code, location) == (303, "/auth/sign-in"), where
    elif entry.needs_workspace and name in NOT_YET:
        assert response.status_code == 403, where
        assert NOT_YET_TEXT in text, where
    elif name in entry.filtered:
        assert response.status_code == 200, where
    elif name not in entry.allowed:
        assert response.status_code in {403, 404}, where
        assert any(phrase in text for phrase in REFUSED_TEXTS), where
    else:
        _check_allowed(world, entry, name, response, first_allowed=first_allowed, where=where)


def _check_allowed(
    world: World, entry: Entry, name: str, response: httpx.Response, *, first_allowed: bool, where: str
) -> None:
    location, text = response.headers.get("location", ""), _text(response)
    issuer = world.platform.identity.issuer  # type: ignore[union-attr]
    if entry.answer == "page":
        assert response.status_code == entry.status, where
        assert response.headers["content-type"].startswith("text/html"), where
        if name in NOT_YET:
            assert NOT_YET_TEXT in text, where
        if entry.shows:
            assert world.values[entry.shows] in text, where
        if name in entry.personal:
            assert VICTIM in text, where
    elif entry.answer == "stream":
        assert response.status_code == 200, where
        assert response.headers["content-type"].startswith("text/event-stream"), where
    elif entry.answer == "done":
        ok = (response.status_code == 303 and location == world.url(Entry("GET", REFERRAL, "page", frozenset(),
                                                                           at=entry.at)))
        assert ok or (not first_allowed and response.status_code in entry.repeated), where
    elif entry.answer in {"moved", "file", "admin", "to_case", "hand_done"}:
        _check_own_pages(world, entry, response, first_allowed=first_allowed, where=where)
    elif entry.answer == "back":
        assert (response.status_code, location) == (303, "/inbox"), where
    elif entry.answer == "provider":
        assert response.status_code in {302, 303}, where
        assert location.startswith(issuer), where
    elif entry.answer == "failed":
        assert response.status_code == 400, where
        assert "Sign-in did not finish" in text, where
    elif entry.answer == "signed_out":
        assert response.status_code == 200, where
        assert "You have signed out" in text, where


def _check_own_pages(
    world: World, entry: Entry, response: httpx.Response, *, first_allowed: bool, where: str
) -> None:
    """The answers, besides a page, of the pages of the roles without an inbox (auditor, province admin,
    operator) and of the district supervisor's own."""
    location = response.headers.get("location", "")
    if entry.answer == "to_case":
        assert (response.status_code, location) == (303, world.url(entry).rsplit("/", 1)[0]), where
    elif entry.answer == "hand_done":  # back to the case's page of the district supervisor
        ok = (response.status_code == 303 and location == world.url(Entry("GET", DISTRICT_CASE, "page", frozenset(),
                                                                           at=entry.at)))
        assert ok or (not first_allowed and response.status_code in entry.repeated), where
    elif entry.answer == "moved":
        assert entry.to is not None
        target = Entry("GET", entry.to, "page", frozenset(), at=entry.at)
        assert (response.status_code, location) == (303, world.url(target)), where
    elif entry.answer == "file":
        assert response.status_code == 200, where
        assert response.headers["content-type"].startswith("text/csv"), where
        assert "attachment" in response.headers["content-disposition"], where
    else:  # "admin": a form of the admin's pages that worked: back to the directory or the rules
        assert response.status_code == 303, where
        assert location.startswith("/admin/"), where


@pytest.mark.parametrize("entry", MATRIX, ids=lambda e: f"{e.method} {e.route} {dict(e.at).get('move', '')}".strip())
async def test_each_person_gets_exactly_what_the_matrix_allows(world: World, entry: Entry) -> None:
    # The refused first, so an action they could have taken would show in the first allowed answer.
    order = sorted(PEOPLE, key=lambda name: (name in entry.allowed, name))
    first_allowed = True
    for name in order:
        response = await _call(world, entry, name)
        _check(world, entry, name, response, first_allowed=first_allowed)
        if name in entry.allowed:
            first_allowed = False
