"""Intake against the real Postgres and broker: every channel (web, staff, the WhatsApp/SMS gateways), triage and
duplicate links on the events, encryption at rest and on the wire, later updates and closing, localized 422s,
and that a rejected report leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError
from sqlalchemy import text

from intake.domain.model import channel_for
from intake.domain.record import Location, Report
from intake.service_layer.handlers import record_referral
from intake.settings import DEVELOPMENT_GATEWAY_SECRET
from shared.access import ANONYMOUS, SERVICE_CONTEXT
from shared.auth import Principal, Role
from shared.contracts import ReferralCreated
from shared.contracts.vocabulary import Channel
from shared.regions import load_regions
from shared.validation_messages import Language, LocalizedValueError, localize_errors
from shared.webhooks import SIGNATURE_HEADER, sign

pytestmark = pytest.mark.integration

TODAY = date.today()  # noqa: DTZ011 - the record's rules use the local calendar date too
REGENCIES = [r.code for p in load_regions().provinces() for r in load_regions().regencies_of(p.code)]
STAFF_CHANNELS = ("hotline", "walk_in", "police", "school", "health", "community")

Bearer = Callable[..., dict[str, str]]


def uid() -> str:
    return uuid4().hex[:10]


def digits(n: int) -> str:
    return f"{uuid4().int % 10**n:0{n}d}"


def report(**overrides: Any) -> dict[str, Any]:
    """A valid report with an anonymous reporter and no names: it leaves no duplicate fingerprint."""
    body: dict[str, Any] = {
        "incident": {"date": (TODAY - timedelta(days=5)).isoformat(), "precision": "day"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": ["fisik"],
        "victims": [{"sex": "perempuan", "age": 30}],
        "reporter": {"relation": "tetangga", "anonymous": True},
        "narrative": f"Kejadian uji {uid()}.",
    }
    body.update(overrides)
    return body


def _event_or_none(value: bytes) -> dict[str, Any] | None:
    """The event in ``value``; None for a poison record, which the poison tests publish on the same worker's topic."""
    try:
        event = json.loads(value)
    except (ValueError, RecursionError):  # the poison set holds malformed and too deeply nested JSON
        return None
    return event if isinstance(event, dict) else None


class CaseEvents:
    """The ``sinergi.cases`` topic from the beginning, one consumer per test, events grouped by key (case)."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self.raw: list[bytes] = []
        self._by_case: dict[str, list[dict[str, Any]]] = {}

    def of(self, case_id: UUID | str) -> list[dict[str, Any]]:
        return list(self._by_case.get(str(case_id), []))

    def types(self, case_id: UUID | str) -> list[str]:
        return [event["event_type"] for event in self.of(case_id)]

    async def wait_for(self, case_id: UUID | str, event_type: str, count: int = 1) -> list[dict[str, Any]]:
        """Every event of ``case_id`` read so far, once ``count`` of type ``event_type`` have arrived."""
        async with asyncio.timeout(30):
            while self.types(case_id).count(event_type) < count:
                for messages in (await self._consumer.getmany(timeout_ms=200)).values():
                    for message in messages:
                        self.raw.append(message.value)
                        if message.key is not None and (event := _event_or_none(message.value)) is not None:
                            self._by_case.setdefault(message.key.decode(), []).append(event)
        return self.of(case_id)

    async def one(self, case_id: UUID | str, event_type: str) -> dict[str, Any]:
        events = [e for e in await self.wait_for(case_id, event_type) if e["event_type"] == event_type]
        assert len(events) == 1, events
        return events[0]


@pytest.fixture
async def events(intake: httpx.AsyncClient) -> AsyncIterator[CaseEvents]:
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    consumer = AIOKafkaConsumer(
        "sinergi.cases", bootstrap_servers=runtime.settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50,
    )
    await consumer.start()
    try:
        yield CaseEvents(consumer)
    finally:
        await consumer.stop()


async def service_query(client: httpx.AsyncClient, sql: str, **params: Any) -> list[Any]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return list((await uow.session.execute(text(sql), params)).all())


async def refer(client: httpx.AsyncClient, case_id: UUID, agency_id: str, agency_type: str) -> None:
    """What routing's referral.created does for intake: the agency may now read and update the case."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    event = ReferralCreated(
        case_id=case_id, referral_id=uuid4(), agency_id=agency_id, agency_type=agency_type,
        is_lead=agency_type == "uptd_ppa", province_code="62", regency_code="62.13", rule="test", reason="test",
    )
    await record_referral(event, runtime.unit_of_work(SERVICE_CONTEXT))


