"""The district supervisor's API against the real Postgres: the district's open referrals (overdue and escalated
first), each agency's workload against the truth computed here, a manual referral and a lead handover, with their
refusals in both languages, and what a supervisor of another district may not see or do."""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text

from routing.adapters import repository
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.sla import Deadlines, SlaPolicy
from routing.service_layer.referrals import Routing, fire_due_timers, refer_case
from services.routing.tests.integration.support import Clock, runtime_of
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseReported, Consent
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, ConsentGiver, Priority

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
HOUR = timedelta(hours=1)
POLICY = SlaPolicy({p: Deadlines(accept=HOUR, first_service=6 * HOUR) for p in Priority})
WITH_POLICE = Consent(given_by=ConsentGiver.KORBAN, agency_types=(*sorted(CASE_MANAGERS), AgencyType.POLICE_PPA))


class District:
    """A regency only one test uses: its UPTD PPA, Dinas PPA, police unit and health facility, and its
    supervisor's token; and the supervisor of a neighbouring regency."""

    def __init__(self, bearer: Bearer, regency: str) -> None:
        self.province, self.regency = regency[:2], regency
        self.uptd, self.dinas, self.police, self.health = (
            Agency(agency_id=f"{kind.value.replace('_', '-')}-{regency}", name=f"{kind.value} {regency}",
                   agency_type=kind, level=AgencyLevel.REGENCY, province_code=self.province, regency_code=regency)
            for kind in (AgencyType.UPTD_PPA, AgencyType.DINAS_PPA, AgencyType.POLICE_PPA, AgencyType.HEALTH))
        self.supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"district_supervisor.{regency}",
                                 province_code=self.province, regency_code=regency)
        neighbour = f"{self.province}.{int(regency[3:]) + 1:02d}"
        self.other = bearer(Role.DISTRICT_SUPERVISOR, user_id=f"district_supervisor.{neighbour}",
                            province_code=self.province, regency_code=neighbour)

    def case(self, **fields: Any) -> CaseReported:
        return example_case_reported(province_code=self.province, regency_code=self.regency, **fields)


async def district(client: httpx.AsyncClient, bearer: Bearer, regency: str, clock: Clock) -> District:
    place = District(bearer, regency)
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, [place.uptd, place.dinas, place.police, place.health])
        await uow.commit()
    client.app.state.routing = Routing(POLICY, clock)  # type: ignore[attr-defined]
    return place


async def refer(client: httpx.AsyncClient, event: CaseReported, clock: Clock) -> dict[str, str]:
    """The case's referrals by agency id."""
    referrals = await refer_case(event, runtime_of(client).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))
    return {r.agency_id: str(r.referral_id) for r in referrals}


async def events(client: httpx.AsyncClient, case_id: UUID) -> list[dict[str, Any]]:
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        rows = await uow.session.execute(
            text("SELECT payload FROM routing.outbox WHERE message_key = :key ORDER BY id"), {"key": str(case_id)})
        return [json.loads(row.payload) for row in rows]


def staff(bearer: Bearer, agency: Agency) -> dict[str, str]:
    return bearer(Role.AGENCY_STAFF, user_id=f"staff-{agency.agency_id}", agency_id=agency.agency_id,
                  agency_type=agency.agency_type.value)


async def test_the_district_list_shows_overdue_and_escalated_first_and_only_to_its_supervisor(
    routing: httpx.AsyncClient, bearer: Bearer,
) -> None:
    clock = Clock()
    place = await district(routing, bearer, "96.21", clock)
    late = place.case(priority=Priority.P3)
    await refer(routing, late, clock)
    clock.now += 2 * HOUR  # the first case's lead missed its hour to accept; the breach escalates it
    assert await fire_due_timers(runtime_of(routing).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock)) >= 1
    fresh = place.case(priority=Priority.P1)
    await refer(routing, fresh, clock)

    answer = await routing.get("/v1/district/referrals", headers=place.supervisor)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(i["case_id"], i["agency_id"], i["overdue"], i["escalated"]) for i in items] == [
        (str(late.case_id), place.uptd.agency_id, True, True),  # overdue, and escalated from
        (str(late.case_id), place.dinas.agency_id, False, True),  # made by the escalation
        (str(fresh.case_id), place.uptd.agency_id, False, False),
    ]
    other = await routing.get("/v1/district/referrals", headers=place.other)
    assert other.status_code == 200
    assert {i["case_id"] for i in other.json()["items"]} & {str(late.case_id), str(fresh.case_id)} == set()
    assert (await routing.get("/v1/district/referrals", headers=staff(bearer, place.uptd))).status_code == 403


async def test_the_workload_matches_the_truth_computed_from_the_moves_made_here(
    routing: httpx.AsyncClient, bearer: Bearer,
) -> None:
    clock = Clock()
    place = await district(routing, bearer, "96.31", clock)
    rng = random.Random(31)
    waits: list[float] = []
    open_ = 0
    for _ in range(7):
        made = await refer(routing, place.case(), clock)
        wait = timedelta(minutes=rng.randint(1, 50), seconds=rng.randint(0, 59))
        clock.now += wait
        if rng.random() < 0.7:
            answer = await routing.post(f"/v1/referrals/{made[place.uptd.agency_id]}/accept",
                                        headers=staff(bearer, place.uptd))
            assert answer.status_code == 200, answer.text
            waits.append(wait.total_seconds())
        open_ += 1
    clock.now += 2 * HOUR  # every one not accepted is overdue now; the accepted ones have six hours
    answer = await routing.get("/v1/district/workload", headers=place.supervisor)
    assert answer.status_code == 200, answer.text
    [uptd] = [a for a in answer.json()["agencies"] if a["agency_id"] == place.uptd.agency_id]
    assert uptd == {"agency_id": place.uptd.agency_id, "agency_name": place.uptd.name, "open": open_,
                    "overdue": open_ - len(waits), "accepted": len(waits),
                    "median_seconds_to_accept": statistics.median(waits)}
    other = (await routing.get("/v1/district/workload", headers=place.other)).json()["agencies"]
    assert place.uptd.agency_id not in {a["agency_id"] for a in other}


