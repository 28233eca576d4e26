"""Batched offset commits (``shared.offsets``) on the real broker: few commits, and never one past an event that
is still being handled or waits to be retried."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio.to_thread
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry.sdk.trace import TracerProvider

from shared.contracts import CaseReported, TopicSpec
from shared.contracts.examples import example_case_reported
from shared.messaging import create_broker, ensure_topics, subscribe
from shared.metrics import ServiceMetrics
from shared.offsets import COMMITTED, FAILED, OffsetCommitter
from shared.settings import ServiceSettings
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration
EVENTS = 200
INTERVAL = 0.3


class Settings(ServiceSettings):
    http_port: int = 0


@pytest.fixture
def settings(infra: Infrastructure) -> Settings:
    return Settings(database_url="postgresql+asyncpg://unused", kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
                    kafka_enable_idempotence=infra.kafka_enable_idempotence, kafka_session_timeout_ms=6000)


@pytest.fixture
async def topic(settings: Settings) -> TopicSpec:
    spec = TopicSpec(f"offsets-test-{uuid.uuid4().hex[:8]}", 2, "test topic")
    await ensure_topics(settings.kafka_bootstrap_servers, [spec])
    return spec


@pytest.fixture
async def admin(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await client.start()
    yield client
    await client.close()


async def produce(settings: Settings, topic: str, events: list[CaseReported]) -> list[tuple[TopicPartition, int]]:
    """Send every event (one batch, not awaited one by one) and return where each landed."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        sent = [await producer.send(topic, event.to_json(), key=event.key) for event in events]
        landed = await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return [(TopicPartition(topic, meta.partition), meta.offset) for meta in landed]


async def committed(admin: AIOKafkaAdminClient, group: str, topic: TopicSpec) -> dict[TopicPartition, int]:
    partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
    offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


# Counts what the broker saw in time (commits, two topics read side by side): beside other workers' load it
# measured the load, so `make test` runs it by itself, after the rest (tests/tiers.py).
@pytest.mark.alone
async def test_handled_offsets_are_committed_in_a_few_batches(
    settings: Settings, topic: TopicSpec, admin: AIOKafkaAdminClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread_hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted_run_sync(function: Callable[..., object], *args: object, **kwargs: Any) -> object:
        thread_hops.append(function)
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted_run_sync)
    events = [example_case_reported(case_id=uuid.uuid4()) for _ in range(EVENTS)]
    landed = await produce(settings, topic.name, events)
    ends = {tp: max(offset for t, offset in landed if t == tp) + 1 for tp, _ in landed}
    handled: set[uuid.UUID] = set()
    metrics = ServiceMetrics.create()
    committer = OffsetCommitter(INTERVAL, commits=metrics.offset_commits)
    group = f"g-{uuid.uuid4().hex[:8]}"

    async def handler(event: CaseReported) -> None:
        handled.add(event.event_id)

    broker = create_broker(settings, service="offsets-test", tracer_provider=TracerProvider())
    subscribe(broker, settings, topic=topic, group_id=group, events=(CaseReported,), handler=handler,
              committer=committer, metrics=metrics)
    await broker.start()
    running = asyncio.create_task(committer.run())
    try:
        async with asyncio.timeout(60):
            while await committed(admin, group, topic) != ends:  # noqa: ASYNC110 - polling the broker
                await asyncio.sleep(0.2)
    finally:
        running.cancel()
        await broker.stop()

    assert handled == {event.event_id for event in events}
    assert thread_hops == []  # no event's handling goes through a worker thread (FastDepends would, per event)
    # Commits tried, whatever their outcome: on a loaded broker a commit can land after the client gave up waiting
    # (counted failed) and be the one this test saw. One commit per event would be 200; batching takes a handful,
    # however the handling was spread in time.
    commits = sum(metrics.offset_commits.labels(group=group, outcome=outcome)._value.get()
                  for outcome in (COMMITTED, FAILED))
    assert 1 <= commits <= 20, commits


async def test_no_commit_passes_an_event_being_handled_or_waiting_to_be_retried(
    settings: Settings, topic: TopicSpec, admin: AIOKafkaAdminClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = example_case_reported().key  # one case: every event on one partition, in order
    events = [example_case_reported(case_id=uuid.UUID(key.decode())) for _ in range(6)]
    landed = await produce(settings, topic.name, events)
    partition = landed[0][0]
    busy, failing = events[2].event_id, events[4].event_id
    release_busy, busy_started = asyncio.Event(), asyncio.Event()
    failures_left = 3
    handled: list[uuid.UUID] = []
    committer = OffsetCommitter(INTERVAL)
    group = f"g-{uuid.uuid4().hex[:8]}"
    rounds = 0  # commit rounds of the running committer that have finished
    commit = committer.commit

    async def counted_commit() -> None:
        nonlocal rounds
        await commit()
        rounds += 1

    monkeypatch.setattr(committer, "commit", counted_commit)  # the real commit, counted

    async def handler(event: CaseReported) -> None:
        nonlocal failures_left
        if event.event_id == busy:
            busy_started.set()
            await release_busy.wait()
        if event.event_id == failing and failures_left:
            failures_left -= 1
            raise RuntimeError("database hiccup")
        handled.append(event.event_id)

    broker = create_broker(settings, service="offsets-test", tracer_provider=TracerProvider())
    subscribe(broker, settings, topic=topic, group_id=group, events=(CaseReported,), handler=handler,
              committer=committer, retry_delay=INTERVAL)
    await broker.start()
    running = asyncio.create_task(committer.run())
    try:
        await asyncio.wait_for(busy_started.wait(), 40)
        started = rounds
        async with asyncio.timeout(30):  # several commit rounds while the third event is in its handler
            while rounds < started + 4:  # noqa: ASYNC110 - the committer runs in a task of its own
                await asyncio.sleep(0.05)
        assert (await committed(admin, group, topic)).get(partition) == landed[2][1]
        release_busy.set()
        async with asyncio.timeout(30):  # the fifth fails three times, a retry delay each, then succeeds
            while (await committed(admin, group, topic)).get(partition) != landed[-1][1] + 1:
                position = (await committed(admin, group, topic)).get(partition)
                if len(handled) < 5:
                    assert position is None or position <= landed[4][1], "committed past a failing event"
                await asyncio.sleep(0.05)
    finally:
        running.cancel()
        await broker.stop()
    assert handled == [event.event_id for event in events]
