"""Kafka down while reports arrive: intake keeps accepting them, and their events flow once Kafka is back."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from intake.app import create_app
from intake.settings import IntakeSettings
from shared.metrics import OUTBOX_FAILURES
from sinergi_local import tansu
from sinergi_local.faults import TcpProxy
from sinergi_local.processes import free_port
from tests.polling import eventually

# It stops the worker's PostgreSQL or broker and reads what each phase answered: beside other workers' load a
# healthy phase can time out too, so `make test` runs it by itself, after the rest (tests/tiers.py).
pytestmark = [pytest.mark.integration, pytest.mark.alone]

REPORT = {
    "incident": {"precision": "unknown"},
    "location": {"province_code": "62", "regency_code": "62.71", "place": "fasilitas_umum"},
    "violence_types": ["psikis"],
    "victims": [{"sex": "laki_laki", "age": 7}],
    "reporter": {"anonymous": True, "relation": "lainnya"},
    "narrative": "Narasi uji gangguan Kafka.",
    "channel": "web",
}


async def pending_rows(app: object, case_ids: list[str]) -> int:
    async with app.state.runtime.engine.connect() as connection:  # type: ignore[attr-defined]
        count = await connection.scalar(
            text("SELECT count(*) FROM outbox WHERE message_key = ANY(:keys) AND published_at IS NULL"),
            {"keys": case_ids},
        )
    return int(count or 0)


async def relay_failures(client: httpx.AsyncClient) -> float:
    """The failed tries of intake's outbox relay, from its /metrics."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return sum(sample.value for family in text_string_to_metric_families(response.text) for sample in family.samples
               if sample.name == OUTBOX_FAILURES)


async def relay_failed(client: httpx.AsyncClient, times: float) -> bool:
    return await relay_failures(client) >= times


async def test_reports_are_accepted_while_kafka_is_down_and_flow_after(
    make_settings: Callable[..., IntakeSettings], tmp_path: Path
) -> None:
    # A broker of this test's own, reached only through a proxy that can cut it off the network.
    broker_port, proxy_port = free_port(), free_port()
    proxy = TcpProxy(proxy_port, broker_port)
    await proxy.start()
    bootstrap = tansu.start(tmp_path, broker_port, advertised_port=proxy_port)
    app = create_app(make_settings(IntakeSettings, "intake", kafka_bootstrap_servers=bootstrap,
                                   kafka_request_timeout_ms=10_000))
    try:
        async with (app.router.lifespan_context(app),
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client):
            await proxy.cut()  # Kafka goes down

            # Reports keep being accepted all through the outage: at once, and (twice) after the relay has tried,
            # failed and kept the rows. A try fails when the request times out (10 s here), so one is waited for.
            case_ids = []
            failed_before = await relay_failures(client)
            for failed in (0, 1, 1):
                await eventually(functools.partial(relay_failed, client, failed_before + failed),
                                 f"{failed} failed tries of the relay")
                accepted = await client.post("/v1/reports", json=REPORT)
                assert accepted.status_code == 201, accepted.text
                case_ids.append(accepted.json()["case_id"])
            not_ready = await client.get("/ready")
            assert not_ready.status_code == 503
            assert not_ready.json()["database"] == "ok"
            assert await pending_rows(app, case_ids) == len(case_ids)

            await proxy.restore()  # Kafka is back
            consumer = AIOKafkaConsumer("sinergi.cases", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                        fetch_max_wait_ms=50)
            await consumer.start()
            try:
                events: dict[str, dict[str, object]] = {}
                async with asyncio.timeout(60):
                    while len(events) < len(case_ids):
                        for records in (await consumer.getmany(timeout_ms=500)).values():
                            events |= {r.key.decode(): json.loads(r.value) for r in records
                                       if r.key and r.key.decode() in case_ids}
            finally:
                await consumer.stop()
            assert {event["event_type"] for event in events.values()} == {"case.reported"}
            async with asyncio.timeout(30):  # the relay marks the rows right after the broker acknowledged them
                while await pending_rows(app, case_ids):  # noqa: ASYNC110 - polling the relay's table
                    await asyncio.sleep(0.1)
    finally:
        await proxy.cut()
        tansu.stop(tmp_path)
