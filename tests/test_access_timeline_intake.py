"""The time axis of the access matrix, for intake: one case walked through its referrals' lives, and at each step
what every intake endpoint that shows case data answers, and what Postgres returns as the app role with each
person's identity set and no API check in the way.

Intake runs in process against the real Postgres and broker; routing's referral events are published to
``sinergi.referrals`` as routing publishes them and intake's own consumer handles them. "Past the follow-up
period" is the stored ``read_until`` set in the past, never a sleep.

The people: the police unit the case is referred to (its access follows its referrals, and the victim's
consent), the lead UPTD PPA (always consented; it closes and reopens), another police unit never referred, the
operator who recorded the case, and the district supervisor of its regency.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from intake.app import create_app
from intake.settings import IntakeSettings
from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import Principal, Role
from shared.contracts import (
    REFERRALS,
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
)
from shared.outbox import EVENT_TYPE_HEADER
from tests.polling import eventually

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]
POLICE, OTHER, RECORDER, DISTRICT, LEAD = "police", "other", "recorder", "district", "lead"


def _person(user_id: str, role: Role, **claims: str) -> Principal:
    return Principal(user_id=f"{user_id}-{RUN}", roles=frozenset({role}), agency_id=claims.get("agency_id"),
                     agency_type=claims.get("agency_type"), province_code=claims.get("province_code"),
                     regency_code=claims.get("regency_code"))


PEOPLE = {
    POLICE: _person("police", Role.AGENCY_STAFF, agency_id=f"polres-62.13-{RUN}", agency_type="police_ppa"),
    OTHER: _person("other", Role.AGENCY_STAFF, agency_id=f"polres-62.01-{RUN}", agency_type="police_ppa"),
    RECORDER: _person("operator", Role.OPERATOR),
    DISTRICT: _person("district", Role.DISTRICT_SUPERVISOR, province_code="62", regency_code="62.13"),
    LEAD: _person("uptd", Role.AGENCY_STAFF, agency_id=f"uptd-ppa-62.13-{RUN}", agency_type="uptd_ppa"),
    "school": _person("school", Role.AGENCY_STAFF, agency_id=f"disdik-62.13-{RUN}", agency_type="dinas_pendidikan"),
}
VICTIM = f"Korban Linimasa {RUN}"
REPORT: dict[str, Any] = {
    "incident": {"date": (date.today() - timedelta(days=3)).isoformat(), "precision": "day"},  # noqa: DTZ011
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga", "address": "Jl. Garis 1"},
    "violence_types": ["fisik"], "channel": "hotline",
    "victims": [{"sex": "perempuan", "age": 15, "name": VICTIM}],
    "perpetrators": [{"relationship": "tetangga", "name": f"Pelaku Linimasa {RUN}"}],
    "consent": {"given_by": "korban", "agency_types": ["police_ppa"]},
    "reporter": {"relation": "keluarga", "name": "Pelapor Linimasa", "phone": "+62 811-0000-7171"},
    "narrative": f"Narasi linimasa {RUN}.",
}


@dataclass(frozen=True)
class Sees:
    """What one person gets at one step: ``get`` is 200 with personal fields ("200P"), 200 without, or 404;
    ``listed`` whether the case list shows the case; the status codes of an update, a closure and a reopening
    (None: not asked at this step, because it would succeed and change the case); and what Postgres returns:
    ``rows`` is "all" (the case, its personal fields and updates), "case" (the case and its updates) or "none"."""

    get: str
    listed: bool
    update: int
    close: int | None
    reopen: int | None
    rows: str


LIVE_POLICE = Sees("200P", True, 201, 403, 403, "all")  # not a case manager: no closing; not the lead
FOLLOW_UP_POLICE = Sees("200P", True, 403, 403, 403, "all")
NOTHING = Sees("404", False, 404, 404, 404, "none")
RECORDER_OPEN = Sees("200P", True, 201, None, 403, "all")
DISTRICT_OPEN = Sees("200", True, 403, 403, 409, "case")
LEAD_LIVE = Sees("200P", True, 201, None, 409, "all")
OPEN_CASE = {OTHER: NOTHING, RECORDER: RECORDER_OPEN, DISTRICT: DISTRICT_OPEN, LEAD: LEAD_LIVE}


@dataclass
class Timeline:
    client: httpx.AsyncClient
    producer: AIOKafkaProducer
    bearer: Callable[..., dict[str, str]]
    case_id: str = ""
    referrals: dict[str, uuid.UUID] = field(default_factory=dict)

    def headers(self, name: str, **extra: str) -> dict[str, str]:
        person = PEOPLE[name]
        return {**self.bearer(*person.roles, user_id=person.user_id, agency_id=person.agency_id,
                              agency_type=person.agency_type, province_code=person.province_code,
                              regency_code=person.regency_code), **extra}

    @property
    def runtime(self) -> Any:
        return self.client.app.state.runtime  # type: ignore[attr-defined]

    async def as_service(self, sql: str, **params: Any) -> list[Any]:
        async with self.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            result = await uow.session.execute(text(sql), params)
            rows = list(result.all()) if result.returns_rows else []
            await uow.commit()
        return rows

    async def publish(self, event: Event) -> None:
        """Publish as routing does, and wait until intake's consumer has handled it (its inbox holds it)."""
        await self.producer.send_and_wait(REFERRALS.name, event.to_json(), key=event.key,
                                          headers=[(EVENT_TYPE_HEADER, event.event_type.encode())])

        async def handled() -> bool:
            return bool(await self.as_service("SELECT 1 FROM intake.inbox WHERE event_id = :id", id=event.event_id))

        await eventually(handled, f"intake handles {event.event_type}", within=60)

    async def refer(self, name: str, *, lead: bool = False) -> uuid.UUID:
        person = PEOPLE[name]
        referral_id = uuid.uuid4()
        assert person.agency_id
        assert person.agency_type
        await self.publish(ReferralCreated(
            case_id=uuid.UUID(self.case_id), referral_id=referral_id, agency_id=person.agency_id,
            agency_type=person.agency_type, is_lead=lead, province_code="62", regency_code="62.13",
            rule="timeline", reason="timeline",
        ))
        self.referrals[name] = referral_id
        return referral_id

    def _of(self, name: str) -> dict[str, Any]:
        person = PEOPLE[name]
        return {"case_id": uuid.UUID(self.case_id), "referral_id": self.referrals[name],
                "agency_id": person.agency_id, "actor": person.user_id}

    async def accept(self, name: str) -> None:
        fields = self._of(name)
        await self.publish(ReferralAccepted(case_id=fields["case_id"], referral_id=fields["referral_id"],
                                            agency_id=fields["agency_id"], accepted_by=fields["actor"]))

    async def decline(self, name: str) -> None:
        await self.publish(ReferralDeclined(**self._of(name), reason="di luar kapasitas"))

    async def revoke(self, name: str) -> None:
        await self.publish(ReferralRevoked(**self._of(name), reason="rujukan ditarik"))

    async def complete(self, name: str) -> None:
        await self.publish(ReferralCompleted(**self._of(name), services_given=("penegakan_hukum",)))

    async def rows_seen_by(self, name: str) -> str:
        """What Postgres alone returns to ``name``: the tables queried directly, no API check."""
        counts = []
        async with self.runtime.unit_of_work(AccessContext.of(PEOPLE[name])) as uow:
            for table in ("cases", "case_personal_fields", "case_updates"):
                counts.append(await uow.session.scalar(
                    text(f"SELECT count(*) FROM {table} WHERE case_id = :id"),
                    {"id": uuid.UUID(self.case_id)}))
        case, fields, updates = (bool(count) for count in counts)
        assert case == updates, (name, counts)  # the case has updates at every step: they follow the case
        return "all" if case and fields else "case" if case else "none"

    async def check(self, step: str, expected: dict[str, Sees]) -> None:
        """Every person's answers at ``step``, from each endpoint and from the database."""
        case_url = f"/v1/cases/{self.case_id}"
        for name, sees in expected.items():
            where = f"{step}, {name}"
            headers = self.headers(name)
            got = await self.client.get(case_url, headers=headers)
            assert got.status_code == int(sees.get[:3]), f"{where}: GET {got.status_code} {got.text[:200]}"
            if got.status_code == 200:
                personal = got.json()["personal"]
                assert (VICTIM in personal.values()) is sees.get.endswith("P"), f"{where}: {sorted(personal)}"
            else:
                assert VICTIM not in got.text, where
                assert self.case_id not in got.text, where
            listed = await self.client.get("/v1/cases", params={"limit": "500"}, headers=headers)
            assert listed.status_code == 200, where
            assert (self.case_id in listed.text) is sees.listed, f"{where}: list"
            note = {"kind": "information_added", "note": f"Catatan {step} oleh {name}."}
            updated = await self.client.post(f"{case_url}/updates", json=note, headers=headers)
            assert updated.status_code == sees.update, f"{where}: update {updated.status_code} {updated.text[:200]}"
            if sees.close is not None:
                closed = await self.client.post(f"{case_url}/close", json={"reason": "handled"}, headers=headers)
                assert closed.status_code == sees.close, f"{where}: close {closed.status_code} {closed.text[:200]}"
            if sees.reopen is not None:
                reopened = await self.client.post(f"{case_url}/reopen", json={"reason": "new_information"},
                                                  headers=headers)
                assert reopened.status_code == sees.reopen, (
                    f"{where}: reopen {reopened.status_code} {reopened.text[:200]}")
            assert await self.rows_seen_by(name) == sees.rows, f"{where}: database"


