"""The outbox relay and the consumer plumbing, on the real Postgres and broker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, func, select
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.access import SERVICE_CONTEXT
from shared.contracts import CaseReported, TopicSpec, dead_letter_topic
from shared.contracts.examples import example_case_reported
from shared.messaging import DLQ_REASON_HEADER, create_broker, ensure_topics, subscribe
from shared.offsets import OffsetCommitter
from shared.outbox import OutboxRelay, outbox_row
from shared.provision import provision_schema
from shared.service import define_messaging_tables
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration
SCHEMA = "shared_test"


class Settings(ServiceSettings):
    http_port: int = 0


def case_reported(case_id: uuid.UUID | None = None, number: int = 1) -> CaseReported:
    return example_case_reported(
        case_id=case_id or uuid.uuid4(), case_number=f"9901-2026-{number:05d}", province_code="99",
        regency_code="99.01", violence_types=("fisik",), victim_sex="perempuan", victim_age_group="6-12",
        channel="hotline", reported_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module")
async def tables(infra: Infrastructure) -> tuple[MetaData, Any, Any]:
    await provision_schema(infra.admin_dsn, SCHEMA, owner_password="owner-pw-test", app_password="app-pw-test")
    metadata = MetaData(schema=SCHEMA)
    outbox, inbox = define_messaging_tables(metadata)
    owner = create_async_engine(infra.app_url(f"{SCHEMA}_owner", "owner-pw-test"))
    async with owner.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    await owner.dispose()
    return metadata, outbox, inbox


@pytest.fixture
async def engine(infra: Infrastructure, tables: Any) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.app_url(f"{SCHEMA}_app", "app-pw-test"),
                                 connect_args={"server_settings": {"search_path": SCHEMA}})
    yield engine
    await engine.dispose()


@pytest.fixture
def settings(infra: Infrastructure) -> Settings:
    return Settings(database_url="postgresql+asyncpg://unused", kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
                    kafka_enable_idempotence=infra.kafka_enable_idempotence, kafka_session_timeout_ms=6000)


@pytest.fixture
async def broker(settings: Settings) -> AsyncIterator[KafkaBroker]:
    broker = create_broker(settings, service="shared-test", tracer_provider=TracerProvider())
    await broker.start()
    yield broker
    await broker.stop()


async def read_topic(bootstrap: str, topic: str, want: Callable[[list[Any]], bool]) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    seen: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while not want(seen):
                for messages in (await consumer.getmany(timeout_ms=300)).values():
                    seen.extend(messages)
    finally:
        await consumer.stop()
    return seen


async def unpublished(engine: AsyncEngine, outbox: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))) or 0)


async def test_events_committed_with_state_are_published_in_order(
    engine: AsyncEngine, tables: Any, broker: KafkaBroker, settings: Settings
) -> None:
    _, outbox, inbox = tables
    await ensure_topics(settings.kafka_bootstrap_servers)
    case_id = uuid.uuid4()
    events = [case_reported(case_id, n) for n in range(1, 11)]
    uow = UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox)
    async with uow:
        for event in events:
            uow.emit(event)
        await uow.commit()
    async with uow:  # leaving without commit publishes nothing
        uow.emit(case_reported())

    relay = OutboxRelay(engine, outbox, broker)
    while await relay.publish_batch():
        pass
    assert await unpublished(engine, outbox) == 0

    def mine(seen: list[Any]) -> list[Any]:
        return [m for m in seen if m.key == str(case_id).encode()]

    messages = mine(await read_topic(settings.kafka_bootstrap_servers, "sinergi.cases", lambda s: len(mine(s)) >= 10))
    assert [json.loads(m.value)["case_number"] for m in messages] == [e.case_number for e in events]


class FailingAfter:
    """The real broker, made to fail after ``n`` publishes: a relay dying mid-batch."""

    def __init__(self, broker: KafkaBroker, n: int) -> None:
        self.broker, self.left = broker, n

    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        if self.left == 0:
            raise ConnectionError("broker went away")
        self.left -= 1
        return await self.broker.publish(*args, **kwargs)


async def test_a_relay_that_dies_mid_batch_republishes_and_never_skips(
    engine: AsyncEngine, tables: Any, broker: KafkaBroker, settings: Settings
) -> None:
    _, outbox, inbox = tables
    case_id = uuid.uuid4()
    events = [case_reported(case_id, n) for n in range(1, 7)]
    uow = UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox)
    async with uow:
        for event in events:
            uow.emit(event)
        await uow.commit()

    dying = OutboxRelay(engine, outbox, FailingAfter(broker, 3))  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await dying.publish_batch()
    assert await unpublished(engine, outbox) == 6  # nothing marked: the batch will be sent again

    relay = OutboxRelay(engine, outbox, broker)
    while await relay.publish_batch():
        pass
    assert await unpublished(engine, outbox) == 0
    wanted = {str(e.event_id) for e in events}

    def ids(seen: list[Any]) -> set[str]:
        return {json.loads(m.value)["event_id"] for m in seen if m.key == str(case_id).encode()}

    got = ids(await read_topic(settings.kafka_bootstrap_servers, "sinergi.cases", lambda s: ids(s) >= wanted))
    assert got == wanted


class Gated:
    """The real broker, holding the relay's first publish until ``gate`` opens: a batch still being published."""

    def __init__(self, broker: KafkaBroker) -> None:
        self.broker = broker
        self.holding, self.gate = asyncio.Event(), asyncio.Event()

    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        if not self.holding.is_set():
            self.holding.set()
            await self.gate.wait()
        return await self.broker.publish(*args, **kwargs)


