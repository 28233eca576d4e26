"""What P3 and P4 share: a broker of their own, and publishing a load to it.

A broker of their own (Tansu on memory storage, like the platform's), because the platform's own consumers (eleven
consumer groups in four services) would otherwise take the load too, for many minutes on a small machine, and
take the CPU the measured work needs. The platform's database is still the one the measured services use.

Publishing works around a quirk of Tansu: it reports a partition's end offset (ListOffsets "latest") as the base
offset of the partition's last record batch plus one, so the other records of that batch would lie past the
"end" that a reader stops at. The last record of each partition is therefore sent in a batch of its own, and the
true ends are taken from what the broker acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from benchmarks.common import BenchStack
from shared.contracts import ALL_TOPICS, Event
from shared.messaging import ensure_topics
from sinergi_local import processes, tansu

PARTITIONS = {topic.name: topic.partitions for topic in ALL_TOPICS}


@contextlib.contextmanager
def own_broker(stack: BenchStack, name: str) -> Iterator[str]:
    """A fresh broker with every topic created, under ``<run dir>/<name>``; yields its bootstrap servers."""
    run_dir = stack.run_dir / name
    bootstrap = tansu.start(run_dir, processes.free_port())
    try:
        processes.run_coroutine(ensure_topics(bootstrap))
        yield bootstrap
    finally:
        tansu.stop(run_dir)


@dataclass(frozen=True)
class Outgoing:
    """An event ready to send: where the producer's default partitioner puts it (keyed by its case), and its
    bytes."""

    partition: TopicPartition
    key: bytes
    value: bytes


def outgoing(events: Iterable[Event]) -> list[Outgoing]:
    """``events`` serialized and placed, before any clock starts."""
    placed = []
    for event in events:
        partitions = list(range(PARTITIONS[event.topic]))
        number = DefaultPartitioner()(event.key, partitions, partitions)
        placed.append(Outgoing(TopicPartition(event.topic, number), event.key, event.to_json()))
    return placed


async def publish(bootstrap_servers: str, events: Sequence[Outgoing]) -> dict[TopicPartition, int]:
    """Publish ``events`` as the outbox relays do (on their topic, keyed by case, in order within each case);
    returns the end offset of each partition written to."""
    last = {event.partition: index for index, event in enumerate(events)}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=20,
                                max_batch_size=256 * 1024)
    await producer.start()
    ends: dict[TopicPartition, int] = {}
    try:
        pending = []
        for index, event in enumerate(events):
            if last[event.partition] != index:
                pending.append(await producer.send(
                    event.partition.topic, event.value, key=event.key, partition=event.partition.partition))
            if len(pending) >= 5000:  # bounded memory; the producer batches underneath
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        for partition, index in sorted(last.items(), key=lambda item: item[1]):
            event = events[index]  # each partition's last, in a batch of its own
            sent = await producer.send_and_wait(partition.topic, event.value, key=event.key,
                                                partition=partition.partition)
            ends[partition] = sent.offset + 1
    finally:
        await producer.stop()
    return ends
