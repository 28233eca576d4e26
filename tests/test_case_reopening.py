"""A case closed and reopened, through the four real service processes: the report is referred; closing it
ends its referral with the reason `case_closed`; the district supervisor reopens it; routing refers it again, the
lead agency first; the statistics still count one case; and the audit trail shows the closure and the
reopening, in that order."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from shared.auth import Role
from shared.contracts.routing import CASE_CLOSED_REASON
from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory

pytestmark = pytest.mark.e2e
T = TypeVar("T")

REGENCY = "62.13"
REPORT: dict[str, Any] = {
    "incident": {"date": (date.today() - timedelta(days=2)).isoformat(), "precision": "day"},  # noqa: DTZ011
    "location": {"province_code": "62", "regency_code": REGENCY, "place": "rumah_tangga",
                 "address": "Jl. Reopen Gg. Melati No. 5, Tamiang Layang"},
    "violence_types": ["penelantaran"], "victims": [{"sex": "perempuan", "age": 9, "name": "Kasih Reopen"}],
    "perpetrators": [{"relationship": "orang_tua", "name": "Pelaku Reopen"}],
    "needs": ["pengaduan"],
    "reporter": {"relation": "keluarga", "name": "Pelapor Reopen", "phone": "+62 813-5550-7001"},
    "narrative": "Narasi reopen rahasia: anak ditelantarkan.",
    "channel": "hotline",
}


def _wait(check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _referrals(platform: Platform, case_id: str) -> list[dict[str, Any]]:
    headers = platform.bearer(Role.PROVINCE_ADMIN, user_id="reopen-admin", province_code="62")
    response = httpx.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals", headers=headers, timeout=10)
    return list(response.json()) if response.status_code == 200 else []


def _cases_in_regency(platform: Platform) -> int:
    headers = platform.bearer(Role.PROVINCE_ADMIN, user_id="reopen-admin", province_code="62")
    response = httpx.get(f"{platform.url('reporting')}/v1/stats/cases", headers=headers, timeout=10,
                         params={"group_by": "regency,violence_type", "regency": REGENCY})
    response.raise_for_status()
    return sum(row["count"] for row in response.json()["rows"] if row["violence_type"] == "penelantaran")


def _trail(platform: Platform, case_id: str) -> list[str]:
    headers = platform.bearer(Role.AUDITOR, user_id="reopen-auditor", province_code="62")
    response = httpx.get(f"{platform.url('reporting')}/v1/audit/cases/{case_id}/trail", headers=headers,
                         timeout=10)
    return [record["event_type"] for record in response.json()] if response.status_code == 200 else []


def test_a_closed_case_reopened_is_referred_again_and_counted_once(platform: Platform) -> None:
    seed_directory(platform)
    before = _cases_in_regency(platform)
    operator = platform.bearer(Role.OPERATOR, user_id="reopen-operator")
    created = httpx.post(f"{platform.url('intake')}/v1/reports", json=REPORT, headers=operator, timeout=10)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    first = _wait(lambda: next((r for r in _referrals(platform, case_id) if r["is_lead"]), None), "the referral")
    _wait(lambda: _cases_in_regency(platform) == before + 1 or None, "the case in the statistics")

    closed = httpx.post(f"{platform.url('intake')}/v1/cases/{case_id}/close", json={"reason": "handled"},
                        headers=operator, timeout=10)
    assert closed.status_code == 200, closed.text

    def ended() -> dict[str, Any] | None:
        return next((r for r in _referrals(platform, case_id)
                     if r["referral_id"] == first["referral_id"] and r["status"] == "revoked"), None)

    revoked = _wait(ended, "the referral ended by the closure")
    assert revoked["status_reason"] == CASE_CLOSED_REASON

    supervisor = platform.bearer(Role.DISTRICT_SUPERVISOR, user_id="reopen-supervisor", province_code="62",
                                 regency_code=REGENCY)
    reopened = httpx.post(f"{platform.url('intake')}/v1/cases/{case_id}/reopen", headers=supervisor, timeout=10,
                          json={"reason": "victim_returned"})
    assert reopened.status_code == 200, reopened.text
    again = httpx.post(f"{platform.url('intake')}/v1/cases/{case_id}/reopen", headers=supervisor, timeout=10,
                       json={"reason": "victim_returned"})
    assert again.status_code == 409, again.text

    def referred_again() -> dict[str, Any] | None:
        return next((r for r in _referrals(platform, case_id)
                     if r["is_lead"] and r["referral_id"] != first["referral_id"] and r["status"] == "created"), None)

    second = _wait(referred_again, "the new lead referral")
    assert second["agency_id"] == first["agency_id"]

    def audited() -> list[str] | None:
        # The case's events and routing's reach the trail on their own topics, each in its own time.
        trail = _trail(platform, case_id)
        return trail if "case.reopened" in trail and trail.count("referral.created") >= 2 else None

    trail = _wait(audited, "the reopening in the audit trail")
    assert trail.index("case.closed") < trail.index("case.reopened")
    assert _cases_in_regency(platform) == before + 1