async def submit(client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None) -> UUID:
    response = await client.post("/v1/reports", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    return UUID(response.json()["case_id"])


def operator(bearer: Bearer) -> dict[str, str]:
    return bearer(Role.OPERATOR, user_id=f"operator-{uid()}")


def agency(bearer: Bearer, agency_type: str, role: Role = Role.AGENCY_STAFF) -> tuple[str, dict[str, str]]:
    agency_id = f"{agency_type}-{uid()}"
    return agency_id, bearer(role, user_id=f"staff-{uid()}", agency_id=agency_id, agency_type=agency_type)


def locs(response: httpx.Response) -> list[tuple[Any, ...]]:
    return [tuple(item["loc"]) for item in response.json()["detail"]]


# -- channels -------------------------------------------------------------------------------------------------


async def test_a_public_report_comes_by_the_web(intake: httpx.AsyncClient, events: CaseEvents) -> None:
    implicit = await submit(intake, report())
    explicit = await submit(intake, report(channel="web"))
    for case_id in (implicit, explicit):
        assert (await events.one(case_id, "case.reported"))["channel"] == "web"
    rows = await service_query(
        intake, "SELECT channel, recorded_by FROM intake.cases WHERE case_id IN (:a, :b)", a=implicit, b=explicit
    )
    assert sorted(tuple(row) for row in rows) == [("web", None), ("web", None)]


async def test_staff_report_by_every_staff_channel(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    staff = {
        "operator": ("op-" + uid(), Role.OPERATOR, {}),
        "agency_staff": ("as-" + uid(), Role.AGENCY_STAFF, {"agency_id": "uptd-" + uid(), "agency_type": "uptd_ppa"}),
    }
    submitted: dict[UUID, tuple[str, str]] = {}
    for user_id, role, claims in staff.values():
        headers = bearer(role, user_id=user_id, **claims)
        for channel in STAFF_CHANNELS:
            submitted[await submit(intake, report(channel=channel), headers)] = (channel, user_id)
    for case_id, (channel, user_id) in submitted.items():
        assert (await events.one(case_id, "case.reported"))["channel"] == channel
        [(stored_channel, recorded_by)] = await service_query(
            intake, "SELECT channel, recorded_by FROM intake.cases WHERE case_id = :id", id=case_id
        )
        assert (stored_channel, recorded_by) == (channel, user_id)


async def test_staff_read_back_every_field_of_what_they_recorded_and_colleagues_do_not(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    agency_id, claims = f"police-ppa-{uid()}", {"agency_type": "police_ppa"}
    recorder = bearer(Role.AGENCY_STAFF, user_id=f"walk-in-{uid()}", agency_id=agency_id, **claims)
    colleague = bearer(Role.AGENCY_STAFF, user_id=f"colleague-{uid()}", agency_id=agency_id, **claims)
    name, phone = f"Korban Walk-in {uid()}", "+62 813 " + digits(8)
    body = report(
        channel="police",
        victims=[{"sex": "perempuan", "age": 16, "name": name}],
        reporter={"relation": "keluarga", "phone": phone},
    )
    case_id = await submit(intake, body, recorder)

    shown = await intake.get(f"/v1/cases/{case_id}", headers=recorder)
    assert shown.status_code == 200, shown.text
    assert shown.json()["personal"] == {"narrative": body["narrative"], "victims.0.name": name, "reporter.phone": phone}
    # Same agency, not referred, not the recorder: nothing, exactly as for a case that does not exist.
    assert (await intake.get(f"/v1/cases/{case_id}", headers=colleague)).status_code == 404


def domain_rule(check: Callable[[], object]) -> LocalizedValueError:
    """The error a domain rule raises, for its wording in both languages."""
    with pytest.raises((LocalizedValueError, ValidationError)) as caught:
        check()
    error = caught.value
    if isinstance(error, ValidationError):
        error = error.errors()[0]["ctx"]["error"]
    assert isinstance(error, LocalizedValueError)
    return error


@pytest.mark.parametrize("channel", ["hotline", "whatsapp", "sms", "police"])
async def test_the_public_cannot_claim_a_staff_or_gateway_channel(intake: httpx.AsyncClient, channel: str) -> None:
    response = await intake.post("/v1/reports", json=report(channel=channel))
    assert response.status_code == 422
    expected = domain_rule(lambda: channel_for(Channel(channel), ANONYMOUS))
    assert response.json()["detail"] == [
        {"loc": ["body", "channel"], "msg": expected.id, "type": "channel_for_staff"},
    ]


async def test_staff_must_give_a_staff_channel(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    headers = operator(bearer)
    response = await intake.post("/v1/reports", json=report(), headers=headers)
    assert response.status_code == 422
    assert [(item["loc"], item["type"]) for item in response.json()["detail"]] == [
        (["body", "channel"], "missing_channel")
    ]
    for channel in ("web", "whatsapp", "sms"):
        response = await intake.post("/v1/reports", json=report(channel=channel), headers=headers)
        assert response.status_code == 422
        assert [(item["loc"], item["type"]) for item in response.json()["detail"]] == [
            (["body", "channel"], "channel_not_for_staff")
        ]


# -- the WhatsApp and SMS gateways ----------------------------------------------------------------------------


def inbound(message_id: str, sender: str, message: str, **extra: Any) -> bytes:
    return json.dumps({"message_id": message_id, "from": sender, "text": message, **extra}).encode()


async def deliver(
    client: httpx.AsyncClient, gateway: str, body: bytes, *, secret: str = DEVELOPMENT_GATEWAY_SECRET,
    signature: str | None = None,
) -> httpx.Response:
    headers = {"content-type": "application/json", SIGNATURE_HEADER: signature or sign(secret, body)}
    return await client.post(f"/v1/inbound/{gateway}", content=body, headers=headers)


async def open_drafts(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/drafts", params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return {draft["draft_id"]: draft for draft in response.json()}


@pytest.mark.parametrize("gateway", ["whatsapp", "sms"])
async def test_a_gateway_message_becomes_a_draft_an_operator_completes(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer, gateway: str
) -> None:
    message_id, sender, message = f"wamid.{uid()}", "+62813" + digits(8), f"Tolong, tetangga saya dipukul {uid()}"
    body = inbound(message_id, sender, message, received_at="2026-01-02T03:04:05+07:00", provider_field="x")
    first = await deliver(intake, gateway, body)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "draft"
    draft_id = first.json()["draft_id"]

    retried = await deliver(intake, gateway, body)  # the gateway retries: the same draft
    assert (retried.status_code, retried.json()["draft_id"]) == (202, draft_id)
    again = await deliver(intake, gateway, inbound(message_id, sender, "edited text"))  # the id decides
    assert again.json()["draft_id"] == draft_id
    assert (await service_query(
        intake, "SELECT count(*) FROM intake.message_drafts WHERE gateway_message_id = :m", m=message_id
    ))[0][0] == 1

    staff = operator(bearer)
    draft = (await open_drafts(intake, staff))[draft_id]
    assert draft == {"draft_id": draft_id, "channel": gateway, "received_at": "2026-01-01T20:04:05Z",
                     "sender": sender, "text": message}

    # The operator's read is audited under the draft's id, which the case then keeps: one trail.
    reads = await service_query(
        intake, "SELECT payload FROM intake.outbox WHERE message_key = :k AND event_type = 'personal_data.read'",
        k=draft_id,
    )
    assert reads, "reading a draft is audited"
    audit = json.loads(reads[0][0])
    assert (audit["endpoint"], audit["fields"]) == ("GET /v1/drafts", ["narrative", "reporter_contact"])
    assert sender not in reads[0][0]
    assert message not in reads[0][0]

    completed = await intake.post(f"/v1/drafts/{draft_id}/report", json=report(), headers=staff)
    assert completed.status_code == 201, completed.text
    case_id = UUID(completed.json()["case_id"])
    assert str(case_id) == draft_id
    assert (await events.one(case_id, "case.reported"))["channel"] == gateway
    [(status, linked_case)] = await service_query(
        intake, "SELECT status, case_id FROM intake.message_drafts WHERE draft_id = :d", d=UUID(draft_id)
    )
    assert (status, linked_case) == ("completed", case_id)
    assert draft_id not in await open_drafts(intake, staff)

    cases_before = (await service_query(intake, "SELECT count(*) FROM intake.cases"))[0][0]
    twice = await intake.post(f"/v1/drafts/{draft_id}/report", json=report(), headers=operator(bearer))
    assert twice.status_code == 409
    assert [(i["loc"], i["type"]) for i in twice.json()["detail"]] == [(["path", "draft_id"], "draft_completed")]
    assert twice.json()["detail"][0]["msg"] == "Draf sudah diselesaikan."
    assert (await service_query(intake, "SELECT count(*) FROM intake.cases"))[0][0] == cases_before


async def test_gateway_signatures_and_names_are_checked(intake: httpx.AsyncClient) -> None:
    body = inbound(f"wamid.{uid()}", "+62813" + digits(8), "Pesan")
    assert (await deliver(intake, "whatsapp", body, secret="not-the-secret")).status_code == 401
    assert (await deliver(intake, "whatsapp", body, signature="t=1,v1=00")).status_code == 401
    tampered = body.replace(b"Pesan", b"Pesan!")
    assert (await deliver(intake, "whatsapp", tampered, signature=sign(DEVELOPMENT_GATEWAY_SECRET, body))
            ).status_code == 401
    old = sign(DEVELOPMENT_GATEWAY_SECRET, body, timestamp=1_600_000_000)
    assert (await deliver(intake, "whatsapp", body, signature=old)).status_code == 401
    unsigned = await intake.post("/v1/inbound/whatsapp", content=body, headers={"content-type": "application/json"})
    assert unsigned.status_code == 401
    for unknown in ("telegram", "web", "hotline"):
        assert (await deliver(intake, unknown, body)).status_code == 404
    assert (await service_query(
        intake, "SELECT count(*) FROM intake.message_drafts WHERE gateway_message_id = :m",
        m=json.loads(body)["message_id"],
    ))[0][0] == 0


async def test_drafts_are_for_operators_only(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    response = await deliver(intake, "sms", inbound(f"sms-{uid()}", "0813" + digits(8), "Pesan"))
    draft_id = response.json()["draft_id"]
    assert (await intake.get("/v1/drafts")).status_code == 401
    _, staff = agency(bearer, "uptd_ppa")
    assert (await intake.get("/v1/drafts", headers=staff)).status_code == 403
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-" + uid(), province_code="62", regency_code="62.13")
    assert (await intake.get("/v1/drafts", headers=supervisor)).status_code == 403
    assert (await intake.post(f"/v1/drafts/{draft_id}/report", json=report())).status_code == 401
    assert (await intake.post(f"/v1/drafts/{draft_id}/report", json=report(), headers=staff)).status_code == 403
    unknown = await intake.post(f"/v1/drafts/{uuid4()}/report", json=report(), headers=operator(bearer))
    assert unknown.status_code == 404


# -- triage ---------------------------------------------------------------------------------------------------


async def test_triage_is_on_the_event(intake: httpx.AsyncClient, events: CaseEvents) -> None:
    case_id = await submit(intake, report(
        violence_types=["seksual", "psikis"], ongoing_danger=True, victims=[{"sex": "perempuan", "age": 11}],
    ))
    event = await events.one(case_id, "case.reported")
    assert event["priority"] == "P1"
    assert event["triage_reasons"] == ["ongoing_danger", "child_sexual_violence", "child_victim"]
    [(priority, reasons)] = await service_query(
        intake, "SELECT priority, triage_reasons FROM intake.cases WHERE case_id = :id", id=case_id
    )
    assert (priority, reasons) == ("P1", ["ongoing_danger", "child_sexual_violence", "child_victim"])


# -- duplicates -----------------------------------------------------------------------------------------------


async def test_the_same_victim_by_another_channel_is_linked(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    name = f"Dewi Lestari {uid()}"
    victim = {"sex": "perempuan", "name": name, "birth_date": "2016-05-12"}
    first = await intake.post("/v1/reports", json=report(victims=[victim]))
    assert first.status_code == 201
    first_id = UUID(first.json()["case_id"])
    staff = operator(bearer)
    again = {**victim, "name": f"  {name.upper()} "}
    second = await intake.post("/v1/reports", headers=staff, json=report(
        channel="hotline", victims=[again],
        location={"province_code": "62", "regency_code": "62.03", "place": "lainnya"},
    ))
    assert second.status_code == 201
    second_id = UUID(second.json()["case_id"])

    linked = await events.one(second_id, "case.linked")
    assert linked["linked_case_id"] == str(first_id)
    assert linked["reasons"] == ["same_victim"]
    assert (linked["case_number"], linked["linked_case_number"]) == (
        second.json()["case_number"], first.json()["case_number"]
    )
    assert events.types(second_id) == ["case.reported", "case.linked"]
    assert name.lower() not in json.dumps(linked).lower()

    # Both cases stay open; the operator who recorded the second sees the link (not the public first case).
    shown = await intake.get(f"/v1/cases/{second_id}", headers=staff)
    assert shown.status_code == 200
    assert shown.json()["status"] == "open"
    assert shown.json()["links"] == [{"case_id": str(first_id), "reasons": ["same_victim"]}]
    assert (await intake.get(f"/v1/cases/{first_id}", headers=staff)).status_code == 404
    rows = await service_query(
        intake, "SELECT status FROM intake.cases WHERE case_id IN (:a, :b)", a=first_id, b=second_id
    )
    assert [row[0] for row in rows] == ["open", "open"]


async def test_the_same_contact_in_another_format_is_linked(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    number = digits(8)
    staff = operator(bearer)
    first_id = await submit(intake, report(
        channel="hotline", reporter={"relation": "keluarga", "phone": f"0812-{number[:4]}-{number[4:]}"}
    ), staff)
    second_id = await submit(intake, report(
        channel="walk_in", reporter={"relation": "keluarga", "phone": f"+62 812 {number[:4]} {number[4:]}"}
    ), staff)
    linked = await events.one(second_id, "case.linked")
    assert (linked["linked_case_id"], linked["reasons"]) == (str(first_id), ["same_contact"])
    for case_id, other in ((first_id, second_id), (second_id, first_id)):
        shown = (await intake.get(f"/v1/cases/{case_id}", headers=staff)).json()
        assert shown["links"] == [{"case_id": str(other), "reasons": ["same_contact"]}]
        assert shown["status"] == "open"


def village() -> dict[str, str]:
    """A location at a real village picked at random (of 83,762), so no earlier run's case shares the place."""
    regions = load_regions()
    code = random.choice(regions.villages_of(random.choice(regions.districts_of(random.choice(REGENCIES)))))
    return {"province_code": code[:2], "regency_code": code[:5], "district_code": code[:8], "village_code": code,
            "place": "sekolah"}


async def test_the_same_place_within_three_days_is_linked(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    staff, location, day = operator(bearer), village(), TODAY - timedelta(days=20)
    first_id = await submit(intake, report(channel="school", location=location,
                                           incident={"date": day.isoformat()}), staff)
    second_id = await submit(intake, report(channel="community", location=location,
                                            incident={"date": (day + timedelta(days=3)).isoformat()}), staff)
    linked = await events.one(second_id, "case.linked")
    assert (linked["linked_case_id"], linked["reasons"]) == (str(first_id), ["same_place_and_time"])
    shown = (await intake.get(f"/v1/cases/{first_id}", headers=staff)).json()
    assert shown["links"] == [{"case_id": str(second_id), "reasons": ["same_place_and_time"]}]


async def test_the_same_place_ten_days_apart_is_not_linked(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    staff, location, day = operator(bearer), village(), TODAY - timedelta(days=20)
    first_id = await submit(intake, report(channel="school", location=location,
                                           incident={"date": day.isoformat()}), staff)
    second_id = await submit(intake, report(channel="school", location=location,
                                            incident={"date": (day + timedelta(days=10)).isoformat()}), staff)
    # A link would be written to the outbox in the transaction that opened the case.
    outbox = "SELECT event_type FROM intake.outbox WHERE message_key = :key ORDER BY id"
    assert [row[0] for row in await service_query(intake, outbox, key=str(second_id))] == ["case.reported"]
    await events.wait_for(second_id, "case.reported")
    assert events.types(second_id) == ["case.reported"]
    assert (await intake.get(f"/v1/cases/{second_id}", headers=staff)).json()["links"] == []
    assert (await intake.get(f"/v1/cases/{first_id}", headers=staff)).json()["links"] == []


# -- encryption -----------------------------------------------------------------------------------------------


async def test_personal_values_are_stored_and_published_only_encrypted(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    tag = uid()
    phone_digits = "62813" + digits(8)
    personal = {
        "narrative": f"Narasi rahasia {tag}: korban dipukul di dapur.",
        "victims.0.name": f"Korban Rahasia {tag}",
        "victims.0.birth_date": "2009-10-31",
        "perpetrators.0.name": f"Pelaku Rahasia {tag}",
        "reporter.name": f"Pelapor Rahasia {tag}",
        "reporter.phone": f"+{phone_digits[:2]} {phone_digits[2:5]} {phone_digits[5:9]} {phone_digits[9:]}",
        "reporter.email": f"pelapor.{tag}@example.org",
        "location.address": f"Jalan Rahasia {tag} No. 7, RT 03/RW 01",
    }
    staff = operator(bearer)
    case_id = await submit(intake, report(
        channel="hotline",
        location={"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga",
                  "address": personal["location.address"]},
        victims=[{"sex": "perempuan", "name": personal["victims.0.name"],
                  "birth_date": personal["victims.0.birth_date"]}],
        perpetrators=[{"name": personal["perpetrators.0.name"], "relationship": "tetangga", "age": 44}],
        reporter={"relation": "keluarga", "name": personal["reporter.name"], "phone": personal["reporter.phone"],
                  "email": personal["reporter.email"]},
        narrative=personal["narrative"],
    ), staff)
    sender, message = "+62814" + digits(8), f"Pesan rahasia {tag}"
    assert (await deliver(intake, "whatsapp", inbound(f"wamid.{uid()}", sender, message))).status_code == 202

    secrets = [*personal.values(), sender, message, tag, phone_digits, "0" + phone_digits[2:]]
    tables = [row[0] for row in await service_query(
        intake, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'intake'"
        " AND table_type = 'BASE TABLE'"
    )]
    assert {"cases", "case_personal_fields", "case_fingerprints", "case_updates", "message_drafts"} <= set(tables)
    rows: list[str] = []
    for table in tables:
        rows += [row[0] for row in await service_query(intake, f'SELECT row_to_json(t)::text FROM intake."{table}" t')]
    dump = "\n".join(rows).lower()
    assert str(case_id) in dump
    for secret in secrets:
        assert secret.lower() not in dump, f"{secret!r} stored in plain"

    await events.wait_for(case_id, "case.reported")
    wire = b"\n".join(events.raw).decode().lower()
    assert str(case_id) in wire
    for secret in secrets:
        assert secret.lower() not in wire, f"{secret!r} published"

    cipher = intake.app.state.cipher  # type: ignore[attr-defined]
    stored = await service_query(
        intake, "SELECT field, kind, bound_to, ciphertext FROM intake.case_personal_fields WHERE case_id = :id",
        id=case_id,
    )
    decrypted = {field: cipher.decrypt(ciphertext, case_id=case_id, field=bound_to)
                 for field, _, bound_to, ciphertext in stored}
    assert decrypted == personal
    assert {field: kind for field, kind, _, _ in stored} == {
        "narrative": "narrative", "victims.0.name": "victim_identity", "victims.0.birth_date": "victim_identity",
        "perpetrators.0.name": "perpetrator_identity", "reporter.name": "reporter_identity",
        "reporter.phone": "reporter_contact", "reporter.email": "reporter_contact", "location.address": "address",
    }
    assert all(field == bound_to for field, _, bound_to, _ in stored)
    # The operator who recorded it reads every field back (and the read is audited).
    shown = (await intake.get(f"/v1/cases/{case_id}", headers=staff)).json()
    assert shown["personal"] == personal
    assert tag not in json.dumps(shown["record"])


# -- updates and closing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handled:
    """A public report referred to a UPTD PPA and a Dinas Pendidikan; a police unit it is not referred to."""

    case_id: UUID
    case_number: str
    uptd: dict[str, str]
    school: dict[str, str]
    stranger: dict[str, str]

    @property
    def updates(self) -> str:
        return f"/v1/cases/{self.case_id}/updates"

    @property
    def close(self) -> str:
        return f"/v1/cases/{self.case_id}/close"


async def handled_case(client: httpx.AsyncClient, bearer: Bearer) -> Handled:
    # The victim consents to the school's part: an agency whose type consent does not cover holds nothing.
    response = await client.post("/v1/reports", json=report(
        violence_types=["psikis"], victims=[{"sex": "perempuan", "name": f"Rina {uid()}", "age": 30}],
        consent={"given_by": "korban", "agency_types": ["dinas_pendidikan"]},
    ))
    assert response.status_code == 201, response.text
    case_id = UUID(response.json()["case_id"])
    uptd_id, uptd = agency(bearer, "uptd_ppa")
    school_id, school = agency(bearer, "dinas_pendidikan", Role.AGENCY_SUPERVISOR)
    _, stranger = agency(bearer, "police_ppa")
    await refer(client, case_id, uptd_id, "uptd_ppa")
    await refer(client, case_id, school_id, "dinas_pendidikan")
    return Handled(case_id, response.json()["case_number"], uptd, school, stranger)


async def stored_state(client: httpx.AsyncClient, case_id: UUID) -> tuple[Any, ...]:
    """Everything a change could touch: the case row, its personal fields, updates, links and events."""
    case = await service_query(
        client, "SELECT facts::text, priority, triage_reasons, violence_types, status FROM intake.cases"
        " WHERE case_id = :id", id=case_id,
    )
    fields = await service_query(
        client, "SELECT field, ciphertext FROM intake.case_personal_fields WHERE case_id = :id ORDER BY field",
        id=case_id,
    )
    updates = await service_query(client, "SELECT count(*) FROM intake.case_updates WHERE case_id = :id", id=case_id)
    outbox = await service_query(
        client, "SELECT event_type FROM intake.outbox WHERE message_key = :key ORDER BY id", key=str(case_id)
    )
    return case, fields, updates, outbox


def problems(response: httpx.Response) -> list[tuple[list[Any], str]]:
    assert response.status_code == 422, response.text
    return [(item["loc"], item["type"]) for item in response.json()["detail"]]


async def test_changes_are_refused_before_anything_changes(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    case = await handled_case(intake, bearer)
    before = await stored_state(intake, case.case_id)
    assert before[3] == [("case.reported",)]
    note = {"kind": "information_added", "note": "Catatan."}

    # Who may not: the public, a role that does not handle cases, an agency the case is not referred to.
    assert (await intake.post(case.updates, json=note)).status_code == 401
    assert (await intake.post(case.close, json={"reason": "handled"})).status_code == 401
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-" + uid(), province_code="62", regency_code="62.13")
    assert (await intake.post(case.updates, json=note, headers=supervisor)).status_code == 403
    assert (await intake.post(case.close, json={"reason": "handled"}, headers=supervisor)).status_code == 403
    assert (await intake.post(case.updates, json=note, headers=case.stranger)).status_code == 404
    assert (await intake.post(case.close, json={"reason": "handled"}, headers=case.stranger)).status_code == 404
    assert (await intake.post(f"/v1/cases/{uuid4()}/updates", json=note, headers=case.uptd)).status_code == 404

    # What is not a change.
    assert problems(await intake.post(case.updates, headers=case.uptd, json={"kind": "information_added"})) == [
        (["body", "note"], "missing_note")
    ]
    for body in ({"kind": "corrected"}, {"kind": "corrected", "changes": {}}):
        assert problems(await intake.post(case.updates, headers=case.uptd, json=body)) == [
            (["body", "changes"], "missing_changes")
        ]
    assert problems(await intake.post(case.updates, headers=case.uptd, json={"kind": "deleted", "note": "x"})) == [
        (["body", "kind"], "literal_error")
    ]
    assert problems(await intake.post(case.updates, headers=case.uptd, json={**note, "priority": "P1"})) == [
        (["body", "priority"], "extra_forbidden")
    ]

    # Corrections whose parts break a rule on their own.
    for changes, loc, code in [
        ({"location": {"province_code": "62", "regency_code": "62.99", "place": "sekolah"}},
         ["body", "changes", "location", "regency_code"], "unknown_regency"),
        ({"violence_types": []}, ["body", "changes", "violence_types"], "too_short"),
        ({"victims": []}, ["body", "changes", "victims"], "too_short"),
        ({"victims": [{"sex": "perempuan", "age": 121}]}, ["body", "changes", "victims", 0, "age"],
         "less_than_equal"),
        ({"reporter": {"relation": "teman"}}, ["body", "changes", "reporter", "phone"], "no_contact"),
        ({"consent": {"agency_types": ["police_ppa"]}}, ["body", "changes", "consent", "agency_types"],
         "consent_not_given"),
        ({"case_number": "x"}, ["body", "changes", "case_number"], "extra_forbidden"),
    ]:
        refused = await intake.post(case.updates, headers=case.uptd, json={"kind": "corrected", "changes": changes})
        assert problems(refused) == [(loc, code)], changes

    # What is not a closure.
    assert problems(await intake.post(case.close, headers=case.uptd, json={"reason": "duplicate"})) == [
        (["body", "duplicate_of"], "duplicate_of")
    ]
    assert problems(await intake.post(case.close, headers=case.uptd,
                                      json={"reason": "handled", "duplicate_of": str(uuid4())})) == [
        (["body", "duplicate_of"], "duplicate_of")
    ]
    assert problems(await intake.post(case.close, headers=case.uptd,
                                      json={"reason": "duplicate", "duplicate_of": str(case.case_id)})) == [
        (["body", "duplicate_of"], "duplicate_of_itself")
    ]
    assert problems(await intake.post(case.close, headers=case.uptd, json={"reason": "solved"})) == [
        (["body", "reason"], "literal_error")
    ]

    assert await stored_state(intake, case.case_id) == before


async def test_a_referred_agency_adds_information(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    case = await handled_case(intake, bearer)
    note = f"Korban sudah aman di rumah kerabat {uid()}"
    added = await intake.post(case.updates, headers=case.uptd, json={"kind": "information_added", "note": note})
    assert added.status_code == 201, added.text
    assert added.json()["changed_fields"] == ["notes"]
    update_id = added.json()["update_id"]

    updated = await events.one(case.case_id, "case.updated")
    assert (updated["kind"], updated["changed_fields"], updated["update_id"]) == (
        "information_added", ["notes"], update_id
    )
    assert updated["violence_types"] == ["psikis"]
    assert updated["case_number"] == case.case_number
    assert updated["updated_by"].startswith("staff-")
    assert note not in json.dumps(updated)

    # The note is a personal field of kind narrative: encrypted, read by the case manager, not by the school.
    [(ciphertext, kind)] = await service_query(
        intake, "SELECT ciphertext, kind FROM intake.case_personal_fields WHERE case_id = :id AND field = :f",
        id=case.case_id, f=f"notes.{update_id}",
    )
    assert kind == "narrative"
    assert note not in ciphertext
    cipher = intake.app.state.cipher  # type: ignore[attr-defined]
    assert cipher.decrypt(ciphertext, case_id=case.case_id, field=f"notes.{update_id}") == note
    assert (await intake.get(f"/v1/cases/{case.case_id}", headers=case.uptd)).json()["personal"][
        f"notes.{update_id}"] == note
    assert f"notes.{update_id}" not in (await intake.get(f"/v1/cases/{case.case_id}", headers=case.school)).json()[
        "personal"]
    [(kind_stored, changed, by)] = await service_query(
        intake, "SELECT kind, changed_fields, updated_by FROM intake.case_updates WHERE update_id = :u",
        u=UUID(update_id),
    )
    assert (kind_stored, changed, by) == ("information_added", ["notes"], updated["updated_by"])


async def test_a_referred_agency_corrects_the_record(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    case = await handled_case(intake, bearer)
    corrected = await intake.post(case.updates, headers=case.uptd, json={"kind": "corrected", "changes": {
        "violence_types": ["seksual", "psikis", "seksual"], "victims": [{"sex": "perempuan", "age": 8}],
    }})
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["changed_fields"] == ["violence_types", "victims"]
    event = await events.one(case.case_id, "case.updated")
    assert (event["kind"], event["changed_fields"]) == ("corrected", ["violence_types", "victims"])
    assert event["violence_types"] == ["seksual", "psikis"]
    assert [v["age_group"] for v in event["victims"]] == ["6-12"]
    assert (event["priority"], event["triage_reasons"]) == ("P1", ["child_sexual_violence", "child_victim"])
    shown = (await intake.get(f"/v1/cases/{case.case_id}", headers=case.uptd)).json()
    assert (shown["violence_types"], shown["priority"]) == (["seksual", "psikis"], "P1")
    assert shown["record"]["victims"][0]["age"] == 8
    assert "victims.0.name" not in shown["personal"]  # the corrected list of victims names nobody

    # A correction that breaks a rule of the whole record changes nothing.
    before = await stored_state(intake, case.case_id)
    for changes, loc, code in [
        ({"child_in_conflict_with_law": True}, ["body", "changes", "child_in_conflict_with_law"],
         "abh_without_child"),
        ({"victims": [{"sex": "perempuan", "age": 3, "birth_date": "2000-01-01"}]},
         ["body", "changes", "victims", 0, "age"], "age_disagrees_with_birth_date"),
        ({"incident": {"date": (TODAY + timedelta(days=2)).isoformat()}}, ["body", "changes", "incident", "date"],
         "date_in_future"),
    ]:
        refused = await intake.post(case.updates, headers=case.uptd, json={"kind": "corrected", "changes": changes})
        assert problems(refused) == [(loc, code)], changes
    assert await stored_state(intake, case.case_id) == before


async def test_dinas_pendidikan_may_update_but_not_close(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    case = await handled_case(intake, bearer)
    added = await intake.post(case.updates, headers=case.school, json={"kind": "information_added", "note": "Ok."})
    assert added.status_code == 201, added.text
    refused = await intake.post(case.close, headers=case.school, json={"reason": "handled"})
    assert refused.status_code == 403
    assert (await service_query(intake, "SELECT status FROM intake.cases WHERE case_id = :id", id=case.case_id)
            ) == [("open",)]


async def test_the_case_manager_closes_and_a_closed_case_is_final(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    case = await handled_case(intake, bearer)
    handled = await intake.post(case.close, headers=case.uptd, json={"reason": "handled"})
    assert handled.status_code == 200, handled.text
    assert handled.json()["status"] == "closed"
    closed = await events.one(case.case_id, "case.closed")
    assert (closed["reason"], closed["duplicate_of"], closed["case_number"], closed["province_code"],
            closed["regency_code"]) == ("handled", None, case.case_number, "62", "62.13")
    assert closed["closed_by"].startswith("staff-")

    again = await intake.post(case.close, headers=case.uptd, json={"reason": "handled"})
    assert again.status_code == 409
    assert [(i["loc"], i["type"]) for i in again.json()["detail"]] == [(["path", "case_id"], "case_not_open")]
    assert again.json()["detail"][0]["msg"].startswith("Kasus sudah ditutup")
    late = await intake.post(case.updates, headers=case.uptd, json={"kind": "information_added", "note": "Lagi."})
    assert late.status_code == 409
    assert [i["type"] for i in late.json()["detail"]] == ["case_not_open"]
    shown = (await intake.get(f"/v1/cases/{case.case_id}", headers=case.uptd)).json()
    assert (shown["status"], shown["closure_reason"]) == ("closed", "handled")
    assert events.types(case.case_id) == ["case.reported", "case.closed"]


async def test_the_recording_operator_closes_a_duplicate_naming_the_original(
    intake: httpx.AsyncClient, events: CaseEvents, bearer: Bearer
) -> None:
    staff = operator(bearer)
    original = await submit(intake, report(channel="hotline"), staff)
    duplicate = await submit(intake, report(channel="hotline"), staff)
    other = operator(bearer)  # did not record it, and it is not referred to anyone: cannot see it
    assert (await intake.post(f"/v1/cases/{duplicate}/close", headers=other, json={"reason": "withdrawn"})
            ).status_code == 404
    response = await intake.post(f"/v1/cases/{duplicate}/close", headers=staff,
                                 json={"reason": "duplicate", "duplicate_of": str(original)})
    assert response.status_code == 200, response.text
    closed = await events.one(duplicate, "case.closed")
    assert (closed["reason"], closed["duplicate_of"]) == ("duplicate", str(original))

# -- localisation ---------------------------------------------------------------------------------------------

# -- localisation ---------------------------------------------------------------------------------------------

BAD_REPORT = report(violence_types=[], victims=[{"sex": "perempuan", "age": 200}], narrative="")


def expected_items(body: dict[str, Any], language: Language) -> list[dict[str, Any]]:
    """The 422 items for ``body`` as the shared localizer words them, under "body"."""
    with pytest.raises(ValidationError) as caught:
        Report.model_validate(body)
    return [{**item, "loc": ["body", *item["loc"]]} for item in localize_errors(caught.value.errors(), language)]


def by_loc(items: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(item["loc"]): item for item in items}


async def test_422_messages_follow_accept_language(intake: httpx.AsyncClient) -> None:
    english = await intake.post("/v1/reports", json=BAD_REPORT, headers={"Accept-Language": "en"})
    indonesian = await intake.post("/v1/reports", json=BAD_REPORT, headers={"Accept-Language": "id"})
    default = await intake.post("/v1/reports", json=BAD_REPORT)
    preferred = await intake.post("/v1/reports", json=BAD_REPORT, headers={"Accept-Language": "fr, en-GB;q=0.5"})
    for response in (english, indonesian, default, preferred):
        assert response.status_code == 422
        assert "accept-language" in response.headers["vary"].lower()
    languages = [r.headers["content-language"] for r in (english, indonesian, default, preferred)]
    assert languages == ["en", "id", "id", "en"]

    assert by_loc(english.json()["detail"]) == by_loc(expected_items(BAD_REPORT, Language.EN))
    assert by_loc(indonesian.json()["detail"]) == by_loc(expected_items(BAD_REPORT, Language.ID))
    assert default.json() == indonesian.json()
    assert preferred.json() == english.json()
    en, id_ = by_loc(english.json()["detail"]), by_loc(indonesian.json()["detail"])
    assert set(en) == set(id_) == {("body", "violence_types"), ("body", "victims", 0, "age"), ("body", "narrative")}
    for loc in en:
        assert en[loc]["type"] == id_[loc]["type"]
        assert en[loc]["msg"] != id_[loc]["msg"]
    assert en[("body", "victims", 0, "age")]["type"] == "less_than_equal"
    assert "120" in en[("body", "victims", 0, "age")]["msg"]
    assert "120" in id_[("body", "victims", 0, "age")]["msg"]


async def test_domain_rules_are_localized_too(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    where = {"province_code": "62", "regency_code": "62.99", "place": "sekolah"}
    unknown = domain_rule(lambda: Location.model_validate(where))
    assert unknown.en != unknown.id
    for language, message in (("en", unknown.en), ("id", unknown.id), (None, unknown.id), ("en-US", unknown.en)):
        headers = {"Accept-Language": language} if language else {}
        response = await intake.post("/v1/reports", json=report(location=where), headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["body", "location", "regency_code"], "msg": message, "type": "unknown_regency"}
        ]
    staff = Principal(user_id="op", roles=frozenset({Role.OPERATOR}))
    missing = domain_rule(lambda: channel_for(None, staff))
    for language, message in (("en", missing.en), ("id", missing.id)):
        response = await intake.post("/v1/reports", json=report(),
                                     headers={"Accept-Language": language, **operator(bearer)})
        assert response.json()["detail"] == [
            {"loc": ["body", "channel"], "msg": message, "type": "missing_channel"}
        ]

# -- nothing half-written -------------------------------------------------------------------------------------

JAYAPURA = {"province_code": "91", "regency_code": "91.71", "place": "fasilitas_umum"}  # used by this test only


def sequence(case_number: str) -> int:
    match = re.fullmatch(rf"9171-{TODAY.year}-(\d{{5,}})", case_number)
    assert match, case_number
    return int(match.group(1))


async def test_a_rejected_report_leaves_nothing_and_takes_no_number(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    first = await intake.post("/v1/reports", json=report(location=JAYAPURA))
    assert first.status_code == 201
    count = "SELECT count(*) FROM intake.cases WHERE regency_code = '91.71'"
    outbox = "SELECT count(*) FROM intake.outbox"
    cases_before = (await service_query(intake, count))[0][0]
    outbox_before = (await service_query(intake, outbox))[0][0]

    rejected = [
        await intake.post("/v1/reports", json=report(location=JAYAPURA, victims=[])),
        await intake.post("/v1/reports", json=report(location=JAYAPURA, channel="hotline")),
        await intake.post("/v1/reports", json=report(location={**JAYAPURA, "district_code": "91.72.01"})),
        await intake.post("/v1/reports", json=report(location=JAYAPURA), headers=operator(bearer)),
        await intake.post("/v1/reports", json=report(location=JAYAPURA, child_in_conflict_with_law=True)),
    ]
    assert [r.status_code for r in rejected] == [422] * len(rejected)
    assert (await service_query(intake, count))[0][0] == cases_before
    assert (await service_query(intake, outbox))[0][0] == outbox_before

    second = await intake.post("/v1/reports", json=report(location=JAYAPURA))
    assert second.status_code == 201
    assert sequence(second.json()["case_number"]) == sequence(first.json()["case_number"]) + 1
    assert (await service_query(intake, count))[0][0] == cases_before + 1
