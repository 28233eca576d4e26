"""Reading whole topics from the start, for a rebuild: no consumer group (nothing is committed, no other
consumer is disturbed), every partition assigned, and the end of each fixed as the reading starts, so the read
ends even while producers keep writing (what comes later, the running consumers handle)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.contracts import TopicSpec


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    value: bytes


class TopicReader:
    """``async with TopicReader(servers, topics) as reader``: ``reader.total`` records to come, then
    ``async for batch in reader.batches()``."""

    def __init__(self, bootstrap_servers: str, topics: Sequence[TopicSpec], *, batch_size: int = 5000) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False,
            client_id="sinergi-reporting-rebuild", max_partition_fetch_bytes=4 * 1024 * 1024,
            fetch_max_wait_ms=10,
        )
        self._topics = [topic.name for topic in topics]
        self._batch_size = batch_size
        self._start: dict[TopicPartition, int] = {}
        self._end: dict[TopicPartition, int] = {}

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        try:
            partitions = [
                TopicPartition(topic, partition)
                for topic in self._topics
                for partition in sorted(await self._partitions(topic))
            ]
            self._consumer.assign(partitions)
            self._start = await self._consumer.beginning_offsets(partitions)
            self._end = await self._consumer.end_offsets(partitions)
            for partition in partitions:
                self._consumer.seek(partition, self._start[partition])
        except BaseException:
            await self._consumer.stop()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    @staticmethod
    def _records(partition: TopicPartition, messages: Sequence[ConsumerRecord[bytes, bytes]]) -> list[Record]:
        return [Record(partition.topic, partition.partition, m.offset, m.value or b"") for m in messages]

    async def _rest_of_fetched(self, partition: TopicPartition) -> list[Record]:
        """What was fetched of ``partition`` past its fixed end. Tansu gives a partition's end as its last record
        batch's first offset plus one: the rest of that batch lies past the end, and was written before the
        read began."""
        buffered = await self._consumer.getmany(partition, timeout_ms=0)  # the fetched batch, without waiting
        return self._records(partition, buffered.get(partition, []))

    async def _partitions(self, topic: str) -> set[int]:
        await self._consumer.topics()  # fetches the cluster's metadata
        return set(self._consumer.partitions_for_topic(topic) or ())

    @property
    def total(self) -> int:
        """Records between the start and the fixed end of every partition."""
        return sum(self._end[partition] - self._start[partition] for partition in self._end)

    async def batches(self) -> AsyncIterator[list[Record]]:
        """Every record up to the fixed ends (and any fetched past them), in offset order within each partition,
        ``batch_size`` at a time (the last batch may hold fewer). Big batches: whoever applies them pays per
        batch, not per record."""
        remaining = {partition for partition in self._end if self._end[partition] > self._start[partition]}
        batch: list[Record] = []
        while remaining:
            fetched = await self._consumer.getmany(
                *remaining, timeout_ms=1000, max_records=self._batch_size - len(batch)
            )
            for partition, messages in fetched.items():
                batch += self._records(partition, messages)
            for partition in list(remaining):
                # By position, not by the last record: offsets may have gaps (compaction, transaction markers).
                if await self._consumer.position(partition) >= self._end[partition]:
                    remaining.discard(partition)
                    batch += await self._rest_of_fetched(partition)
                    self._consumer.pause(partition)
            if len(batch) >= self._batch_size or (batch and not remaining):
                yield batch
                batch = []
