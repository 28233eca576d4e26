"""Intake's API against the real Postgres and broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import event, text

from intake.app import create_app
from intake.settings import IntakeSettings
from shared.access import SERVICE_CONTEXT

pytestmark = pytest.mark.integration

REPORT = {
    "incident": {"date": "2026-11-20", "precision": "day"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    "violence_types": ["fisik", "psikis"],
    "victims": [{"sex": "perempuan", "age": 9}],
    "reporter": {"relation": "tetangga", "phone": "0812-5555-0101"},
    "narrative": "Narasi rahasia uji integrasi: korban dipukul di rumah.",
    "channel": "web",
}


@pytest.fixture
async def intake(make_settings: Callable[..., IntakeSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(IntakeSettings, "intake"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def test_report_is_stored_encrypted_and_published(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/reports", json=REPORT)
    assert response.status_code == 201, response.text
    accepted = response.json()
    case_id = UUID(accepted["case_id"])
    assert accepted["case_number"].startswith("6213-")

    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        stored = (await uow.session.execute(
            text("SELECT ciphertext FROM case_personal_fields WHERE case_id = :id AND field = 'narrative'"),
            {"id": case_id},
        )).scalar_one()
    assert "korban" not in stored
    assert stored.startswith("v1:")
    cipher = intake.app.state.cipher  # type: ignore[attr-defined]
    assert cipher.decrypt(stored, case_id=case_id, field="narrative") == REPORT["narrative"]

    consumer = AIOKafkaConsumer(
        "sinergi.cases", bootstrap_servers=runtime.settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50,
    )
    await consumer.start()
    try:
        event = None
        async with asyncio.timeout(30):
            while event is None:
                for messages in (await consumer.getmany(timeout_ms=500)).values():
                    for message in messages:
                        if message.key == str(case_id).encode():
                            event = message
    finally:
        await consumer.stop()
    payload = json.loads(event.value)
    assert payload["event_type"] == "case.reported"
    assert payload["violence_types"] == ["fisik", "psikis"]
    assert payload["victims"] == [{"sex": "perempuan", "age_group": "6-12", "has_disability": None,
                                   "education": "tidak_diketahui", "nationality": "wni"}]
    assert (payload["priority"], payload["triage_reasons"]) == ("P2", ["child_victim"])
    assert payload["channel"] == "web"
    assert b"korban" not in event.value
    assert dict(event.headers).get("traceparent") is not None


async def test_case_numbers_are_unique_under_concurrent_reports(intake: httpx.AsyncClient) -> None:
    report = {**REPORT, "location": {"province_code": "64", "regency_code": "64.74", "place": "sekolah"}}
    responses = await asyncio.gather(*(intake.post("/v1/reports", json=report) for _ in range(20)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    numbers = [r.json()["case_number"] for r in responses]
    assert len(set(numbers)) == 20


async def test_a_new_report_deletes_nothing_and_leaves_its_fingerprints(intake: httpx.AsyncClient) -> None:
    """A new case has no fingerprints to replace, so opening one issues no DELETE (one round trip fewer per
    report: P1 in docs/benchmarks.md); later reports still find it by its fingerprints."""
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
    try:
        named = {**REPORT, "victims": [{"sex": "perempuan", "age": 9, "name": "Korban Tanpa Hapus"}]}
        response = await intake.post("/v1/reports", json=named)
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.text
    writes = [statement.lstrip().upper() for statement in statements]
    assert any(write.startswith("INSERT") and "CASE_FINGERPRINTS" in write for write in writes)
    assert not [write for write in writes if write.startswith("DELETE")]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        prints = (await uow.session.execute(
            text("SELECT count(*) FROM case_fingerprints WHERE case_id = :id"), {"id": response.json()["case_id"]}
        )).scalar_one()
    assert prints == 2  # the victim's name, the reporter's phone


async def test_invalid_report_names_the_field(intake: httpx.AsyncClient) -> None:
    location = {**REPORT["location"], "regency_code": "6213"}
    response = await intake.post("/v1/reports", json={**REPORT, "location": location, "narrative": ""})
    assert response.status_code == 422
    locations = [tuple(item["loc"]) for item in response.json()["detail"]]
    assert ("body", "location", "regency_code") in locations
    assert "x" not in json.dumps([item.get("input") for item in response.json()["detail"]
                                  if item["loc"][-1] == "narrative"])


async def test_oversized_and_malformed_bodies_are_refused_cleanly(intake: httpx.AsyncClient) -> None:
    huge = {**REPORT, "narrative": "x" * (300 * 1024)}
    response = await intake.post("/v1/reports", json=huge)
    assert response.status_code == 413
    assert response.json()["detail"][0]["type"] == "body_too_large"

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 10_000

    response = await intake.post("/v1/reports", content=streamed(), headers={"content-type": "application/json"})
    assert response.status_code == 413

    response = await intake.post("/v1/reports", content=b'{"regency_code": "62.13", "narrative": "Siti',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "Siti" not in response.text


async def test_public_reporting_is_rate_limited_per_client(make_settings: Callable[..., IntakeSettings]) -> None:
    app = create_app(make_settings(IntakeSettings, "intake", http_public_rate_limit="3/minute"))
    async with app.router.lifespan_context(app):
        transports = {ip: httpx.ASGITransport(app=app, client=(ip, 50000)) for ip in ("10.0.0.1", "10.0.0.2")}
        async with (httpx.AsyncClient(transport=transports["10.0.0.1"], base_url="http://intake") as first,
                    httpx.AsyncClient(transport=transports["10.0.0.2"], base_url="http://intake") as second):
            statuses = [(await first.post("/v1/reports", json=REPORT)).status_code for _ in range(4)]
            assert statuses == [201, 201, 201, 429]
            refused = await first.post("/v1/reports", json=REPORT)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert (await second.post("/v1/reports", json=REPORT)).status_code == 201  # another client is unaffected
