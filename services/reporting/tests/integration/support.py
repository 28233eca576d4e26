"""What reporting's integration tests share: the app in process against the real Postgres and broker, and a
producer that publishes as the services' outbox relays do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
from aiokafka import AIOKafkaProducer

from reporting.app import create_app
from reporting.settings import ReportingSettings
from shared.contracts import Event


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


async def started_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    return producer


async def publish(producer: AIOKafkaProducer, *events: Event) -> None:
    """Publish as an outbox relay does: on the event's topic, keyed by case, the event's JSON as the value."""
    for event in events:
        await producer.send_and_wait(event.topic, event.to_json(), key=event.key)