async def test_a_manual_referral_is_checked_against_consent_and_reach_and_emits_referral_created(
    routing: httpx.AsyncClient, bearer: Bearer,
) -> None:
    clock = Clock()
    place = await district(routing, bearer, "96.41", clock)
    case = place.case(consent=WITH_POLICE)
    await refer(routing, case, clock)
    path = f"/v1/cases/{case.case_id}/referrals"

    # Not the case's region: as if it did not exist; not a supervisor: not allowed at all.
    body = {"agency_id": place.police.agency_id, "reason": "perlu laporan polisi"}
    assert (await routing.post(path, json=body, headers=place.other)).status_code == 404
    assert (await routing.post(path, json=body, headers=staff(bearer, place.uptd))).status_code == 403

    # The victim consented to the police, not to health: refused with the reason, Indonesian by default.
    health = await routing.post(path, json={**body, "agency_id": place.health.agency_id}, headers=place.supervisor)
    assert health.status_code == 409
    [item] = health.json()["detail"]
    assert (item["type"], item["loc"]) == ("consent_not_given", ["body", "agency_id"])
    assert item["msg"].startswith("Persetujuan korban tidak mengizinkan")
    english = await routing.post(path, json={**body, "agency_id": place.health.agency_id},
                                 headers={**place.supervisor, "accept-language": "en"})
    assert english.json()["detail"][0]["msg"].startswith("The victim's consent does not allow")
    unknown = await routing.post(path, json={**body, "agency_id": "no-such-agency"}, headers=place.supervisor)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "agency_id"]
    assert unknown.json()["detail"][0]["type"] == "agency_unknown"
    far = await routing.post(path, json={**body, "agency_id": "uptd-ppa-62.71"}, headers=place.supervisor)
    assert far.status_code == 422
    assert far.json()["detail"][0]["type"] in {"agency_out_of_reach", "agency_unknown"}

    made = await routing.post(path, json=body, headers=place.supervisor)
    assert made.status_code == 201, made.text
    referral = made.json()
    assert (referral["agency_id"], referral["rule"], referral["is_lead"], referral["requested_by"]) == (
        place.police.agency_id, "manual/supervisor", False, "district_supervisor.96.41")
    [created] = [e for e in await events(routing, case.case_id)
                 if e["event_type"] == "referral.created" and e["referral_id"] == referral["referral_id"]]
    assert (created["rule"], created["requested_by"]) == ("manual/supervisor", "district_supervisor.96.41")
    # The police unit sees it in its queue, and may act on it.
    accepted = await routing.post(f"/v1/referrals/{referral['referral_id']}/accept",
                                  headers=staff(bearer, place.police))
    assert accepted.status_code == 200
    again = await routing.post(path, json=body, headers=place.supervisor)
    assert (again.status_code, again.json()["detail"][0]["type"]) == (409, "agency_holds_case")


async def test_handing_over_the_lead_ends_the_old_leads_referral_and_begins_the_new_ones(
    routing: httpx.AsyncClient, bearer: Bearer,
) -> None:
    clock = Clock()
    place = await district(routing, bearer, "96.51", clock)
    case = place.case(consent=WITH_POLICE)
    made = await refer(routing, case, clock)
    old_lead = made[place.uptd.agency_id]
    path = f"/v1/cases/{case.case_id}/lead-handover"
    body = {"agency_id": place.dinas.agency_id, "reason": "UPTD penuh minggu ini"}

    assert (await routing.post(path, json=body, headers=place.other)).status_code == 404
    police = await routing.post(path, json={**body, "agency_id": place.police.agency_id}, headers=place.supervisor)
    assert (police.status_code, police.json()["detail"][0]["type"]) == (422, "agency_not_case_manager")

    handed = await routing.post(path, json=body, headers=place.supervisor)
    assert handed.status_code == 201, handed.text
    new_lead = handed.json()
    assert (new_lead["agency_id"], new_lead["is_lead"], new_lead["rule"], new_lead["replaces_referral_id"]) == (
        place.dinas.agency_id, True, "manual/lead-handover", old_lead)
    ended = (await routing.get(f"/v1/referrals/{old_lead}", headers=place.supervisor)).json()
    assert (ended["status"], ended["status_reason"]) == ("revoked", "lead_handed_over")
    revoked, created = (await events(routing, case.case_id))[-2:]
    assert (revoked["event_type"], revoked["reason"], revoked["agency_id"]) == (
        "referral.revoked", "lead_handed_over", place.uptd.agency_id)
    assert (created["event_type"], created["agency_id"], created["is_lead"], created["requested_by"]) == (
        "referral.created", place.dinas.agency_id, True, "district_supervisor.96.51")
    # The old lead may no longer move its referral; the new lead takes the case on.
    moved = await routing.post(f"/v1/referrals/{old_lead}/accept", headers=staff(bearer, place.uptd))
    assert moved.status_code == 409
    taken = await routing.post(f"/v1/referrals/{new_lead['referral_id']}/accept", headers=staff(bearer, place.dinas))
    assert taken.status_code == 200
    back = await routing.post(path, json=body, headers=place.supervisor)
    assert (back.status_code, back.json()["detail"][0]["type"]) == (409, "agency_is_lead")
