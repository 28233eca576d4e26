"""Access follows the referral, against the real Postgres, broker and a verifying webhook receiver: when a case
closes and is reopened, the agencies still within their follow-up period (``referral_follow_up_days``) hear of
both, one whose follow-up ran out and one that declined hear nothing of them, and the region's supervisors hear
of the reopening."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text

from notifications.app import create_app
from notifications.settings import NotificationsSettings
from services.notifications.tests.integration.support import (
    Publish,
    Receiver,
    case_reported,
    deliveries,
    hook_subscription,
    referral_of,
)
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import CaseClosed, CaseReopened, ReferralCompleted, ReferralDeclined, ReferralRevoked
from shared.contracts.base import utc_now
from shared.contracts.intake import Consent
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import AgencyType, ConsentGiver, Need
from tests.polling import eventually

pytestmark = pytest.mark.integration

FOLLOW_UP_DAYS = 10
CASE_EVENTS = ["case.closed", "case.reopened"]


@pytest.fixture(scope="module")
async def notifications(
    make_settings: Callable[..., NotificationsSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(NotificationsSettings, "notifications", referral_follow_up_days=FOLLOW_UP_DAYS,
                             delivery_idle_poll_ms=50)
    app = create_app(settings)
    admin = bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications", headers=admin) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def delivered(client: httpx.AsyncClient, subscription_id: str, count: int) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        entries = [e for e in await deliveries(client, subscription_id) if e["status"] == "delivered"]
        return entries if len(entries) >= count else None

    found: list[dict[str, Any]] = await eventually(check, f"{count} deliveries", within=60)
    return found


def event_types(receiver: Receiver, hook: str) -> list[str]:
    return sorted(json.loads(arrival.body)["event_type"] for arrival in receiver.of(hook) if arrival.answered == 204)


# Counts what the broker saw in time (commits, two topics read side by side): beside other workers' load it
# measured the load, so `make test` runs it by itself, after the rest (tests/tiers.py).
@pytest.mark.alone
async def test_a_closed_and_reopened_case_reaches_those_within_their_follow_up_only(
    notifications: httpx.AsyncClient, receiver: Receiver, publisher: Publish, bearer: Callable[..., dict[str, str]],
) -> None:
    run = uuid4().hex[:6]
    lead, recent, lapsed, declined = (f"{kind}-{run}" for kind in ("uptd", "puskesmas", "polres", "lsm"))
    subs = {agency: await hook_subscription(notifications, receiver, agency, [*CASE_EVENTS, "referral.declined"])
            for agency in (lead, recent, lapsed, declined)}
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"spv-{run}", regency_code="62.13", province_code="62")
    region = await hook_subscription(notifications, receiver, None, ["case.reopened"], headers=supervisor)

    case = case_reported(consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=(
        AgencyType.HEALTH, AgencyType.POLICE_PPA, AgencyType.NGO,
    )))
    await publisher(case)
    referrals = {agency: referral_of(case, agency, kind) for agency, kind in
                 ((lead, "uptd_ppa"), (recent, "health"), (lapsed, "police_ppa"), (declined, "ngo"))}
    for referral in referrals.values():
        await publisher(referral)
    now = utc_now()

    def transition(agency: str) -> dict[str, Any]:
        return {"case_id": case.case_id, "referral_id": referrals[agency].referral_id, "agency_id": agency,
                "actor": "operator-1"}

    # Health finished five days ago (within the ten-day follow-up), the police twelve days ago (past it); the
    # NGO declined; routing revoked the lead's referral because the case closed.
    await publisher(ReferralCompleted(**transition(recent), services_given=(Need.KESEHATAN,),
                                      occurred_at=now - timedelta(days=5)))
    await publisher(ReferralCompleted(**transition(lapsed), services_given=(Need.PENEGAKAN_HUKUM,),
                                      occurred_at=now - timedelta(days=12)))
    await publisher(ReferralDeclined(**transition(declined), reason="Di luar wilayah kerja kami"))
    await publisher(ReferralRevoked(**transition(lead), reason=CASE_CLOSED_REASON))

    async def referrals_followed() -> bool:
        async with notifications.app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:  # type: ignore[attr-defined]
            rows = (await uow.session.execute(
                text("SELECT status, closed_with_case FROM known_referrals WHERE case_id = :id"),
                {"id": case.case_id},
            )).all()
        return sorted(tuple(row) for row in rows) == [
            ("completed", False), ("completed", False), ("declined", False), ("revoked", True),
        ]

    # The two topics are read side by side: the case events follow once every referral's state is known.
    await eventually(referrals_followed, "the referrals' states to be known")
    await publisher(CaseClosed(case_id=case.case_id, case_number=case.case_number, province_code="62",
                               regency_code="62.13", reason="handled", closed_by="operator-1"))
    reopening = CaseReopened(case_id=case.case_id, case_number=case.case_number, province_code="62",
                             regency_code="62.13", reason="victim_returned", reopened_by="operator-1")
    await publisher(reopening)

    await delivered(notifications, subs[lead][0], 2)
    await delivered(notifications, subs[recent][0], 2)
    await delivered(notifications, subs[declined][0], 1)
    # The region hears of every case reopened in 62.13, other tests' too: this one's is the one with its event id.
    async def region_told() -> list[dict[str, Any]]:
        return [entry for entry in await deliveries(notifications, region[0])
                if entry["status"] == "delivered" and entry["event_id"] == str(reopening.event_id)]

    [reopened] = await eventually(region_told, "the region's delivery of this reopening", within=60)

    assert event_types(receiver, subs[lead][1]) == CASE_EVENTS
    assert event_types(receiver, subs[recent][1]) == CASE_EVENTS
    assert event_types(receiver, subs[declined][1]) == ["referral.declined"]  # its own ending, nothing after
    assert await deliveries(notifications, subs[lapsed][0]) == []  # its follow-up was over: nothing
    assert reopened["event_type"] == "case.reopened"
    [region_body] = [body for body in (json.loads(arrival.body) for arrival in receiver.of(region[1]))
                     if body["event_id"] == str(reopening.event_id)]
    assert region_body["details"] == {"reason": "victim_returned"}
    assert "case_number" not in region_body["case"]
    lead_reopened = next(json.loads(a.body) for a in receiver.of(subs[lead][1])
                         if json.loads(a.body)["event_type"] == "case.reopened")
    assert lead_reopened["referral"]["status"] == "revoked"
    assert "dibuka kembali" in lead_reopened["summary"]
    assert "operator-1" not in lead_reopened["summary"] + json.dumps(lead_reopened)
