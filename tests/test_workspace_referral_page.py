"""A referral's page against the real intake and routing processes, as the lead agency's staff: the case and
the personal fields the agency may read, accept, a refused move said in the person's language, a form with an
error that keeps what was typed, a note, start, complete; another agency sees nothing; a service that is down
loses nothing typed. The person's token is a development token put in their session here; signing in through
the OIDC provider is the browser test's part."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.polling import eventually
from workspace.app import create_app
from workspace.domain.inbox import PAGE_SIZE
from workspace.entrypoints.session_middleware import COOKIE
from workspace.settings import WorkspaceSettings

pytestmark = pytest.mark.e2e

VICTIM = "Melati Workspace Uji"
NOTE = "Korban sudah dihubungi; kunjungan rumah besok."
FOLLOW_UP = "Kunjungan rumah bersama pendamping."
REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 12, "name": VICTIM}],
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji workspace",
}


@pytest.fixture(scope="module")
def apps(platform: Platform, make_settings: Callable[..., WorkspaceSettings]) -> dict[str, FastAPI]:
    seed_directory(platform)
    live = make_settings(WorkspaceSettings, "workspace", intake_url=platform.url("intake"),
                         routing_url=platform.url("routing"), oidc_issuer="http://127.0.0.1:9")
    intake_down = live.model_copy(update={"intake_url": "http://127.0.0.1:9"})
    return {"live": create_app(live), "intake_down": create_app(intake_down)}


@pytest.fixture(scope="module")
async def referral(platform: Platform) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        accepted = (await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()
        admin = platform.bearer(Role.PROVINCE_ADMIN, user_id="ws-admin", province_code="62")

        async def lead() -> dict[str, Any] | None:
            found = await client.get(f"{platform.url('routing')}/v1/cases/{accepted['case_id']}/referrals",
                                     headers=admin)
            return next((r for r in found.json() if r["is_lead"]), None) if found.status_code == 200 else None

        return {**await eventually(lead, "the lead referral", within=60), "case_number": accepted["case_number"]}


async def _person(app: FastAPI, platform: Platform, agency_id: str, agency_type: str = "uptd_ppa") -> str:
    """A session of a staff member of ``agency_id``; the cookie's value."""
    token = platform.bearer(Role.AGENCY_STAFF, user_id=f"staff-{agency_id}", agency_id=agency_id,
                            agency_type=agency_type)["Authorization"].removeprefix("Bearer ")
    key = f"ws-{agency_id}-{datetime.now(UTC).timestamp()}"
    await app.state.session_store.create(key, {
        "person": {"sub": f"staff-{agency_id}", "name": "Staf Uji", "sinergi_roles": ["agency_staff"],
                   "sinergi_agency": agency_id},
        "tokens": {"access_token": token, "expires_at": 4e9}, "lang": "en",
    }, datetime.now(UTC))
    return key