@pytest.fixture
async def timeline(
    make_settings: Callable[..., IntakeSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[Timeline]:
    app = create_app(make_settings(IntakeSettings, "intake", http_public_rate_limit="100000/minute"))
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake", timeout=30))
        client.app = app  # type: ignore[attr-defined]
        producer = AIOKafkaProducer(bootstrap_servers=app.state.runtime.settings.kafka_bootstrap_servers)
        await producer.start()
        stack.push_async_callback(producer.stop)
        yield Timeline(client, producer, bearer)


async def test_access_follows_each_referral_through_the_life_of_a_case(timeline: Timeline) -> None:
    reported = await timeline.client.post("/v1/reports", json=REPORT, headers=timeline.headers(RECORDER))
    assert reported.status_code == 201, reported.text
    timeline.case_id = reported.json()["case_id"]
    await timeline.refer(LEAD, lead=True)

    await timeline.refer(POLICE)
    await timeline.check("created", {**OPEN_CASE, POLICE: LIVE_POLICE})
    await timeline.accept(POLICE)
    await timeline.check("accepted", {**OPEN_CASE, POLICE: LIVE_POLICE})
    await timeline.decline(POLICE)
    await timeline.check("declined", {**OPEN_CASE, POLICE: NOTHING})

    await timeline.refer(POLICE)  # routing refers the case to the same unit again
    await timeline.check("referred again", {**OPEN_CASE, POLICE: LIVE_POLICE})
    await timeline.revoke(POLICE)
    await timeline.check("revoked", {**OPEN_CASE, POLICE: NOTHING})

    completed = await timeline.refer(POLICE)
    await timeline.accept(POLICE)
    await timeline.complete(POLICE)
    await timeline.check("completed", {**OPEN_CASE, POLICE: FOLLOW_UP_POLICE})
    [(read_until,)] = await timeline.as_service(
        "SELECT read_until - access_since FROM intake.case_access WHERE referral_id = :id", id=completed)
    assert read_until == timedelta(days=timeline.runtime.settings.referral_follow_up_days)
    await timeline.as_service("UPDATE intake.case_access SET read_until = now() - interval '1 second'"
                              " WHERE referral_id = :id", id=completed)
    await timeline.check("past the follow-up period", {**OPEN_CASE, POLICE: NOTHING})

    await timeline.refer(POLICE)
    await timeline.check("referred once more", {**OPEN_CASE, POLICE: LIVE_POLICE})
    withdrawn = await timeline.client.post(
        f"/v1/cases/{timeline.case_id}/updates", headers=timeline.headers(RECORDER),
        json={"kind": "corrected", "changes": {"consent": {"given_by": "korban", "agency_types": []}}})
    assert withdrawn.status_code == 201, withdrawn.text
    # The case manager holds the case whatever consent says.
    await timeline.check("consent withdrawn", {**OPEN_CASE, POLICE: NOTHING})

    closed = await timeline.client.post(f"/v1/cases/{timeline.case_id}/close", json={"reason": "handled"},
                                        headers=timeline.headers(LEAD))
    assert closed.status_code == 200, closed.text
    await timeline.check("case closed", {
        POLICE: NOTHING, OTHER: NOTHING,
        RECORDER: Sees("200P", True, 409, 409, 403, "all"),
        DISTRICT: Sees("200", True, 403, 403, None, "case"),
        LEAD: Sees("200P", True, 409, 409, None, "all"),  # read-only follow-up
    })

    reopened = await timeline.client.post(
        f"/v1/cases/{timeline.case_id}/reopen", headers=timeline.headers(LEAD),
        json={"reason": "victim_returned", "note": f"Korban datang lagi {RUN}."})
    assert reopened.status_code == 200, reopened.text
    await timeline.check("case reopened", {
        **OPEN_CASE, POLICE: NOTHING, LEAD: Sees("200P", True, 403, 403, 409, "all"),  # follow-up until referred
    })

    await timeline.refer(LEAD, lead=True)  # routing refers the reopened case again
    await timeline.refer(POLICE)  # consent still withheld: a new referral gives the unit nothing
    await timeline.check("referred after reopening", {**OPEN_CASE, POLICE: NOTHING})


async def test_reopening_is_one_transaction_with_its_event_and_note_and_answers_409_in_the_callers_language(
    timeline: Timeline,
) -> None:
    reported = await timeline.client.post("/v1/reports", json=REPORT, headers=timeline.headers(RECORDER))
    assert reported.status_code == 201, reported.text
    timeline.case_id = case_id = reported.json()["case_id"]
    await timeline.refer(LEAD, lead=True)
    reopen_url = f"/v1/cases/{case_id}/reopen"

    refused = await timeline.client.post(reopen_url, json={"reason": "victim_returned"},
                                         headers=timeline.headers(DISTRICT))
    assert refused.status_code == 409
    assert refused.headers["content-language"] == "id"
    assert refused.json()["detail"] == [{
        "loc": ["path", "case_id"], "type": "case_not_closed",
        "msg": "Kasus masih terbuka: hanya kasus yang sudah ditutup yang dapat dibuka kembali.",
    }]
    english = await timeline.client.post(reopen_url, json={"reason": "victim_returned"},
                                         headers=timeline.headers(DISTRICT, **{"Accept-Language": "en"}))
    assert english.status_code == 409
    assert english.json()["detail"][0]["msg"] == "The case is open: only a closed case can be reopened."
    wrong = await timeline.client.post(reopen_url, json={"reason": "bored"}, headers=timeline.headers(DISTRICT))
    assert wrong.status_code == 422
    assert [item["loc"] for item in wrong.json()["detail"]] == [["body", "reason"]]

    closed = await timeline.client.post(f"/v1/cases/{case_id}/close", json={"reason": "handled"},
                                        headers=timeline.headers(RECORDER))
    assert closed.status_code == 200, closed.text
    note = f"Catatan pembukaan kembali rahasia {RUN}."
    reopened = await timeline.client.post(reopen_url, json={"reason": "repeat_perpetrator", "note": note},
                                          headers=timeline.headers(DISTRICT))
    assert reopened.status_code == 200, reopened.text
    update_id = reopened.json()["update_id"]

    [(status, reason, closed_at)] = await timeline.as_service(
        "SELECT status, closure_reason, closed_at FROM intake.cases WHERE case_id = :id", id=uuid.UUID(case_id))
    assert (status, reason, closed_at) == ("open", None, None)
    [(payload,)] = await timeline.as_service(
        "SELECT payload FROM intake.outbox WHERE message_key = :key AND event_type = 'case.reopened'", key=case_id)
    event = json.loads(payload)
    assert (event["reason"], event["reopened_by"], event["case_number"]) == (
        "repeat_perpetrator", PEOPLE[DISTRICT].user_id, reported.json()["case_number"])
    assert note not in payload
    [(ciphertext, kind)] = await timeline.as_service(
        "SELECT ciphertext, kind FROM intake.case_personal_fields WHERE case_id = :id AND field = :f",
        id=uuid.UUID(case_id), f=f"notes.{update_id}")
    assert kind == "narrative"
    assert note not in ciphertext
    lead_view = await timeline.client.get(f"/v1/cases/{case_id}", headers=timeline.headers(LEAD))
    assert lead_view.json()["personal"][f"notes.{update_id}"] == note
    district_view = await timeline.client.get(f"/v1/cases/{case_id}", headers=timeline.headers(DISTRICT))
    assert district_view.json()["status"] == "open"
    assert note not in district_view.text


async def test_an_agency_sees_only_the_facts_its_type_needs(timeline: Timeline) -> None:
    body = {**REPORT, "consent": {"given_by": "korban", "agency_types": ["police_ppa", "dinas_pendidikan"]}}
    reported = await timeline.client.post("/v1/reports", json=body, headers=timeline.headers(RECORDER))
    assert reported.status_code == 201, reported.text
    timeline.case_id = case_id = reported.json()["case_id"]
    await timeline.refer("school")
    await timeline.refer(POLICE)

    school = await timeline.client.get(f"/v1/cases/{case_id}", headers=timeline.headers("school"))
    assert school.status_code == 200, school.text
    case = school.json()
    assert "perpetrators" not in case["record"]
    assert case["record"]["victims"][0]["sex"] == "perempuan"
    assert case["record"]["location"] == {"province_code": "62", "regency_code": "62.13"}
    assert (case["violence_types"], case["triage_reasons"]) == (None, None)
    listed = await timeline.client.get("/v1/cases", params={"limit": "500"}, headers=timeline.headers("school"))
    [summary] = [c for c in listed.json() if c["case_id"] == case_id]
    assert (summary["violence_types"], summary["triage_reasons"]) == (None, None)

    police = (await timeline.client.get(f"/v1/cases/{case_id}", headers=timeline.headers(POLICE))).json()
    assert police["record"]["perpetrators"] == [{"sex": None, "age": None, "relationship": "tetangga"}]
    assert police["violence_types"] == ["fisik"]
    for name in (RECORDER, DISTRICT):  # who recorded it and who supervises the region: as before, every fact
        whole = (await timeline.client.get(f"/v1/cases/{case_id}", headers=timeline.headers(name))).json()
        assert whole["record"]["perpetrators"], name
        assert whole["record"]["consent"]["agency_types"], name
        assert whole["record"]["location"]["place"] == "rumah_tangga", name
