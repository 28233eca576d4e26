"""The district supervisor's pages against the real intake, routing and reporting processes, as the supervisor of
Barito Timur (62.13): the district's referrals and workload, a case's hand forms (an error that keeps what was
typed, routing's refusal in Bahasa Indonesia, a manual referral, a lead handover, a revoke), the district's exact
dashboard by kecamatan; and what the supervisor of Palangka Raya (62.71) and an agency's staff may not see. The
person's token is a development token put in their session here; signing in through the OIDC provider is the
browser test's part."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.polling import eventually
from workspace.app import create_app
from workspace.entrypoints.session_middleware import COOKIE
from workspace.settings import WorkspaceSettings

pytestmark = pytest.mark.e2e

REPORT: dict[str, Any] = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.13", "district_code": "62.13.01",
                 "place": "rumah_tangga"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 30}],
    "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji supervisor",
}
LEAD = "uptd-ppa-62.13"


@pytest.fixture(scope="module")
def app(platform: Platform, make_settings: Callable[..., WorkspaceSettings]) -> FastAPI:
    seed_directory(platform)
    return create_app(make_settings(
        WorkspaceSettings, "workspace", intake_url=platform.url("intake"), routing_url=platform.url("routing"),
        reporting_url=platform.url("reporting"), oidc_issuer="http://127.0.0.1:9"))


@pytest.fixture(scope="module")
async def case(platform: Platform, app: FastAPI) -> dict[str, Any]:
    """A report in 62.13, once the directory is seeded (``app``): routing refers it to the UPTD PPA there."""
    assert app is not None
    async with httpx.AsyncClient(timeout=30) as client:
        accepted = (await client.post(f"{platform.url('intake')}/v1/reports", json=REPORT)).json()
        admin = platform.bearer(Role.PROVINCE_ADMIN, user_id="ws-admin", province_code="62")

        async def lead() -> dict[str, Any] | None:
            found = await client.get(f"{platform.url('routing')}/v1/cases/{accepted['case_id']}/referrals",
                                     headers=admin)
            return next((r for r in found.json() if r["is_lead"]), None) if found.status_code == 200 else None

        return {**await eventually(lead, "the lead referral", within=60), "case_number": accepted["case_number"]}


async def _session(app: FastAPI, platform: Platform, role: Role, user_id: str, **claims: str) -> str:
    token = platform.bearer(role, user_id=user_id, **claims)["Authorization"].removeprefix("Bearer ")
    key = f"ws-{user_id}-{datetime.now(UTC).timestamp()}"
    await app.state.session_store.create(key, {
        "person": {"sub": user_id, "name": user_id, "sinergi_roles": [role.value],
                   "sinergi_agency": claims.get("agency_id"), "sinergi_province": claims.get("province_code"),
                   "sinergi_regency": claims.get("regency_code")},
        "tokens": {"access_token": token, "expires_at": 4e9}, "lang": "id",
    }, datetime.now(UTC))
    return key


async def _client(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ws", cookies={COOKIE: key})


@pytest.fixture
async def supervisor(app: FastAPI, platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    key = await _session(app, platform, Role.DISTRICT_SUPERVISOR, "district_supervisor.62.13", province_code="62",
                         regency_code="62.13")
    async with await _client(app, key) as client:
        yield client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_the_supervisor_refers_hands_over_and_revokes_from_the_cases_page(
    supervisor: httpx.AsyncClient, case: dict[str, Any], platform: Platform,
) -> None:
    listing = await supervisor.get("/district")
    assert listing.status_code == 200
    assert case["case_number"] in listing.text
    assert f'href="/district/cases/{case["case_id"]}"' in listing.text
    assert 'id="workload"' in listing.text
    assert f'data-agency="{LEAD}"' in listing.text

    path = f"/district/cases/{case['case_id']}"
    page = await supervisor.get(path)
    assert page.status_code == 200
    assert "Rujuk kasus ke lembaga lain" in page.text
    token = _csrf(page.text)

    unconfirmed = await supervisor.post(f"{path}/refer", data={
        "csrf_token": token, "agency_id": "dinas-ppa-62.13", "hand_reason": "perlu pendampingan dinas"})
    assert unconfirmed.status_code == 422
    assert 'href="#refer-confirm"' in unconfirmed.text
    assert ">perlu pendampingan dinas</textarea>" in unconfirmed.text  # what was typed is kept
    assert '<option value="dinas-ppa-62.13" selected>' in unconfirmed.text

    # The victim was not asked about the police: routing refuses, and says why in Bahasa Indonesia.
    police = await supervisor.post(f"{path}/refer", data={
        "csrf_token": token, "agency_id": "police-ppa-62.13", "hand_reason": "perlu laporan polisi", "confirm": "1"})
    assert police.status_code == 409
    assert "Persetujuan korban tidak mengizinkan" in police.text

    referred = await supervisor.post(f"{path}/refer", data={
        "csrf_token": token, "agency_id": "dinas-ppa-62.13", "hand_reason": "perlu pendampingan dinas",
        "confirm": "1"})
    assert referred.status_code == 303
    page = await supervisor.get(path)
    assert "Kasus sudah dirujuk ke lembaga yang Anda pilih." in page.text

    handed = await supervisor.post(f"{path}/handover", data={
        "csrf_token": token, "agency_id": "uptd-ppa-62", "hand_reason": "UPTD kabupaten penuh", "confirm": "1"})
    assert handed.status_code == 303
    async with httpx.AsyncClient(timeout=30) as client:
        admin = platform.bearer(Role.PROVINCE_ADMIN, user_id="ws-admin", province_code="62")
        referrals = (await client.get(f"{platform.url('routing')}/v1/cases/{case['case_id']}/referrals",
                                      headers=admin)).json()
    by_agency = {r["agency_id"]: r for r in referrals}
    assert (by_agency[LEAD]["status"], by_agency[LEAD]["status_reason"]) == ("revoked", "lead_handed_over")
    assert by_agency["uptd-ppa-62"]["is_lead"]
    assert by_agency["dinas-ppa-62.13"]["requested_by"] == "district_supervisor.62.13"

    dinas = by_agency["dinas-ppa-62.13"]["referral_id"]
    short = await supervisor.post(f"{path}/referrals/{dinas}/revoke", data={"csrf_token": token, "confirm": "1"})
    assert short.status_code == 422
    assert f'href="#revoke-{dinas}-hand_reason"' in short.text
    revoked = await supervisor.post(f"{path}/referrals/{dinas}/revoke", data={
        "csrf_token": token, "hand_reason": "tidak diperlukan lagi", "confirm": "1"})
    assert revoked.status_code == 303
    page = await supervisor.get(path)
    assert "Rujukan sudah dicabut." in page.text
    assert "peran lembaga utama dialihkan ke lembaga lain" in page.text


async def test_the_dashboard_is_the_districts_exact_figures_by_kecamatan(
    supervisor: httpx.AsyncClient, case: dict[str, Any],
) -> None:
    async def counted() -> str | None:
        page = await supervisor.get("/district/dashboard")
        return page.text if page.status_code == 200 and 'data-area="62.13.01"' in page.text else None

    text = await eventually(counted, "reporting counts the case", within=60)
    assert "Angka pasti kabupaten/kota Anda" in text
    assert "Dusun Timur" in text  # the kecamatan's name, from the region catalogue
    assert "Kabupaten Barito Timur" in text


async def test_another_districts_supervisor_and_agency_staff_see_none_of_it(
    app: FastAPI, platform: Platform, case: dict[str, Any],
) -> None:
    key = await _session(app, platform, Role.DISTRICT_SUPERVISOR, "district_supervisor.62.71", province_code="62",
                         regency_code="62.71")
    async with await _client(app, key) as other:
        listing = await other.get("/district")
        assert listing.status_code == 200
        assert case["case_number"] not in listing.text
        assert (await other.get(f"/district/cases/{case['case_id']}")).status_code == 404
        token = _csrf(listing.text)
        posted = await other.post(f"/district/cases/{case['case_id']}/refer", data={
            "csrf_token": token, "agency_id": "dinas-ppa-62.13", "hand_reason": "bukan wilayah saya", "confirm": "1"})
        assert posted.status_code == 404
    staff = await _session(app, platform, Role.AGENCY_STAFF, "staff-ws", agency_id=LEAD, agency_type="uptd_ppa")
    async with await _client(app, staff) as client:
        assert (await client.get("/district")).status_code == 403
        assert (await client.get("/district/dashboard")).status_code == 403