@pytest.fixture
async def staff(apps: dict[str, FastAPI], platform: Platform, referral: dict[str, Any]) -> AsyncIterator[
        tuple[httpx.AsyncClient, str]]:
    key = await _person(apps["live"], platform, referral["agency_id"], referral["agency_type"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["live"]), base_url="http://ws",
                                 cookies={COOKIE: key}) as client:
        yield client, f"/cases/{referral['case_id']}/referrals/{referral['referral_id']}"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_staff_work_a_referral_from_its_page(
    staff: tuple[httpx.AsyncClient, str], referral: dict[str, Any]
) -> None:
    client, path = staff
    page = await client.get(path)
    assert page.status_code == 200
    assert referral["case_number"] in page.text
    assert VICTIM in page.text  # a personal field this agency may read (intake audits the read)
    assert "Accept the referral" in page.text
    token = _csrf(page.text)

    short = await client.post(f"{path}/decline", data={"csrf_token": token, "reason": "no"})
    assert short.status_code == 422
    assert 'class="error-summary"' in short.text
    assert 'href="#reason"' in short.text
    assert ">no</textarea>" in short.text  # what was typed is kept

    accepted = await client.post(f"{path}/accept", data={"csrf_token": token})
    assert accepted.status_code == 303
    page = await client.get(path)
    assert "You accepted the referral." in page.text
    assert "Start the service" in page.text

    again = await client.post(f"{path}/accept", data={"csrf_token": token})
    assert again.status_code == 409
    # Routing's reason, in the person's language (the workspace asks in it), read from the shared error shape.
    assert "moved on since you opened it: A referral that is accepted cannot be accepted. Nothing was changed." \
        in again.text

    noted = await client.post(f"{path}/notes", data={"csrf_token": token, "note": NOTE})
    assert noted.status_code == 303
    page = await client.get(path)
    assert NOTE in page.text
    assert f"staff-{referral['agency_id']} ({referral['agency_id']})" in page.text  # who wrote it (intake)

    in_three_days = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    follow_up = {"csrf_token": token, "due_time": "09:00", "province": "62", "follow_up_note": FOLLOW_UP}
    past = await client.post(f"{path}/follow-ups", data={**follow_up, "due_date": "2020-01-01"})
    assert past.status_code == 422
    assert "The due time must be in the future." in past.text
    assert f">{FOLLOW_UP}</textarea>" in past.text
    assert (await client.post(f"{path}/follow-ups", data={**follow_up, "due_date": in_three_days})).status_code == 303
    page = await client.get(path)
    assert FOLLOW_UP in page.text
    assert "09:00 WIB" in page.text
    follow_up_id = re.search(r"/follow-ups/([0-9a-f-]{36})/done", page.text)
    assert follow_up_id is not None
    done = await client.post(f"{path}/follow-ups/{follow_up_id.group(1)}/done", data={"csrf_token": token})
    assert done.status_code == 303
    assert "The follow-up is marked done." in (await client.get(path)).text

    assert (await client.post(f"{path}/start", data={"csrf_token": token})).status_code == 303
    empty = await client.post(f"{path}/complete", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Select the services you gave." in empty.text
    done = await client.post(f"{path}/complete", data={"csrf_token": token, "services_given": ["kesehatan"]})
    assert done.status_code == 303
    page = await client.get(path)
    assert "You completed the referral." in page.text
    assert "Complete the referral" not in page.text


async def test_another_agency_sees_nothing_of_the_referral(
    apps: dict[str, FastAPI], platform: Platform, referral: dict[str, Any]
) -> None:
    key = await _person(apps["live"], platform, "uptd-ppa-62.71")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["live"]), base_url="http://ws",
                                 cookies={COOKIE: key}) as client:
        page = await client.get(f"/cases/{referral['case_id']}/referrals/{referral['referral_id']}")
    assert page.status_code in {403, 404}
    assert VICTIM not in page.text
    assert referral["case_number"] not in page.text


async def test_a_service_that_is_down_loses_nothing_typed(
    apps: dict[str, FastAPI], platform: Platform, referral: dict[str, Any]
) -> None:
    key = await _person(apps["live"], platform, referral["agency_id"], referral["agency_type"])
    path = f"/cases/{referral['case_id']}/referrals/{referral['referral_id']}"
    typed = "Catatan yang tidak boleh hilang."
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["intake_down"]), base_url="http://ws",
                                 cookies={COOKIE: key}) as down:
        token = _csrf((await down.get("/")).text)
        failed = await down.post(f"{path}/notes", data={"csrf_token": token, "note": typed})
    assert failed.status_code == 503
    assert "cannot be reached" in failed.text
    assert typed in failed.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["live"]), base_url="http://ws",
                                 cookies={COOKIE: key}) as live:
        page = await live.get(path)
    assert f">{typed}</textarea>" in page.text


async def test_the_inbox_pages_through_routings_cursor_and_filters(
    apps: dict[str, FastAPI], platform: Platform, referral: dict[str, Any]
) -> None:
    """More referrals than a page: the next page's link carries routing's cursor; together the pages show each
    referral once; a filter narrows the list and survives paging."""
    async with httpx.AsyncClient(timeout=30) as client:
        cases = [(await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()["case_id"]
                 for _ in range(PAGE_SIZE + 2)]
        admin = platform.bearer(Role.PROVINCE_ADMIN, user_id="ws-admin", province_code="62")

        async def lead() -> dict[str, Any] | None:
            found = await client.get(f"{platform.url('routing')}/v1/cases/{cases[-1]}/referrals", headers=admin)
            return next((r for r in found.json() if r["is_lead"]), None) if found.status_code == 200 else None

        last = await eventually(lead, "the last report's referral", within=60)
    agency = last["agency_id"]
    key = await _person(apps["live"], platform, agency, last["agency_type"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["live"]), base_url="http://ws",
                                 cookies={COOKIE: key}) as browser:

        async def all_pages() -> list[str] | None:
            seen: list[str] = []
            url: str | None = "/inbox?status=created"
            while url:
                page = await browser.get(url)
                assert page.status_code == 200
                rows = re.findall(r'data-referral="([0-9a-f-]{36})"', page.text)
                assert page.text.count("Waiting for acceptance</dd>") == len(rows)  # the filter held
                seen += rows
                found = re.search(r'<a href="(/inbox\?[^"]+)" rel="next"', page.text)
                url = found.group(1).replace("&amp;", "&") if found else None
                assert url is None or "status=created" in url
            return seen if len(seen) >= PAGE_SIZE + 2 else None

        seen = await eventually(all_pages, "every referral in the inbox", within=60)
    assert len(seen) == len(set(seen))