async def test_a_commit_while_a_batch_is_published_is_published_without_waiting_for_the_poll(
    engine: AsyncEngine, tables: Any, broker: KafkaBroker, settings: Settings
) -> None:
    _, outbox, inbox = tables
    await ensure_topics(settings.kafka_bootstrap_servers)
    while await OutboxRelay(engine, outbox, broker).publish_batch():  # what earlier tests left
        pass
    gated = Gated(broker)
    relay = OutboxRelay(engine, outbox, gated, poll_interval=60)  # type: ignore[arg-type]
    uow = UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox, after_commit=relay.wake)
    async with uow:
        uow.emit(case_reported())
        await uow.commit()
    running = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(10):
            await gated.holding.wait()  # the first batch is being published...
        async with uow:  # ... when another event commits, and wakes the relay
            uow.emit(case_reported())
            await uow.commit()
        gated.gate.set()
        for _ in range(200):  # up to 10 s, far sooner than the next poll: the wake-up was not lost
            if not await unpublished(engine, outbox):
                break
            await asyncio.sleep(0.05)
        assert await unpublished(engine, outbox) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_the_relay_publishes_while_requests_hold_every_other_pooled_connection(
    infra: Infrastructure, engine: AsyncEngine, tables: Any, broker: KafkaBroker, settings: Settings
) -> None:
    _, outbox, _ = tables
    await ensure_topics(settings.kafka_bootstrap_servers)
    while await OutboxRelay(engine, outbox, broker).publish_batch():  # what earlier tests left
        pass
    # A service's small pool, and requests that take every connection the relay does not hold, for long.
    size = 2
    small = create_async_engine(infra.app_url(f"{SCHEMA}_app", "app-pw-test"), pool_size=size, max_overflow=0,
                                pool_timeout=30, connect_args={"server_settings": {"search_path": SCHEMA}})
    relay = OutboxRelay(small, outbox, broker, poll_interval=0.05)
    running = asyncio.create_task(relay.run())
    try:
        pool: Any = small.sync_engine.pool
        async with asyncio.timeout(30):  # the relay holds its connection: it has polled
            while pool.checkedout() < 1:  # noqa: ASYNC110 - the pool offers no event to wait on
                await asyncio.sleep(0.02)
        async with contextlib.AsyncExitStack() as requests:
            busy = [await requests.enter_async_context(small.connect()) for _ in range(size - pool.checkedout())]
            async with busy[0].begin():
                await busy[0].execute(outbox.insert(), [outbox_row(case_reported())])
            relay.wake()
            for _ in range(100):  # up to 5 s, far sooner than the pool's timeout: the relay had its connection
                if not await unpublished(engine, outbox):
                    break
                await asyncio.sleep(0.05)
            assert await unpublished(engine, outbox) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await small.dispose()


async def test_a_consumer_dead_letters_poison_retries_failures_and_ignores_redelivery(
    engine: AsyncEngine, tables: Any, settings: Settings
) -> None:
    _, outbox, inbox = tables
    topic = TopicSpec(f"shared-test-{uuid.uuid4().hex[:8]}", 2, "test topic")
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    handled: list[uuid.UUID] = []
    # Every delivery the handler got past its first-delivery check for: handled, or recognised as a repeat.
    deliveries: list[uuid.UUID] = []
    failures = {"left": 1}

    async def handler(event: Any) -> None:
        if event.event_id == refused.event_id:  # e.g. a row whose foreign key does not exist: never mendable
            raise sqlalchemy_exc.IntegrityError("INSERT ...", {}, Exception("violates a foreign key constraint"))
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database hiccup")
        async with UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox) as uow:
            if await uow.first_delivery(event, "shared-test"):
                handled.append(event.event_id)
                await uow.commit()
        deliveries.append(event.event_id)

    consumer_broker = create_broker(settings, service="shared-test-consumer", tracer_provider=TracerProvider())
    subscribe(consumer_broker, settings, topic=topic, group_id=f"g-{uuid.uuid4().hex[:8]}", events=(CaseReported,),
              handler=handler, committer=OffsetCommitter(1.0), retry_delay=0.1)
    good = case_reported()
    refused = case_reported()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topic.name, b"{not json", key=good.key)
        await producer.send_and_wait(topic.name, refused.to_json(), key=good.key)  # same partition: in its way
        await producer.send_and_wait(topic.name, good.to_json(), key=good.key)
        await producer.send_and_wait(topic.name, good.to_json(), key=good.key)  # a redelivery
    finally:
        await producer.stop()

    await consumer_broker.start()
    try:
        # Both copies of the good event have been through the handler: the redelivered one was (not) handled.
        async with asyncio.timeout(40):
            while deliveries.count(good.event_id) < 2:  # noqa: ASYNC110 - the handler runs in the broker's task
                await asyncio.sleep(0.05)
    finally:
        await consumer_broker.stop()
    assert handled == [good.event_id]

    dead = await read_topic(settings.kafka_bootstrap_servers, dead_letter_topic(topic.name), lambda s: len(s) >= 2)
    assert dead[0].value == b"{not json"
    headers = dict(dead[0].headers)
    assert b"not JSON" in headers[DLQ_REASON_HEADER]
    assert dead[1].value == refused.to_json()
    assert dict(dead[1].headers)[DLQ_REASON_HEADER] == b"refused by the handler for good (IntegrityError)"
