"""Routing against the real Postgres and broker: the directory API, and case.reported -> referral.created."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from sqlalchemy import text

from routing.app import create_app
from routing.directory_data import demo_directory
from routing.settings import RoutingSettings
from shared.auth import Role
from shared.contracts import CASES, REFERRALS, AgeGroup, CaseReported, Channel, Sex, ViolenceType
from shared.contracts.base import utc_now
from shared.contracts.examples import example_case_reported
from shared.service import Runtime
from tests.apps import as_if_fresh

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def routing_app(
    make_settings: Callable[..., RoutingSettings], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as an admin of the province of Kalimantan Tengah (62), who edits the directory;
    ``as_admin_of`` signs in elsewhere to read a region's referrals."""
    app = create_app(make_settings(RoutingSettings, "routing"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")
        async with httpx.AsyncClient(transport=transport, base_url="http://routing", headers=headers) as client:
            client.app = app  # type: ignore[attr-defined]
            client.as_admin_of = lambda province: (  # type: ignore[attr-defined]
                bearer(Role.NATIONAL_ADMIN, user_id="admin-national") if province is None
                else bearer(Role.PROVINCE_ADMIN, user_id=f"admin-{province}", province_code=province)
            )
            yield client


@pytest.fixture
async def routing(routing_app: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The module's app (its consumer groups take seconds to join on Tansu), as this test found it."""
    async with as_if_fresh(routing_app) as client:
        yield client


def admin_of(client: httpx.AsyncClient, province: str | None) -> dict[str, str]:
    """The admin of ``province``; of the national agencies for None."""
    headers: dict[str, str] = client.as_admin_of(province)  # type: ignore[attr-defined]
    return headers


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


async def load_demo_directory(client: httpx.AsyncClient) -> int:
    """The demo directory, each province's agencies by its admin, the national ones by the national admin."""
    by_province: dict[str | None, list[dict[str, Any]]] = {}
    for entry in demo_directory():
        by_province.setdefault(entry.get("province_code"), []).append(entry)
    upserted = 0
    for province, agencies in by_province.items():
        response = await client.put("/v1/directory", json={"agencies": agencies}, headers=admin_of(client, province))
        assert response.status_code == 200, response.text
        upserted += int(response.json()["upserted"])
    return upserted


def case_reported(regency_code: str, case_id: UUID | None = None) -> CaseReported:
    return example_case_reported(
        case_id=case_id or uuid4(),
        case_number=f"{regency_code.replace('.', '')}-2026-00001",
        province_code=regency_code[:2],
        regency_code=regency_code,
        violence_types=(ViolenceType.FISIK, ViolenceType.PSIKIS),
        victim_sex=Sex.PEREMPUAN,
        victim_age_group=AgeGroup.AGE_6_12,
        channel=Channel.HOTLINE,
        reported_at=utc_now(),
    )


async def publish(client: httpx.AsyncClient, *events: CaseReported) -> None:
    """What intake's outbox relay does: the event's JSON on the cases topic, keyed by case."""
    producer = AIOKafkaProducer(bootstrap_servers=runtime_of(client).settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(CASES.name, value=event.to_json(), key=event.key)
    finally:
        await producer.stop()


async def wait_for_referrals(client: httpx.AsyncClient, event: CaseReported) -> list[dict[str, Any]]:
    async with asyncio.timeout(30):
        while True:
            response = await client.get(
                f"/v1/cases/{event.case_id}/referrals", headers=admin_of(client, event.province_code)
            )
            assert response.status_code in (200, 404), response.text  # 404 until routing has referred it
            if response.status_code == 200:
                return list(response.json())
            await asyncio.sleep(0.2)


async def referral_events(client: httpx.AsyncClient, case_id: UUID) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message on the referrals topic keyed by ``case_id``, read up to the topic's current end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=runtime_of(client).settings.kafka_bootstrap_servers,
        enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=50,
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(REFERRALS.name, p) for p in consumer.partitions_for_topic(REFERRALS.name) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(30):
            while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
                for messages in (await consumer.getmany(timeout_ms=500)).values():
                    found += [m for m in messages if m.key == str(case_id).encode()]
        return found
    finally:
        await consumer.stop()


async def wait_until_published(client: httpx.AsyncClient, case_id: UUID) -> int:
    """How many events routing raised for the case, once its outbox relay has published all of them."""
    async with asyncio.timeout(30):
        while True:
            async with runtime_of(client).engine.connect() as connection:
                queued, published = (await connection.execute(
                    text("SELECT count(*), count(published_at) FROM outbox WHERE message_key = :key"),
                    {"key": str(case_id)},
                )).one()
            if queued and queued == published:
                return int(queued)
            await asyncio.sleep(0.2)


async def wait_until_processed(client: httpx.AsyncClient, event: CaseReported) -> None:
    async with asyncio.timeout(30):
        while True:
            async with runtime_of(client).engine.connect() as connection:
                seen = (await connection.execute(
                    text("SELECT 1 FROM inbox WHERE consumer = 'routing' AND event_id = :id"),
                    {"id": event.event_id},
                )).first()
            if seen:
                return
            await asyncio.sleep(0.2)


# --- the directory ---------------------------------------------------------------------------------------------


async def test_directory_put_is_an_idempotent_upsert(routing: httpx.AsyncClient) -> None:
    loaded = await load_demo_directory(routing)
    assert loaded == len(demo_directory())
    before = (await routing.get("/v1/agencies")).json()
    assert await load_demo_directory(routing) == loaded
    assert (await routing.get("/v1/agencies")).json() == before

    barito_timur = (await routing.get("/v1/agencies", params={"regency_code": "62.13"})).json()
    assert {a["regency_code"] for a in barito_timur} == {"62.13"}
    by_id = {a["agency_id"]: a for a in barito_timur}
    assert by_id["uptd-ppa-62.13"]["agency_type"] == "uptd_ppa"
    assert by_id["dinas-ppa-62.13"]["name"] == "DP3AKB Kabupaten Barito Timur"
    assert "kodim-1012" in by_id

    kalsel = (await routing.get("/v1/agencies", params={"province_code": "63"})).json()
    assert {a["province_code"] for a in kalsel} == {"63"}
    assert {"uptd-ppa-63", "dinas-ppa-63", "uptd-ppa-63.71", "uptd-ppa-63.72"} <= {a["agency_id"] for a in kalsel}


async def test_directory_put_updates_an_agency_in_place(routing: httpx.AsyncClient) -> None:
    agency = {"agency_id": "test-ngo-99.01", "name": "LSM Uji", "agency_type": "ngo",
              "level": "regency", "province_code": "99", "regency_code": "99.01", "services": ["pengaduan"]}
    admin = admin_of(routing, "99")
    assert (await routing.put("/v1/directory", json={"agencies": [agency]}, headers=admin)).json()["upserted"] == 1
    changed = {**agency, "name": "LSM Uji (baru)", "active": False, "services": []}
    # Taking it out of service is previewed first, then applied with the preview's digest.
    preview = await routing.put("/v1/directory", json={"agencies": [changed]}, headers=admin,
                                params={"dry_run": "true"})
    assert preview.json()["deactivated"] == ["test-ngo-99.01"]
    applied = await routing.put("/v1/directory", json={"agencies": [changed]}, headers=admin,
                                params={"deactivate": "true", "digest": preview.json()["digest"]})
    assert applied.json()["upserted"] == 1
    listed = (await routing.get("/v1/agencies", params={"regency_code": "99.01"})).json()
    assert [(a["agency_id"], a["name"], a["active"], a["services"]) for a in listed] == [
        ("test-ngo-99.01", "LSM Uji (baru)", False, [])
    ]


@pytest.mark.parametrize(
    ("entries", "location"),
    [
        ([{"agency_id": "x-99.02", "name": "X", "agency_type": "uptd_ppa", "level": "regency",
           "province_code": "99"}], ["body", "agencies", 0, "regency_code"]),
        ([{"agency_id": "x-99", "name": "X", "agency_type": "uptd_ppa", "level": "province",
           "province_code": "99", "regency_code": "99.02"}], ["body", "agencies", 0, "regency_code"]),
        ([{"agency_id": "x-99", "name": "X", "agency_type": "police", "level": "province",
           "province_code": "99"}], ["body", "agencies", 0, "agency_type"]),
        ([{"agency_id": "X 99", "name": "X", "agency_type": "ngo", "level": "national"}],
         ["body", "agencies", 0, "agency_id"]),
        ([{"agency_id": "x-99", "name": "X", "agency_type": "ngo", "level": "national"},
          {"agency_id": "x-99", "name": "Y", "agency_type": "ngo", "level": "national"}],
         ["body", "agencies", 1, "agency_id"]),
    ],
    ids=["regency-without-code", "province-with-regency", "unknown-type", "bad-id", "duplicate-id"],
)
async def test_invalid_directory_entries_name_the_field(
    routing: httpx.AsyncClient, entries: list[dict[str, Any]], location: list[Any]
) -> None:
    response = await routing.put("/v1/directory", json={"agencies": entries})
    assert response.status_code == 422, response.text
    assert location in [item["loc"] for item in response.json()["detail"]]
    stored = {a["agency_id"] for a in (await routing.get("/v1/agencies")).json()}
    assert not {e["agency_id"] for e in entries} & stored, "a refused request stores nothing"


async def test_bad_filters_are_refused(routing: httpx.AsyncClient) -> None:
    response = await routing.get("/v1/agencies", params={"regency_code": "6213"})
    assert response.status_code == 422
    assert ["query", "regency_code"] in [item["loc"] for item in response.json()["detail"]]


# --- referrals ------------------------------------------------------------------------------------------------


async def test_a_reported_case_is_referred_to_its_lead_agency(routing: httpx.AsyncClient) -> None:
    await load_demo_directory(routing)
    event = case_reported("62.13")
    await publish(routing, event)

    [referral] = await wait_for_referrals(routing, event)
    assert referral["agency_id"] == "uptd-ppa-62.13"
    assert referral["agency_name"] == "UPTD PPA Kabupaten Barito Timur"
    assert referral["agency_type"] == "uptd_ppa"
    assert referral["rule"] == "lead-agency/regency-uptd"
    assert referral["is_lead"] is True
    assert referral["status"] == "created"
    assert "62.13" in referral["reason"]
    assert (referral["province_code"], referral["regency_code"]) == ("62", "62.13")

    assert await wait_until_published(routing, event.case_id) == 1
    [message] = await referral_events(routing, event.case_id)
    payload = json.loads(message.value)
    assert payload["event_type"] == "referral.created"
    assert payload["producer"] == "routing"
    assert payload["case_id"] == str(event.case_id)
    assert payload["referral_id"] == referral["referral_id"]
    assert payload["agency_id"] == "uptd-ppa-62.13"
    assert payload["is_lead"] is True
    assert payload["rule"] == "lead-agency/regency-uptd"


async def test_a_case_in_an_unknown_province_goes_to_the_national_fallback(routing: httpx.AsyncClient) -> None:
    event = case_reported("98.01")
    await publish(routing, event)
    [referral] = await wait_for_referrals(routing, event)
    assert referral["agency_id"] == "sapa-129"
    assert referral["rule"] == "lead-agency/national-fallback"


async def test_a_redelivered_case_is_referred_exactly_once(routing: httpx.AsyncClient) -> None:
    event = case_reported("64.01")
    # The same event twice (a redelivery), then another report of the same case under a new event id. They
    # share the case's partition, so once the last is in the inbox the first two have been handled.
    resent_case = case_reported("64.01", case_id=event.case_id)
    await publish(routing, event, event, resent_case)
    await wait_until_processed(routing, resent_case)

    referrals = (
        await routing.get(f"/v1/cases/{event.case_id}/referrals", headers=admin_of(routing, "64"))
    ).json()
    assert len(referrals) == 1
    assert await wait_until_published(routing, event.case_id) == 1
    messages = await referral_events(routing, event.case_id)
    assert [json.loads(m.value)["referral_id"] for m in messages] == [referrals[0]["referral_id"]]

    async with runtime_of(routing).engine.connect() as connection:
        inbox_rows = (await connection.execute(
            text("SELECT count(*) FROM inbox WHERE consumer = 'routing' AND event_id = :id"), {"id": event.event_id}
        )).scalar_one()
    assert inbox_rows == 1


async def test_unknown_case_has_no_referrals(routing: httpx.AsyncClient) -> None:
    response = await routing.get(f"/v1/cases/{uuid4()}/referrals")
    assert response.status_code == 404
    assert response.json() == {"detail": [{
        "loc": ["path", "case_id"], "type": "case_referrals_not_found",
        "msg": "Tidak ada rujukan kasus ini yang boleh Anda lihat (atau kasus belum dirujuk).",
    }]}
    assert (await routing.get("/v1/cases/not-a-uuid/referrals")).status_code == 422


async def test_the_referred_agency_accepts_once_and_nobody_else_can(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    await load_demo_directory(routing)
    event = case_reported("62.13")
    await publish(routing, event)
    [referral] = await wait_for_referrals(routing, event)
    accept = f"/v1/referrals/{referral['referral_id']}/accept"

    other_agency = bearer(Role.AGENCY_STAFF, user_id="staff-63.71", agency_id="uptd-ppa-63.71")
    assert (await routing.post(accept, headers=other_agency)).status_code == 404
    supervisor = bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-62.13", province_code="62", regency_code="62.13")
    assert (await routing.post(accept, headers=supervisor)).status_code == 403

    staff = bearer(Role.AGENCY_STAFF, user_id="staff-62.13", agency_id="uptd-ppa-62.13")
    accepted = await routing.post(accept, headers=staff)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    again = await routing.post(accept, headers=staff)
    assert again.status_code == 409
    assert [(i["type"], i["msg"]) for i in again.json()["detail"]] == [
        ("referral_status", "Rujukan yang sudah diterima tidak dapat diterima.")]

    assert await wait_until_published(routing, event.case_id) == 2
    events = [json.loads(m.value) for m in await referral_events(routing, event.case_id)]
    assert [e["event_type"] for e in events] == ["referral.created", "referral.accepted"]
    assert events[1]["accepted_by"] == "staff-62.13"
    assert events[1]["agency_id"] == "uptd-ppa-62.13"
