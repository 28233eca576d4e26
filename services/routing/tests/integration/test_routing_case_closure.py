"""Routing follows the case, against the real Postgres: ``case.closed`` ends the clocks of its referrals (each open
one is revoked, reason ``case_closed``), nothing of a closed case fires, escalates or is re-routed; ``case.reopened``
refers it again by the rules with new clocks; a move on an ended referral is refused with 409 and the reason in the
caller's language. The clock is the test's, so nothing waits for real time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import text

from routing.service_layer.case_lifecycle import close_case, reopen_case
from routing.service_layer.referrals import Routing, fire_due_timers
from services.routing.tests.integration.test_routing_lifecycle import (
    HOUR,
    POLICY,
    Bearer,
    Clock,
    events,
    refer,
    region,
    runtime_of,
    staff_of,
)
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import CaseClosed, CaseReopened, CaseReported
from shared.contracts.intake import Consent
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import AgencyType, ConsentGiver, ViolenceType

FAR_PAST_EVERY_DEADLINE = timedelta(days=30)


def closed(event: CaseReported, *, by: str = "operator-a") -> CaseClosed:
    return CaseClosed(case_id=event.case_id, case_number=event.case_number, province_code=event.province_code,
                      regency_code=event.regency_code, reason="handled", closed_by=by)


def reopened(event: CaseReported) -> CaseReopened:
    return CaseReopened(case_id=event.case_id, case_number=event.case_number, province_code=event.province_code,
                        regency_code=event.regency_code, reason="victim_returned", reopened_by="operator-a")


async def close(client: httpx.AsyncClient, event: CaseClosed, clock: Clock) -> list[Any]:
    return await close_case(event, runtime_of(client).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))


async def reopen(client: httpx.AsyncClient, event: CaseReopened, clock: Clock) -> list[Any]:
    return await reopen_case(event, runtime_of(client).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))


async def fire(client: httpx.AsyncClient, clock: Clock) -> int:
    return await fire_due_timers(runtime_of(client).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))


async def timer_outcomes(client: httpx.AsyncClient, referral_ids: list[str]) -> set[str]:
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        rows = await uow.session.execute(
            text("SELECT outcome FROM routing.sla_timers WHERE referral_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": referral_ids},
        )
        return {row.outcome for row in rows}


def of_type(case_events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in case_events if e["event_type"] == event_type]


async def test_closing_a_case_stops_every_clock_and_tells_each_agency(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    place = await region(routing, "94", "94.01")
    clock = Clock()
    # The lead and the police: two referrals, two clocks each.
    event = place.case(violence_types=(ViolenceType.SEKSUAL,),
                       consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA,)))
    referred = await refer(routing, event, clock)
    assert len(referred) >= 2
    lead = referred[0]
    staff = staff_of(bearer, place.uptd)
    assert (await routing.post(f"/v1/referrals/{lead['referral_id']}/accept", headers=staff)).status_code == 200

    clock.now += HOUR / 2
    revoked = await close(routing, closed(event, by="operator-94"), clock)
    assert {r.agency_id for r in revoked} == {r["agency_id"] for r in referred}
    revocations = of_type(await events(routing, event.case_id), "referral.revoked")
    assert {(e["referral_id"], e["reason"], e["actor"]) for e in revocations} == {
        (r["referral_id"], CASE_CLOSED_REASON, "operator-94") for r in referred
    }

    # Past every deadline: no timer fires, nothing escalates, nobody new is referred.
    before = await events(routing, event.case_id)
    clock.now += FAR_PAST_EVERY_DEADLINE
    while await fire(routing, clock):
        pass  # other tests' timers are due by this clock too; this case's must not fire
    after = await events(routing, event.case_id)
    assert after == before
    assert not of_type(after, "referral.sla_breached")
    assert len(of_type(after, "referral.created")) == len(referred)
    assert await timer_outcomes(routing, [r["referral_id"] for r in referred]) == {"cancelled"}

    # A redelivered case.closed changes nothing.
    assert await close(routing, closed(event, by="operator-94"), clock) == []


async def test_a_decision_on_an_ended_referral_is_refused_with_the_reason_in_the_callers_language(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    place = await region(routing, "94", "94.02")
    clock = Clock()
    event = place.case()
    [lead] = await refer(routing, event, clock)
    staff = staff_of(bearer, place.uptd)
    url = f"/v1/referrals/{lead['referral_id']}"
    declined = await routing.post(f"{url}/decline", headers=staff, json={"reason": "Di luar kapasitas"})
    assert declined.status_code == 200, declined.text
    for action in ("accept", "start", "decline"):
        body = {"reason": "Sekali lagi"} if action == "decline" else None
        refused = await routing.post(f"{url}/{action}", headers=staff, json=body)
        assert refused.status_code == 409, (action, refused.text)
        [item] = refused.json()["detail"]
        assert (item["loc"], item["type"]) == (["path", "referral_id"], "referral_ended")
        assert item["msg"].startswith("Rujukan ini sudah berakhir (sudah ditolak)")
        assert refused.headers["content-language"] == "id"
    english = await routing.post(f"{url}/accept", headers={**staff, "Accept-Language": "en"})
    assert english.json()["detail"][0]["msg"] == (
        "This referral has ended (declined), so it can no longer be accepted.")
    assert english.headers["content-language"] == "en"

    # The replacement, once the case is closed: refused because the case is closed, whatever the move.
    replacement = of_type(await events(routing, event.case_id), "referral.created")[-1]
    await close(routing, closed(event), clock)
    dinas = staff_of(bearer, place.dinas)
    assert replacement["agency_id"] == place.dinas.agency_id
    for action, body in (("accept", None), ("decline", {"reason": "Terlambat"})):
        refused = await routing.post(f"/v1/referrals/{replacement['referral_id']}/{action}", headers=dinas,
                                     json=body)
        assert (refused.status_code, refused.json()["detail"][0]["type"]) == (409, "case_closed"), refused.text
        assert refused.json()["detail"][0]["msg"].startswith("Kasus dari rujukan ini sudah ditutup")
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-94.02", province_code="94", regency_code="94.02")
    revoke = await routing.post(f"/v1/referrals/{replacement['referral_id']}/revoke", headers=supervisor,
                                json={"reason": "Ditarik"})
    assert (revoke.status_code, revoke.json()["detail"][0]["type"]) == (409, "case_closed")
    # No re-routing of a closed case's decline: the dinas' decline was refused, and nobody new was referred.
    assert len(of_type(await events(routing, event.case_id), "referral.created")) == 2


async def test_a_reopened_case_is_referred_again_by_the_rules_with_new_clocks(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    place = await region(routing, "94", "94.03")
    clock = Clock()
    event = place.case()
    [first] = await refer(routing, event, clock)
    assert await reopen(routing, reopened(event), clock) == []  # not closed: nothing to do
    await close(routing, closed(event), clock)

    clock.now += timedelta(days=3)
    again = await reopen(routing, reopened(event), clock)
    assert [(r.agency_id, r.is_lead, r.rule, r.round) for r in again] == [
        (place.uptd.agency_id, True, "lead-agency/regency-uptd", 1)]
    [lead] = again
    assert lead.referral_id != UUID(first["referral_id"])
    assert (lead.accept_by, lead.first_service_by) == (clock.now + HOUR, clock.now + 6 * HOUR)
    listed = (await routing.get(f"/v1/cases/{event.case_id}/referrals", headers=staff_of(bearer, place.uptd))).json()
    assert [(r["status"], r["round"]) for r in listed] == [("revoked", 0), ("created", 1)]
    assert await reopen(routing, reopened(event), clock) == []  # a redelivery refers nobody again

    # The new clocks run: missing the new accept deadline escalates as for any referral.
    clock.now += HOUR
    while await fire(routing, clock):
        pass  # other tests' timers may be due by this clock too
    [breach] = of_type(await events(routing, event.case_id), "referral.sla_breached")
    assert (breach["referral_id"], breach["escalated_to"]) == (str(lead.referral_id), place.dinas.agency_id)
    # The new round's moves work as before.
    accepted = await routing.post(f"/v1/referrals/{lead.referral_id}/accept", headers=staff_of(bearer, place.uptd))
    assert accepted.status_code == 200, accepted.text


async def test_a_timer_due_while_its_case_is_being_closed_is_left_to_the_closure(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    """While a closure holds the case (its row locked), the timer loop passes its timers by instead of escalating
    from facts the closure is about to change; the closure then cancels them."""
    place = await region(routing, "94", "94.05")
    clock = Clock()
    event = place.case()
    [lead] = await refer(routing, event, clock)
    clock.now += FAR_PAST_EVERY_DEADLINE
    async with runtime_of(routing).engine.connect() as closing:  # stands for the closure's transaction
        await closing.execute(text("SELECT set_config('sinergi.roles', 'service', true)"))
        await closing.execute(text("SELECT 1 FROM routing.cases WHERE case_id = :id FOR UPDATE"),
                              {"id": event.case_id})
        while await fire(routing, clock):
            pass  # other tests' timers are due by this clock too
        assert await timer_outcomes(routing, [lead["referral_id"]]) == {None}  # passed by, not fired
        await closing.rollback()
    await close(routing, closed(event), clock)
    while await fire(routing, clock):
        pass
    assert await timer_outcomes(routing, [lead["referral_id"]]) == {"cancelled"}
    assert not of_type(await events(routing, event.case_id), "referral.sla_breached")
