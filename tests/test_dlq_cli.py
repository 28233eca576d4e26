"""``sinergi dlq list|show|replay`` on the real broker, with routing in process to dead-letter and to consume.

Routing parks two poison messages that carry a marker (a value no output may show); a valid ``case.updated`` is
parked by hand as a consumer would have parked it for a passing fault. Replaying it gets it handled by routing;
a second replay is refused without ``--force``. ``--all`` runs on a topic of the test's own.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import text

from routing.app import create_app as create_routing
from routing.settings import RoutingSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts import CASES, CaseUpdated, TopicSpec, dead_letter_topic
from shared.contracts.examples import example_case_reported
from shared.messaging import DLQ_CONSUMER_HEADER, DLQ_REASON_HEADER, DLQ_SOURCE_HEADER, ensure_topics
from sinergi_local import dlq
from sinergi_local.infrastructure import Infrastructure
from tests.polling import eventually

pytestmark = pytest.mark.integration

MARKER = f"DLQ-MARKER-{uuid.uuid4().hex}"
CASES_DLQ = dead_letter_topic(CASES.name)


def case_updated(**fields: Any) -> CaseUpdated:
    reported = example_case_reported(regency_code="81.04", case_number="8104-2026-90002")
    facts = reported.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
    return CaseUpdated(**{**facts, "update_id": uuid.uuid4(), "kind": "corrected", "changed_fields": ("place",),
                          "updated_by": "dlq-test", **fields})


@dataclass
class World:
    app: FastAPI
    servers: str
    group: str
    poison: dict[str, bytes]  # what routing parked: bad JSON, a schema violation (both with the marker)
    parked: dict[str, int]  # their offsets on sinergi.cases.dlq, and the valid event's ("fixed")
    fixed: CaseUpdated  # parked by hand, for a fault since mended


async def _send(servers: str, topic: str, value: bytes, *, key: bytes, headers: dict[str, str] | None = None) -> Any:
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all")
    await producer.start()
    try:
        return await producer.send_and_wait(topic, value, key=key,
                                            headers=[(k, v.encode()) for k, v in (headers or {}).items()])
    finally:
        await producer.stop()


async def _record_at(servers: str, position: str) -> ConsumerRecord[bytes, bytes]:
    topic, partition, offset = position.rsplit("/", 2)
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        where = TopicPartition(topic, int(partition))
        consumer.assign([where])
        consumer.seek(where, int(offset))
        async with asyncio.timeout(10):
            return await consumer.getone()
    finally:
        await consumer.stop()


async def _handled(app: FastAPI, event_id: uuid.UUID) -> bool:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return bool(await uow.session.scalar(
            text("SELECT count(*) FROM inbox WHERE consumer = 'routing' AND event_id = :id"), {"id": event_id}))


@pytest.fixture(scope="module")
async def world(infra: Infrastructure, make_settings: Callable[..., Any]) -> AsyncIterator[World]:
    servers = infra.kafka_bootstrap_servers
    app = create_routing(make_settings(RoutingSettings, "routing"))
    async with app.router.lifespan_context(app):
        group = app.state.runtime.settings.consumer_group("routing")
        key = str(uuid.uuid4()).encode()
        broken = json.loads(case_updated(updated_by=MARKER, case_number=MARKER).to_json())
        poison = {
            "bad JSON": f'{{"event_type": "case.updated", "updated_by": "{MARKER}"'.encode(),
            "schema violation": json.dumps({k: v for k, v in broken.items() if k != "update_id"}).encode(),
        }
        for value in poison.values():
            await _send(servers, CASES.name, value, key=key)
        fixed = case_updated()
        parked_fixed = await _send(servers, CASES_DLQ, fixed.to_json(), key=fixed.key, headers={
            DLQ_REASON_HEADER: "refused by the handler for good (IntegrityError)",
            DLQ_SOURCE_HEADER: f"{CASES.name}/0/0", DLQ_CONSUMER_HEADER: group,
        })

        async def parked_by_routing() -> dict[str, int] | None:
            found = {d.value: d.offset for d in await dlq.read_dead_letters(servers, [CASES_DLQ])
                     if d.headers.get(DLQ_CONSUMER_HEADER) == group}
            return {kind: found[value] for kind, value in poison.items() if value in found} or None

        async def all_parked() -> dict[str, int] | None:
            parked = await parked_by_routing()
            return parked if parked and len(parked) == len(poison) else None

        parked = await eventually(all_parked, "routing dead-letters the poison", within=60)
        yield World(app, servers, group, poison, {**parked, "fixed": parked_fixed.offset}, fixed)


async def test_list_shows_each_dead_letter_with_its_reason_and_no_payload(world: World) -> None:
    out = io.StringIO()
    assert await dlq.list_dead_letters(world.servers, CASES.name, out) == 0
    lines = out.getvalue().splitlines()
    by_offset = {line.split("\t")[0]: line for line in lines[:-1]}
    bad_json = by_offset[f"{CASES_DLQ}/{world.parked['bad JSON']}"]
    assert f"from {CASES.name}/" in bad_json
    assert f"group {world.group}" in bad_json
    assert "\tnot JSON: " in bad_json
    violation = by_offset[f"{CASES_DLQ}/{world.parked['schema violation']}"]
    assert "\tcase.updated\tupdate_id: Field required" in violation
    assert "refused by the handler for good (IntegrityError)" in by_offset[f"{CASES_DLQ}/{world.parked['fixed']}"]
    assert lines[-1] == f"{len(lines) - 1} dead letters"
    assert MARKER not in out.getvalue()


async def test_the_command_line_lists_from_any_kafka(world: World) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sinergi_local.cli", "dlq", "list", "--topic", CASES_DLQ,
        "--bootstrap-servers", world.servers, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert f"{CASES_DLQ}/{world.parked['schema violation']}\t" in stdout.decode()
    assert MARKER.encode() not in stdout + stderr


async def test_show_tells_the_headers_and_of_the_payload_only_its_size_digest_keys_and_ids(world: World) -> None:
    value = world.poison["schema violation"]
    out = io.StringIO()
    assert await dlq.show_dead_letter(world.servers, CASES_DLQ, world.parked["schema violation"], out) == 0
    shown = out.getvalue()
    assert MARKER not in shown
    assert f"{DLQ_REASON_HEADER}: " in shown
    assert f"{DLQ_CONSUMER_HEADER}: {world.group}" in shown
    assert f"payload: {len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()}, JSON object" in shown
    assert "updated_by" in shown  # a key, not its value
    assert "  event_type: case.updated\n" in shown
    assert f"  event_id: {json.loads(value)['event_id']}\n" in shown

    out = io.StringIO()
    assert await dlq.show_dead_letter(world.servers, CASES_DLQ, world.parked["bad JSON"], out) == 0
    assert "not JSON" in out.getvalue()
    assert MARKER not in out.getvalue()
    assert await dlq.show_dead_letter(world.servers, CASES_DLQ, 10**9, io.StringIO()) == 1


async def test_a_replayed_dead_letter_is_consumed_and_not_replayed_twice_without_force(world: World) -> None:
    offset = world.parked["fixed"]
    assert not await _handled(world.app, world.fixed.event_id)
    out = io.StringIO()
    assert await dlq.replay(world.servers, CASES_DLQ, [offset], everything=False, force=False, out=out) == 0
    replayed = out.getvalue().splitlines()
    assert replayed[0].startswith(f"replayed {CASES_DLQ}/{offset} -> {CASES.name}/")
    assert f"case.updated {world.fixed.event_id}" in replayed[0]
    position = replayed[0].split(" -> ")[1].split(" ")[0]
    copy = await _record_at(world.servers, position)
    assert copy.value == world.fixed.to_json()
    assert copy.key == world.fixed.key
    assert dict(copy.headers)[dlq.REPLAYED_FROM_HEADER] == f"{CASES_DLQ}/{offset}".encode()
    await eventually(lambda: _handled(world.app, world.fixed.event_id), "routing handles the replayed event")

    again = io.StringIO()
    assert await dlq.replay(world.servers, CASES_DLQ, [offset], everything=False, force=False, out=again) == 1
    assert again.getvalue().startswith(f"refused {CASES_DLQ}/{offset}: {CASES.name}/0/0 was replayed ")
    assert "--force" in again.getvalue()
    assert again.getvalue().endswith("0 replayed\n")

    forced = io.StringIO()
    assert await dlq.replay(world.servers, CASES_DLQ, [offset], everything=False, force=True, out=forced) == 0
    assert forced.getvalue().startswith(f"replayed {CASES_DLQ}/{offset} -> ")


async def test_replay_all_republishes_each_event_once_and_only_to_its_own_topic(world: World) -> None:
    topic = TopicSpec(f"dlq-test-{uuid.uuid4().hex[:8]}", 2, "a topic of this test")
    await ensure_topics(world.servers, [topic])
    event = case_updated()
    for group in ("group-a", "group-b"):  # one event, parked by two groups
        await _send(world.servers, dead_letter_topic(topic.name), event.to_json(), key=event.key, headers={
            DLQ_REASON_HEADER: "refused", DLQ_SOURCE_HEADER: f"{topic.name}/1/7", DLQ_CONSUMER_HEADER: group})
    await _send(world.servers, dead_letter_topic(topic.name), b"{}", key=event.key, headers={
        DLQ_REASON_HEADER: "refused", DLQ_SOURCE_HEADER: f"{CASES.name}/1/7", DLQ_CONSUMER_HEADER: "group-a"})

    out = io.StringIO()
    assert await dlq.replay(world.servers, topic.name, [], everything=True, force=False, out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"replayed {dead_letter_topic(topic.name)}/0 -> {topic.name}/")
    assert lines[1].startswith(f"skipped {dead_letter_topic(topic.name)}/1: {topic.name}/1/7 was replayed ")
    assert lines[2].startswith(f"refused {dead_letter_topic(topic.name)}/2: its {DLQ_SOURCE_HEADER} header")
    assert lines[3] == "1 replayed"

    again = io.StringIO()
    assert await dlq.replay(world.servers, topic.name, [1], everything=False, force=False, out=again) == 1
    assert again.getvalue().startswith(f"refused {dead_letter_topic(topic.name)}/1: ")


async def test_letters_parked_in_one_batch_are_all_read(infra: Infrastructure) -> None:
    # Consumers of one service share a producer, so letters parked at the same moment travel in one record
    # batch. Tansu gives a partition's end offset as its last batch's first offset plus one: every record the
    # read fetches counts, not only those before the end offset it was told.
    topic = dead_letter_topic(f"batch-test-{uuid.uuid4().hex[:8]}")
    await ensure_topics(infra.kafka_bootstrap_servers, [TopicSpec(topic, 1, "test dead letters")])
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers, acks="all", linger_ms=200)
    await producer.start()
    try:
        sent = [await producer.send(topic, f"letter {n}".encode(), key=b"k", headers=[(DLQ_REASON_HEADER, b"r")])
                for n in range(3)]
        offsets = [metadata.offset for metadata in await asyncio.gather(*sent)]
    finally:
        await producer.stop()

    letters = await dlq.read_dead_letters(infra.kafka_bootstrap_servers, [topic])

    assert [(letter.offset, letter.value) for letter in letters] == [
        (offset, f"letter {n}".encode()) for n, offset in enumerate(offsets)
    ]
