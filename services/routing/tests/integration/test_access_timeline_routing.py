"""The access matrix's time axis, routing's part: at each step of a referral's life (created, accepted, declined,
revoked, completed, case closed, case reopened), what routing's endpoints that show referral data
(``GET /v1/referrals/{id}``, ``GET /v1/cases/{id}/referrals``) answer the referred agency, another agency of the
same regency, and the regency's district supervisor.

The referred agency keeps its own referral's record (status and reason) after the referral ends, and only its
own: never the other agencies' referrals of the case. Another agency sees nothing of it, at any step (404, as for
a referral that does not exist). The district supervisor sees every referral of the case at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from routing.domain.agencies import Agency
from services.routing.tests.integration.test_routing_case_closure import close, closed, reopen, reopened
from services.routing.tests.integration.test_routing_lifecycle import (
    Bearer,
    Clock,
    Region,
    refer,
    region,
    staff_of,
)
from shared.auth import Role
from shared.contracts.intake import Consent
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import AgencyType, ConsentGiver


@dataclass(frozen=True)
class Seen:
    """What one caller sees of a referral and of its case's referrals."""

    referral: int  # GET /v1/referrals/{id}
    status: str | None
    status_reason: str | None
    case_list: int  # GET /v1/cases/{case_id}/referrals
    listed: frozenset[str]  # the agencies whose referrals that list shows


async def seen(client: httpx.AsyncClient, headers: dict[str, str], referral: dict[str, Any], case_id: str) -> Seen:
    one = await client.get(f"/v1/referrals/{referral['referral_id']}", headers=headers)
    listed = await client.get(f"/v1/cases/{case_id}/referrals", headers=headers)
    body = one.json() if one.status_code == 200 else {}
    return Seen(
        one.status_code, body.get("status"), body.get("status_reason"), listed.status_code,
        frozenset(r["agency_id"] for r in listed.json()) if listed.status_code == 200 else frozenset(),
    )


class Viewers:
    def __init__(self, client: httpx.AsyncClient, bearer: Bearer, place: Region) -> None:
        self.client, self.bearer = client, bearer
        self.other = staff_of(bearer, place.health)  # same regency, never referred (no consent for health)
        self.district = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"sup-{place.regency}", province_code=place.province,
                               regency_code=place.regency)

    async def check(
        self, step: str, agency: Agency, referral: dict[str, Any], case_id: str, *, status: str,
        reason: str | None = None, everyone: set[str],
    ) -> None:
        client = self.client
        own = await seen(client, staff_of(self.bearer, agency), referral, case_id)
        assert (own.referral, own.status, own.case_list, own.listed) == (
            200, status, 200, frozenset({agency.agency_id})), step
        if reason is not None:
            assert own.status_reason == reason, step
        other = await seen(client, self.other, referral, case_id)
        assert (other.referral, other.case_list) == (404, 404), step
        district = await seen(client, self.district, referral, case_id)
        assert (district.referral, district.status, district.case_list) == (200, status, 200), step
        assert district.listed == everyone, step


async def test_what_routing_shows_at_each_step_of_a_referrals_life(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    place = await region(routing, "93", "93.01")
    viewers = Viewers(routing, bearer, place)
    clock = Clock()
    uptd, police = place.uptd, place.police
    lead_and_police = {uptd.agency_id, police.agency_id}
    consent = Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA,))

    # Case A: the lead is created, accepted and completed; the police declines its referral.
    case_a = place.case(consent=consent, needs=("penegakan_hukum",))
    a = {r["agency_id"]: r for r in await refer(routing, case_a, clock)}
    assert set(a) == lead_and_police
    a_id, staff, police_staff = str(case_a.case_id), staff_of(bearer, uptd), staff_of(bearer, police)
    await viewers.check("created", uptd, a[uptd.agency_id], a_id, status="created",
                        everyone=lead_and_police)
    await routing.post(f"/v1/referrals/{a[uptd.agency_id]['referral_id']}/accept", headers=staff)
    await viewers.check("accepted", uptd, a[uptd.agency_id], a_id, status="accepted",
                        everyone=lead_and_police)
    declined = await routing.post(f"/v1/referrals/{a[police.agency_id]['referral_id']}/decline", headers=police_staff,
                                  json={"reason": "Bukan wilayah hukum kami"})
    assert declined.status_code == 200, declined.text
    await viewers.check("declined", police, a[police.agency_id], a_id, status="declined",
                        reason="Bukan wilayah hukum kami", everyone=lead_and_police)
    lead_url = f"/v1/referrals/{a[uptd.agency_id]['referral_id']}"
    await routing.post(f"{lead_url}/start", headers=staff)
    completed = await routing.post(f"{lead_url}/complete", headers=staff, json={"services_given": ["pengaduan"]})
    assert completed.status_code == 200, completed.text
    await viewers.check("completed", uptd, a[uptd.agency_id], a_id, status="completed",
                        everyone=lead_and_police)

    # Case B: the district supervisor revokes the lead's referral.
    case_b = place.case()
    [b] = await refer(routing, case_b, clock)
    revoked = await routing.post(f"/v1/referrals/{b['referral_id']}/revoke", headers=viewers.district,
                                 json={"reason": "Dirujuk ulang oleh kabupaten"})
    assert revoked.status_code == 200, revoked.text
    await viewers.check("revoked", uptd, b, str(case_b.case_id), status="revoked",
                        reason="Dirujuk ulang oleh kabupaten", everyone={uptd.agency_id})

    # Case C: closed (the open referral ends, reason case_closed), then reopened (a new referral, the old kept).
    case_c = place.case()
    [c] = await refer(routing, case_c, clock)
    c_id = str(case_c.case_id)
    await close(routing, closed(case_c), clock)
    await viewers.check("case closed", uptd, c, c_id, status="revoked", reason=CASE_CLOSED_REASON,
                        everyone={uptd.agency_id})
    [again] = await reopen(routing, reopened(case_c), clock)
    renewed = {"referral_id": str(again.referral_id)}
    await viewers.check("case reopened", uptd, renewed, c_id, status="created",
                        everyone={uptd.agency_id})
    await viewers.check("case reopened (the old referral)", uptd, c, c_id, status="revoked",
                        reason=CASE_CLOSED_REASON, everyone={uptd.agency_id})
    rounds = (await routing.get(f"/v1/cases/{c_id}/referrals", headers=staff)).json()
    assert [(r["status"], r["round"]) for r in rounds] == [("revoked", 0), ("created", 1)]
