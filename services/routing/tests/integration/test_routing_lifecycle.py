"""Routing's referral lifecycle, re-routing, rules through the API and SLA escalation, against the real Postgres.

Cases are referred by calling the use case directly (what the consumer does for each ``case.reported``), and the
SLA timers are fired with a clock the test moves, so nothing waits for real time. Events are read from routing's
outbox, where they are written in the same transaction as the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import yaml
from sqlalchemy import text

from routing.adapters import referrals as store
from routing.adapters import repository
from routing.app import create_app
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral
from routing.domain.rules import ReferralDecision
from routing.domain.sla import Deadlines, SlaPolicy
from routing.service_layer.referrals import Routing, fire_due_timers, refer_case
from routing.settings import RoutingSettings
from services.routing.tests.integration.support import Clock, runtime_of
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts.base import utc_now
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseReported, Consent
from shared.contracts.vocabulary import AgencyType, ConsentGiver, Priority, ViolenceType

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
HOUR = timedelta(hours=1)
POLICY = SlaPolicy({p: Deadlines(accept=HOUR, first_service=6 * HOUR) for p in Priority})





class Region:
    """A regency only one test uses, with its own UPTD PPA, Dinas PPA, police unit and health facility, and a
    province UPTD PPA."""

    def __init__(self, province: str, regency: str) -> None:
        self.province, self.regency = province, regency
        tag = uuid4().hex[:6]
        self.uptd = self._agency(f"uptd-{tag}", AgencyType.UPTD_PPA)
        self.dinas = self._agency(f"dinas-{tag}", AgencyType.DINAS_PPA)
        self.police = self._agency(f"police-{tag}", AgencyType.POLICE_PPA)
        self.health = self._agency(f"health-{tag}", AgencyType.HEALTH)
        self.province_uptd = Agency(
            agency_id=f"uptd-prov-{tag}", name=f"UPTD PPA Provinsi {province} {tag}", agency_type=AgencyType.UPTD_PPA,
            level=AgencyLevel.PROVINCE, province_code=province,
        )

    def _agency(self, agency_id: str, agency_type: AgencyType) -> Agency:
        return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                      level=AgencyLevel.REGENCY, province_code=self.province, regency_code=self.regency)

    @property
    def agencies(self) -> list[Agency]:
        return [self.uptd, self.dinas, self.police, self.health, self.province_uptd]

    def case(self, **fields: Any) -> CaseReported:
        return example_case_reported(province_code=self.province, regency_code=self.regency, **fields)


async def region(client: httpx.AsyncClient, province: str, regency: str) -> Region:
    place = Region(province, regency)
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, place.agencies)
        await uow.commit()
    return place


async def refer(client: httpx.AsyncClient, event: CaseReported, clock: Clock) -> list[dict[str, Any]]:
    referrals = await refer_case(event, runtime_of(client).unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))
    return [{"referral_id": str(r.referral_id), "agency_id": r.agency_id, "rule": r.rule} for r in referrals]


async def events(client: httpx.AsyncClient, case_id: UUID) -> list[dict[str, Any]]:
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        rows = await uow.session.execute(
            text("SELECT payload FROM routing.outbox WHERE message_key = :key ORDER BY id"), {"key": str(case_id)}
        )
        return [json.loads(row.payload) for row in rows]


def staff_of(bearer: Bearer, agency: Agency) -> dict[str, str]:
    return bearer(Role.AGENCY_STAFF, user_id=f"staff-{agency.agency_id}", agency_id=agency.agency_id,
                  agency_type=agency.agency_type.value)


def refusal(response: httpx.Response) -> tuple[str, str]:
    """A 409's type, and the referral's status as its message says it (Bahasa Indonesia, by default)."""
    [item] = response.json()["detail"]
    assert set(item) == {"loc", "msg", "type"}
    assert item["loc"] == ["path", "referral_id"]
    said = item["msg"].removeprefix("Rujukan yang ").removeprefix("Rujukan ini sudah berakhir (")
    return item["type"], said.split(" tidak dapat")[0].split("), ")[0]


async def test_every_move_in_order_and_every_refusal_with_the_current_status(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    place = await region(routing, "11", "11.01")
    event = place.case()
    [lead] = await refer(routing, event, Clock())
    assert (lead["agency_id"], lead["rule"]) == (place.uptd.agency_id, "lead-agency/regency-uptd")
    url = f"/v1/referrals/{lead['referral_id']}"
    staff = staff_of(bearer, place.uptd)

    assert (await routing.post(f"{url}/accept", headers=staff_of(bearer, place.dinas))).status_code == 404
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup", province_code="11", regency_code="11.01")
    assert (await routing.post(f"{url}/accept", headers=supervisor)).status_code == 403
    refused = await routing.post(f"{url}/start", headers=staff)
    assert (refused.status_code, refusal(refused)) == (409, ("referral_status", "menunggu di antrean lembaga"))

    assert (await routing.post(f"{url}/accept", headers=staff)).json()["status"] == "accepted"
    again = await routing.post(f"{url}/accept", headers=staff)
    assert (again.status_code, refusal(again)) == (409, ("referral_status", "sudah diterima"))
    early = await routing.post(f"{url}/complete", headers=staff, json={"services_given": ["pengaduan"]})
    assert (early.status_code, refusal(early)) == (409, ("referral_status", "sudah diterima"))

    assert (await routing.post(f"{url}/start", headers=staff)).json()["status"] == "in_service"
    late = await routing.post(f"{url}/decline", headers=staff, json={"reason": "Tidak ada kapasitas"})
    assert (late.status_code, refusal(late)) == (409, ("referral_status", "sedang dilayani"))
    nothing_given = await routing.post(f"{url}/complete", headers=staff, json={"services_given": []})
    assert nothing_given.status_code == 422
    done = await routing.post(f"{url}/complete", headers=staff,
                              json={"services_given": ["pengaduan", "rehabilitasi_sosial", "pengaduan"]})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["services_given"]) == ("completed", ["pengaduan", "rehabilitasi_sosial"])
    revoke = await routing.post(f"{url}/revoke", headers=bearer(Role.PROVINCE_ADMIN, user_id="a", province_code="11"),
                                json={"reason": "Tidak diperlukan lagi"})
    assert (revoke.status_code, refusal(revoke)) == (409, ("referral_ended", "sudah selesai"))

    kinds = [e["event_type"] for e in await events(routing, event.case_id)]
    assert kinds == ["referral.created", "referral.accepted", "referral.service_started", "referral.completed",
                     "case.services_completed"]
    finished = (await events(routing, event.case_id))[-1]
    assert (finished["services_given"], finished["referral_count"]) == (["pengaduan", "rehabilitasi_sosial"], 1)


async def test_rules_refer_within_consent(routing: httpx.AsyncClient) -> None:
    place = await region(routing, "12", "12.01")
    sexual = {"violence_types": (ViolenceType.SEKSUAL,), "priority": Priority.P1}
    consented = place.case(**sexual, consent=Consent(
        given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA, AgencyType.HEALTH)))
    referred = {r["agency_id"]: r["rule"] for r in await refer(routing, consented, Clock())}
    assert referred == {
        place.uptd.agency_id: "lead-agency/regency-uptd",
        place.police.agency_id: "police/sexual-violence-and-trafficking",
        place.health.agency_id: "health/sexual-violence",
    }
    not_asked = place.case(**sexual)  # consent not given yet: the case manager only
    assert [r["agency_id"] for r in await refer(routing, not_asked, Clock())] == [place.uptd.agency_id]


async def test_referrals_are_stored_together_and_an_agency_holding_the_case_is_skipped(
    routing: httpx.AsyncClient,
) -> None:
    place = await region(routing, "12", "12.02")
    case = CaseToRoute.from_event(place.case())
    now = utc_now()

    def referral(agency: Agency) -> Referral:
        decision = ReferralDecision(agency, "t", "t", is_lead=agency is place.uptd)
        return Referral.create(case, decision, referral_id=uuid4(), created_at=now, rule_set_version=1,
                               deadlines=POLICY.deadlines(Priority.P3))

    first, again, police, health = (referral(agency) for agency in (place.uptd, place.uptd, place.police,
                                                                    place.health))
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:  # left without commit: rolled back
        await store.save_case(uow.session, case, now)
        assert await store.add_referrals(uow.session, [first]) == {first.referral_id}
        stored = await store.add_referrals(uow.session, [again, police, health])
        assert stored == {police.referral_id, health.referral_id}
        referred = await store.referrals_of_case(uow.session, case.case_id)
        assert {r.referral_id for r in referred} == {first.referral_id, police.referral_id, health.referral_id}
        timers = (await uow.session.execute(
            text("SELECT referral_id, deadline, due_at FROM routing.sla_timers WHERE referral_id = ANY(:ids)"),
            {"ids": [first.referral_id, again.referral_id, police.referral_id, health.referral_id]},
        )).all()
        assert sorted((row.referral_id, row.deadline, row.due_at) for row in timers) == sorted(
            (r.referral_id, deadline, due) for r in (first, police, health)
            for deadline, due in (("accept", r.accept_by), ("first_service", r.first_service_by))
        )
        assert await store.add_referrals(uow.session, []) == set()


async def test_a_decline_goes_to_the_next_eligible_agency(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    place = await region(routing, "13", "13.01")
    event = place.case()
    [lead] = await refer(routing, event, Clock())
    missing = await routing.post(f"/v1/referrals/{lead['referral_id']}/decline", headers=staff_of(bearer, place.uptd),
                                 json={})
    assert missing.status_code == 422  # a decline needs its reason
    declined = await routing.post(f"/v1/referrals/{lead['referral_id']}/decline",
                                  headers=staff_of(bearer, place.uptd), json={"reason": "Konflik kepentingan"})
    assert declined.json()["status"] == "declined"

    created = [e for e in await events(routing, event.case_id) if e["event_type"] == "referral.created"]
    assert [(e["agency_id"], e["is_lead"]) for e in created] == [
        (place.uptd.agency_id, True), (place.dinas.agency_id, True)
    ]
    assert created[1]["replaces_referral_id"] == lead["referral_id"]
    assert f"The UPTD PPA of regency 13.01 ({place.uptd.agency_id}) already declined" in created[1]["reason"]

    second = created[1]["referral_id"]
    await routing.post(f"/v1/referrals/{second}/decline", headers=staff_of(bearer, place.dinas),
                       json={"reason": "Di luar wilayah layanan"})
    created = [e for e in await events(routing, event.case_id) if e["event_type"] == "referral.created"]
    assert created[-1]["agency_id"] == place.province_uptd.agency_id
    assert [e["event_type"] for e in await events(routing, event.case_id)].count("case.services_completed") == 0


async def test_the_region_revokes_a_referral_and_agencies_may_not(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    place = await region(routing, "14", "14.01")
    event = place.case(violence_types=(ViolenceType.SEKSUAL,), consent=Consent(
        given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA,)))
    police = next(r for r in await refer(routing, event, Clock()) if r["agency_id"] == place.police.agency_id)
    url = f"/v1/referrals/{police['referral_id']}/revoke"
    body = {"reason": "Korban menarik persetujuan"}
    assert (await routing.post(url, headers=staff_of(bearer, place.police), json=body)).status_code == 403
    elsewhere = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-x", province_code="14", regency_code="14.02")
    assert (await routing.post(url, headers=elsewhere, json=body)).status_code == 404
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-14.01", province_code="14", regency_code="14.01")
    revoked = await routing.post(url, headers=supervisor, json=body)
    assert (revoked.status_code, revoked.json()["status_reason"]) == (200, body["reason"])
    last = (await events(routing, event.case_id))[-1]
    assert (last["event_type"], last["actor"], last["reason"]) == ("referral.revoked", "sup-14.01", body["reason"])


async def test_an_unmet_sla_breaches_once_and_escalates_up_the_chain(routing: httpx.AsyncClient) -> None:
    place = await region(routing, "15", "15.01")
    clock = Clock()
    event = place.case()
    [lead] = await refer(routing, event, clock)
    routing_with_clock = Routing(POLICY, clock)

    async def fire() -> int:
        return await fire_due_timers(runtime_of(routing).unit_of_work(SERVICE_CONTEXT), routing_with_clock)

    clock.now += HOUR - timedelta(seconds=1)
    await fire()  # not due yet
    assert [e["event_type"] for e in await events(routing, event.case_id)] == ["referral.created"]

    chain = [place.dinas.agency_id, place.province_uptd.agency_id, "sapa-129"]
    breached_by = [place.uptd.agency_id, *chain]
    for step, (breacher, escalated_to) in enumerate(zip(breached_by, [*chain, None], strict=True)):
        clock.now += HOUR
        await fire()
        await fire()  # a second check at the same time fires nothing again
        case_events = await events(routing, event.case_id)
        breaches = [e for e in case_events if e["event_type"] == "referral.sla_breached" and e["deadline"] == "accept"]
        assert len(breaches) == step + 1, breaches
        assert (breaches[-1]["agency_id"], breaches[-1]["escalated_to"]) == (breacher, escalated_to)
        if escalated_to is not None:
            escalation = [e for e in case_events if e["event_type"] == "referral.created"][-1]
            assert (escalation["agency_id"], escalation["rule"]) == (escalated_to, "escalation/sla")

    # Met deadlines close quietly: accept the lead long after, then nothing more fires for it.
    assert lead["agency_id"] == place.uptd.agency_id


async def test_rules_change_through_the_api_without_a_restart(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    """A province admin gives their province rules of its own (``/v1/provinces/16/rules``); the province's next
    case is routed by them, without a restart."""
    admin = bearer(Role.PROVINCE_ADMIN, user_id="admin-16", province_code="16")
    url = "/v1/provinces/16/rules"
    current = await routing.get(url, headers=admin)
    assert current.status_code == 200
    assert current.headers["content-type"].startswith("application/yaml")
    in_force = yaml.safe_load(current.text)
    version = in_force["version"]
    extra_rule = {
        "id": "police/every-case-in-16-01",
        "description": "A test rule for one regency",
        "when": {"regions": ["16.01"]},
        "refer": [{"agency_type": "police_ppa"}],
    }
    # The rules in force plus one: other tests keep the rules they expect.
    new_rules = yaml.safe_dump({"version": version + 1, "rules": [*in_force["rules"], extra_rule]})
    headers = {**admin, "content-type": "application/yaml"}
    assert (await routing.put(url, content=new_rules, headers=staff_of(bearer, Region("16", "16.01").uptd)
                              | {"content-type": "application/yaml"})).status_code == 403
    stored = await routing.put(url, content=new_rules, headers=headers)
    assert stored.status_code == 200, stored.text
    assert stored.headers["x-sinergi-rule-scope"] == "16"
    stale = await routing.put(url, content=new_rules, headers=headers)
    [item] = stale.json()["detail"]
    assert (stale.status_code, item["loc"], item["type"]) == (409, ["body", "version"], "rules_version_conflict")
    assert item["msg"] == f"Aturan yang berlaku adalah versi {version + 1}; versi baru harus {version + 2}."
    bad = await routing.put(url, content="version: [", headers=headers)
    assert (bad.status_code, bad.json()["detail"][0]["type"]) == (422, "yaml_invalid")
    unknown = new_rules.replace(f"version: {version + 1}", f"version: {version + 2}").replace("legal_aid", "pengacara")
    assert (await routing.put(url, content=unknown, headers=headers)).status_code == 422

    place = await region(routing, "16", "16.01")
    event = place.case(consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA,)))
    referred = {r["agency_id"]: r["rule"] for r in await refer(routing, event, Clock())}
    assert referred[place.police.agency_id] == "police/every-case-in-16-01"
    created = [e for e in await events(routing, event.case_id) if e["event_type"] == "referral.created"]
    assert {e["rule_set_version"] for e in created} == {version + 1}


async def test_timers_outlive_the_instance_that_set_them(
    routing: httpx.AsyncClient, make_settings: Callable[..., RoutingSettings]
) -> None:
    place = await region(routing, "18", "18.01")
    clock = Clock()
    event = place.case()
    await refer(routing, event, clock)  # this instance sets the timers, then is gone
    restarted = create_app(make_settings(RoutingSettings, "routing")).state.runtime
    try:
        clock.now += HOUR
        await fire_due_timers(restarted.unit_of_work(SERVICE_CONTEXT), Routing(POLICY, clock))
    finally:
        await restarted.engine.dispose()
    [breach] = [e for e in await events(routing, event.case_id) if e["event_type"] == "referral.sla_breached"]
    assert (breach["agency_id"], breach["escalated_to"]) == (place.uptd.agency_id, place.dinas.agency_id)
