"""The rebuild's reader (``reporting.adapters.replay.TopicReader``) on the real broker: every record written
before the read began is read, also those that share a record batch with the partition's last."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from reporting.adapters.replay import TopicReader
from shared.contracts import TopicSpec
from shared.messaging import ensure_topics
from sinergi_local.infrastructure import Infrastructure

pytestmark = pytest.mark.integration


async def test_records_in_the_last_batch_are_all_read(infra: Infrastructure) -> None:
    # A relay publishes without waiting for each record, so a partition's last batch often holds several. Tansu
    # gives the end offset as that batch's first offset plus one.
    topic = TopicSpec(f"reader-test-{uuid.uuid4().hex[:8]}", 1, "test topic")
    await ensure_topics(infra.kafka_bootstrap_servers, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers, acks="all", linger_ms=200)
    await producer.start()
    try:
        first = await producer.send_and_wait(topic.name, b"alone")
        sent = [await producer.send(topic.name, f"batched {n}".encode()) for n in range(3)]
        offsets = [first.offset] + [metadata.offset for metadata in await asyncio.gather(*sent)]
    finally:
        await producer.stop()

    async with TopicReader(infra.kafka_bootstrap_servers, [topic], batch_size=2) as reader:
        read = [record async for batch in reader.batches() for record in batch]

    assert [(record.offset, record.value) for record in read] == list(
        zip(offsets, [b"alone", b"batched 0", b"batched 1", b"batched 2"], strict=True)
    )
