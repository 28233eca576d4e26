"""Offsets committed in batches, and only ever for events already handled.

Committing after every event costs the broker one write per event (and, on Tansu's S3 engine, one object per
partition the consumer holds), which caps a consumer at a few thousand events a second. Here each subscriber
records the offset after every event it has finished with (handled, skipped or dead-lettered) and the
``OffsetCommitter`` commits those offsets every ``interval_seconds``, and when partitions are revoked.

It commits explicit offsets, never the consumer's position: the position also covers the event a handler is
busy with, and committing that before it is done could lose it in a crash. What a crash or a rebalance leaves
uncommitted (at most one interval's worth) is delivered again, and the consumers' inboxes make that harmless.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError
from faststream.kafka import KafkaMessage
from prometheus_client import Counter

log = logging.getLogger(__name__)

COMMITTED, FAILED = "committed", "failed"
# aiokafka retries a commit for as long as the coordinator answers with retriable errors; a commit that takes
# longer is given up (what it covered is delivered again) so that a rebalance or a shutdown never hangs on it.
COMMIT_TIMEOUT_SECONDS = 5.0


class HandledOffsets(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka ships no type hints
    """One subscriber's offsets that are handled and not yet committed. Also its rebalance listener: what it
    handled is committed before a partition moves to another instance."""

    def __init__(self, group_id: str, commits: Counter | None) -> None:
        self.group_id = group_id
        self._commits = commits
        self._consumer: AIOKafkaConsumer | None = None
        self._pending: dict[TopicPartition, int] = {}
        self._lock = asyncio.Lock()

    def handled(self, message: KafkaMessage) -> None:
        """The event of ``message`` is done with: its offset may be committed."""
        record = message.raw_message
        self._consumer = message.consumer  # the subscriber's AIOKafkaConsumer
        self._pending[TopicPartition(record.topic, record.partition)] = record.offset + 1  # type: ignore[union-attr]

    @property
    def pending(self) -> int:
        """Partitions with handled offsets not yet committed."""
        return len(self._pending)

    async def commit(self) -> None:
        """Commit what is handled. A partition no longer assigned is left to its new owner (it re-reads from the
        last commit); a commit the broker refuses is tried again next time."""
        async with self._lock:
            consumer, snapshot = self._consumer, dict(self._pending)
            if consumer is None or not snapshot:
                return
            assigned = consumer.assignment()
            offsets = {tp: offset for tp, offset in snapshot.items() if tp in assigned}
            if offsets:
                try:
                    async with asyncio.timeout(COMMIT_TIMEOUT_SECONDS):
                        await consumer.commit(offsets)
                except (KafkaError, IllegalStateError, TimeoutError) as error:  # a rebalance or an outage: next time
                    log.info("%s could not commit its offsets (%s); will retry", self.group_id, type(error).__name__)
                    self._count(FAILED)
                    return
                self._count(COMMITTED)
            for tp, offset in snapshot.items():
                if self._pending.get(tp) == offset:  # not moved on while committing
                    del self._pending[tp]

    def _count(self, outcome: str) -> None:
        if self._commits is not None:
            self._commits.labels(group=self.group_id, outcome=outcome).inc()

    async def on_partitions_revoked(self, revoked: object) -> None:
        await self.commit()

    async def on_partitions_assigned(self, assigned: object) -> None:
        pass


class OffsetCommitter:
    """Commits the handled offsets of every subscriber of one service every ``interval_seconds`` (``run``)."""

    def __init__(self, interval_seconds: float, *, commits: Counter | None = None) -> None:
        self.interval_seconds = interval_seconds
        self._commits = commits
        self._subscribers: list[HandledOffsets] = []

    def track(self, group_id: str) -> HandledOffsets:
        """The handled offsets of a new subscriber in ``group_id``."""
        offsets = HandledOffsets(group_id, self._commits)
        self._subscribers.append(offsets)
        return offsets

    async def commit(self) -> None:
        """Commit every subscriber's handled offsets now (also before the service stops)."""
        outcomes = await asyncio.gather(*(subscriber.commit() for subscriber in self._subscribers),
                                        return_exceptions=True)
        for subscriber, outcome in zip(self._subscribers, outcomes, strict=True):
            if isinstance(outcome, Exception):  # e.g. the consumer closing under it; next time or its successor
                log.warning("%s could not commit its offsets (%s)", subscriber.group_id, type(outcome).__name__)

    async def run(self) -> None:
        """Commit every interval, for the service's lifetime."""
        while True:
            await asyncio.sleep(self.interval_seconds)
            await self.commit()
