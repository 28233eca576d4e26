"""What the broker knows of a service's consumers: the lag of each consumer group, and how many messages wait in
each dead-letter topic. Read by every service for its ``/metrics`` (``shared.metrics.measure``)."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


class KafkaProbe:
    """``async with KafkaProbe(servers, client_id=...) as probe``: an admin client and a consumer in no group,
    which only reads offsets (it never joins a group, commits or fetches a message)."""

    def __init__(self, bootstrap_servers: str, *, client_id: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=client_id)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, client_id=client_id, enable_auto_commit=False
        )

    async def __aenter__(self) -> Self:
        await self._admin.start()
        try:
            await self._consumer.start()
        except BaseException:
            await self._admin.close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self._consumer.stop()
        finally:
            await self._admin.close()

    async def refresh(self) -> None:
        """Learn topics and partitions created since the last call."""
        await self._consumer.topics()

    def _partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        return [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]

    async def lag(self, group: str, topics: Iterable[str]) -> dict[str, int]:
        """Per topic, the messages ``group`` has not committed yet: the end offset of each partition minus the
        group's committed offset there (minus its first offset where the group has committed nothing yet)."""
        partitions = self._partitions(topics)
        if not partitions:
            return {}
        committed = await self._admin.list_consumer_group_offsets(group, partitions=partitions)
        end = await self._consumer.end_offsets(partitions)
        start = await self._consumer.beginning_offsets(partitions)
        lag: dict[str, int] = {}
        for partition in partitions:
            offset = committed.get(partition)
            position = offset.offset if offset is not None and offset.offset >= 0 else start[partition]
            lag[partition.topic] = lag.get(partition.topic, 0) + max(end[partition] - position, 0)
        return lag

    async def depth(self, topics: Iterable[str]) -> dict[str, int]:
        """Per topic, the messages it holds: end offsets minus first offsets, over its partitions."""
        partitions = self._partitions(topics)
        if not partitions:
            return {}
        end = await self._consumer.end_offsets(partitions)
        start = await self._consumer.beginning_offsets(partitions)
        depth: dict[str, int] = {}
        for partition in partitions:
            depth[partition.topic] = depth.get(partition.topic, 0) + end[partition] - start[partition]
        return depth
