"""Fixtures of notifications' integration tests: a webhook receiver on a local port and a Kafka publisher."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer

from services.notifications.tests.integration.support import Publish, Receiver, eventually
from shared.contracts import Event


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    receiver = Receiver(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(receiver.app(), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[listener]))

    async def started() -> bool:
        return server.started

    await eventually(started, "the receiver to listen", within=10)
    yield receiver
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def publisher(make_settings: Callable[..., Any]) -> AsyncIterator[Publish]:
    """Put an event on its topic exactly as its producer's outbox relay would."""
    from notifications.settings import NotificationsSettings

    settings = make_settings(NotificationsSettings, "notifications")
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()

    async def send(event: Event) -> None:
        await producer.send_and_wait(event.topic, value=event.to_json(), key=event.key)

    yield send
    await producer.stop()


