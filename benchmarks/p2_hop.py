"""P2's baseline: one raw aiokafka produce-to-consume hop on the platform's broker, at the same steady rate.

Producer and consumer are set up as the services' are (``shared.messaging``: acks=all, the same linger; a
consumer in a group with the same ``fetch_max_wait_ms``) on a topic of its own with as many partitions as the
services' topics, keyed at random as events are by case. Latency is the consumer's receipt of a message minus
the moment it was handed to the producer, both on this process's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts.topics import REFERRALS

_SEQUENCE = struct.Struct(">q")
WARMUP = -1  # the sequence number of warm-up messages, sent until one comes back


@dataclass(frozen=True)
class HopSettings:
    bootstrap_servers: str
    fetch_max_wait_ms: int
    linger_ms: int
    enable_idempotence: bool


async def measure_hop(settings: HopSettings, *, rate: float, count: int, patience: float) -> list[float | None]:
    """Send ``count`` messages at ``rate`` a second; each one's latency in seconds (None: never received within
    ``patience`` seconds after the last was sent)."""
    topic = f"bench.p2.hop.{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, client_id="bench-p2-hop")
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, REFERRALS.partitions, 1)])
        return await _measure(settings, topic, rate=rate, count=count, patience=patience)
    finally:
        with contextlib.suppress(Exception):  # a broker that cannot delete topics keeps a small one
            await admin.delete_topics([topic])
        await admin.close()


async def _measure(
    settings: HopSettings, topic: str, *, rate: float, count: int, patience: float
) -> list[float | None]:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=settings.linger_ms,
        enable_idempotence=settings.enable_idempotence, client_id="bench-p2-hop",
    )
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.bootstrap_servers, group_id=f"{topic}-group",
        fetch_max_wait_ms=settings.fetch_max_wait_ms, auto_offset_reset="earliest", enable_auto_commit=False,
    )
    sent: list[float] = [0.0] * count
    received: list[float | None] = [None] * count
    warmed = asyncio.Event()
    all_received = asyncio.Event()
    remaining = count

    async def consume() -> None:
        nonlocal remaining
        async for message in consumer:
            at = time.perf_counter()
            (sequence,) = _SEQUENCE.unpack(message.value)
            if sequence == WARMUP:
                warmed.set()
            elif received[sequence] is None:
                received[sequence] = at
                remaining -= 1
                if remaining == 0:
                    all_received.set()

    await producer.start()
    await consumer.start()
    consuming = asyncio.create_task(consume())
    try:
        # Until the group has its partitions and the path is warm, nothing is measured.
        while not warmed.is_set():
            await producer.send(topic, _SEQUENCE.pack(WARMUP), key=uuid.uuid4().bytes)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    await warmed.wait()
        start = time.perf_counter() + 0.1
        deliveries = []
        for sequence in range(count):
            await asyncio.sleep(max(0.0, start + sequence / rate - time.perf_counter()))
            sent[sequence] = time.perf_counter()
            deliveries.append(await producer.send(topic, _SEQUENCE.pack(sequence), key=uuid.uuid4().bytes))
        await asyncio.gather(*deliveries)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience):
                await all_received.wait()
    finally:
        consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        await consumer.stop()
        await producer.stop()
    return [None if at is None else at - sent[index] for index, at in enumerate(received)]
