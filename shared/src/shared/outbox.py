"""Transactional outbox: a service writes its state change and its outgoing events in one transaction; the
relay publishes the rows to Kafka and only then marks them sent.

A relay killed mid-batch leaves its rows unmarked and the next run publishes them again (never skips), so
delivery is at least once and consumers deduplicate on ``event_id`` (see ``shared.inbox``). One relay per
service publishes at a time (a transaction-scoped advisory lock) so a case's events keep their order even with
several instances running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text, Uuid, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from shared.aio import wait_until_set
from shared.contracts import Event
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

EVENT_TYPE_HEADER = "sinergi-event-type"


def define_outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("message_key", Text, nullable=False),
        Column("payload", Text, nullable=False),
        Column("trace_context", JSONB, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("outbox_unpublished", "id", postgresql_where=Column("published_at").is_(None)),
    )


def outbox_row(event: Event) -> dict[str, Any]:
    """The row that queues ``event``, carrying the trace context of the code that raised it so the trace
    continues across the outbox into Kafka."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "topic": event.topic,
        "message_key": str(event.case_id),
        "payload": event.model_dump_json(),
        "trace_context": carrier,
    }


async def enqueue(session: AsyncSession, table: Table, events: list[Event]) -> None:
    if events:
        await session.execute(table.insert(), [outbox_row(event) for event in events])


class OutboxRelay:
    """Publishes a service's outbox to Kafka. ``wake()`` after a commit makes it publish at once; otherwise it
    polls, which also picks up rows left by an instance that died."""

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        broker: KafkaBroker,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.2,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._engine = engine
        self._table = table
        self._broker = broker
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._lock_id = zlib.crc32(f"outbox:{table.fullname}".encode())
        metrics = metrics or ServiceMetrics.create()
        self._published, self._failures = metrics.events_published, metrics.outbox_failures

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Publish for the service's lifetime, on a connection of the relay's own: taken from the service's pool
        once and kept, so that a pool busy with requests never holds back the events they committed."""
        failures = 0
        connection: AsyncConnection | None = None
        try:
            while True:
                # Cleared before looking, not after: a commit while a batch is being published wakes the relay
                # for its rows at once, rather than leaving them a whole poll interval.
                self._wakeup.clear()
                try:
                    connection = connection or await self._engine.connect()
                    published = await self._publish_batch_on(connection)
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - the relay must outlive broker and database outages
                    failures += 1
                    self._failures.inc()
                    log.warning("outbox relay failed (%s); retrying", type(error).__name__)
                    # The connection may be what failed (the database restarted): the next try takes a fresh one.
                    await _close_quietly(connection)
                    connection = None
                    await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                    continue
                if published < self._batch_size:
                    await wait_until_set(self._wakeup, self._poll_interval)
        finally:
            await _close_quietly(connection)

    async def publish_batch(self) -> int:
        """Publish up to one batch of unpublished rows in order; return how many were published."""
        async with self._engine.connect() as connection:
            return await self._publish_batch_on(connection)

    async def _publish_batch_on(self, connection: AsyncConnection) -> int:
        table = self._table
        async with connection.begin():
            if not await connection.scalar(select(func.pg_try_advisory_xact_lock(self._lock_id))):
                return 0
            rows = (
                await connection.execute(
                    select(table.c.id, table.c.event_type, table.c.topic, table.c.message_key, table.c.payload,
                           table.c.trace_context)
                    .where(table.c.published_at.is_(None))
                    .order_by(table.c.id)
                    .limit(self._batch_size)
                )
            ).all()
            if not rows:
                return 0
            pending = []
            for row in rows:
                token = otel_context.attach(propagate.extract(row.trace_context))
                try:
                    pending.append(
                        await self._broker.publish(
                            row.payload.encode(),
                            row.topic,
                            key=row.message_key.encode(),
                            headers={"content-type": "application/json", EVENT_TYPE_HEADER: row.event_type},
                            no_confirm=True,
                        )
                    )
                finally:
                    otel_context.detach(token)
            await asyncio.gather(*pending)
            await connection.execute(
                update(table).where(table.c.id.in_([row.id for row in rows])).values(published_at=func.now())
            )
        for row in rows:  # counted once marked published: a batch that failed is counted when it is published
            self._published.labels(topic=row.topic).inc()
        return len(rows)


async def _close_quietly(connection: AsyncConnection | None) -> None:
    """Give a connection back to the pool (a broken one is discarded); a failure to close changes nothing."""
    if connection is not None:
        with contextlib.suppress(Exception):
            await connection.close()
