"""Idempotent inbox: a consumer records each processed ``event_id`` in its own schema, in the same transaction
as the event's effects, so a redelivered event changes nothing."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def define_inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def first_delivery(
    session: AsyncSession, table: Table, *, consumer: str, event_id: UUID, event_type: str
) -> bool:
    """Claim ``event_id`` for ``consumer``; False means it was processed before and must be skipped."""
    claimed = await session.execute(
        insert(table)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return claimed.first() is not None
