"""What reporting's integration tests share: the app in process against the real Postgres and broker, and a
producer that publishes as the services' outbox relays do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from reporting.app import create_app
from reporting.settings import ReportingSettings
from shared.contracts import Event
from shared.contracts.topics import CASES, REFERRALS


async def reporting_client(
    settings: ReportingSettings, bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """The reporting app, running (consumers and all), behind an in-process HTTP client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:
            client.app = app  # type: ignore[attr-defined]
            client.bearer = bearer  # type: ignore[attr-defined]
            yield client


async def lag(settings: ReportingSettings) -> int:
    """Events on the read models' topics that the service's consumer groups have not yet committed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    await consumer.start()
    try:
        behind = 0
        for group, topic in ((settings.consumer_group("reporting"), CASES),
                             (settings.consumer_group("reporting-referrals"), REFERRALS)):
            partitions = [TopicPartition(topic.name, number) for number in range(topic.partitions)]
            ends = await consumer.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            # At most 0 per partition: Tansu gives a partition's end as its last batch's first offset plus one, so
            # a group that read a batch of several records has committed past that "end".
            behind += sum(max(end - max(committed[p].offset if p in committed else 0, 0), 0)
                          for p, end in ends.items())
        return behind
    finally:
        await consumer.stop()
        await admin.close()



async def started_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    return producer


async def publish(producer: AIOKafkaProducer, *events: Event) -> None:
    """Publish as an outbox relay does: on the event's topic, keyed by case, the event's JSON as the value."""
    for event in events:
        await producer.send_and_wait(event.topic, event.to_json(), key=event.key)
