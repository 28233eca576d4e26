"""Fixtures of notifications' integration tests: a webhook receiver on a local port and a Kafka publisher."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer

from services.notifications.tests.integration.support import FakeTwilio, MailServer, Publish, Receiver, eventually
from shared.contracts import Event
from sinergi_local import processes


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


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """``python -m sinergi_local.mail_server`` as `make up` runs it, on a free port."""
    run_dir = tmp_path_factory.mktemp("mail")
    port = processes.free_port()
    log = run_dir / "mail.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sinergi_local.mail_server", "--port", str(port),
             "--maildir", str(run_dir / "mail")],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        processes.wait_for_port(port, timeout=30, name="mail server", pid=server.pid, log=log)
        yield MailServer(port, run_dir / "mail")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert "RCPT" not in log.read_text(), "the mail server's log must not list the commands (and addresses)"


@pytest.fixture(scope="module")
async def twilio() -> AsyncIterator[FakeTwilio]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    fake = FakeTwilio(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.02)
    yield fake
    server.should_exit = True
    await task
