"""Storing and reading the per-case audit trail (``reporting.domain.audit_chain``): the records, append-only
(a trigger refuses UPDATE and DELETE, migration 0004), and each case's chain head.

A record and its head move together in the consumer's transaction. The head row is locked first, so the
consumers of the four topics take turns on one case and each record chains to the one committed before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, Integer, Table, Text, Uuid, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field

from reporting.adapters.tables import ReportingTable
from reporting.domain.audit_chain import GENESIS_HASH, AuditRecord, ChainHead, chained_record
from shared.contracts import Event


class CaseAuditRecordRow(ReportingTable, table=True):
    """One event of a case's trail, chained to the one before by ``prev_hash``."""

    __tablename__ = "case_audit_records"

    case_id: UUID = Field(sa_column=Column(Uuid, primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    event_id: UUID = Field(sa_column=Column(Uuid, nullable=False, unique=True))
    event_type: str = Field(sa_type=Text)
    schema_version: int = Field(sa_type=Integer)
    producer: str = Field(sa_type=Text)
    topic: str = Field(sa_type=Text)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # When reporting recorded it; not in the hash (the database sets it).
    recorded_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    actor_user_id: str | None = Field(default=None, sa_type=Text)
    agency_id: str | None = Field(default=None, sa_type=Text)
    details: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    prev_hash: str = Field(sa_type=Text)
    hash: str = Field(sa_type=Text)


class CaseAuditHeadRow(ReportingTable, table=True):
    """Where a case's chain ends: the last record's seq and hash."""

    __tablename__ = "case_audit_heads"

    case_id: UUID = Field(primary_key=True)
    last_seq: int = Field(sa_type=Integer)
    last_hash: str = Field(sa_type=Text)


case_audit_records: Table = CaseAuditRecordRow.__table__  # type: ignore[attr-defined]
case_audit_heads: Table = CaseAuditHeadRow.__table__  # type: ignore[attr-defined]

_RECORD_COLUMNS = [case_audit_records.c[name] for name in AuditRecord.__dataclass_fields__]


async def append(session: AsyncSession, event: Event, topic: str) -> AuditRecord | None:
    """Add ``event`` at the end of its case's chain; None if it is in the trail already."""
    heads = case_audit_heads
    await session.execute(
        insert(heads).values(case_id=event.case_id, last_seq=0, last_hash=GENESIS_HASH).on_conflict_do_nothing()
    )
    head = (await session.execute(
        select(heads.c.last_seq, heads.c.last_hash).where(heads.c.case_id == event.case_id).with_for_update()
    )).one()
    # Besides the inbox: an event is recorded once even if the inbox were ever emptied and the topics replayed.
    known = select(case_audit_records.c.seq).where(case_audit_records.c.event_id == event.event_id)
    if (await session.execute(known)).first() is not None:
        return None
    record = chained_record(event, topic=topic, seq=head.last_seq + 1, prev_hash=head.last_hash)
    await session.execute(insert(case_audit_records).values(**_row(record)))
    await session.execute(
        update(heads).where(heads.c.case_id == event.case_id).values(last_seq=record.seq, last_hash=record.hash)
    )
    return record


def _row(record: AuditRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AuditRecord.__dataclass_fields__}


def _record(row: Any) -> AuditRecord:
    return AuditRecord(**{name: row._mapping[name] for name in AuditRecord.__dataclass_fields__})


@dataclass(frozen=True)
class TrailEntry:
    """A record as stored, with when reporting recorded it."""

    record: AuditRecord
    recorded_at: datetime


async def records_of_case(session: AsyncSession, case_id: UUID) -> list[TrailEntry]:
    table = case_audit_records
    rows = await session.execute(
        select(*_RECORD_COLUMNS, table.c.recorded_at).where(table.c.case_id == case_id).order_by(table.c.seq)
    )
    return [TrailEntry(_record(row), row.recorded_at) for row in rows]


async def chains(
    session: AsyncSession, *, batch_size: int
) -> AsyncIterator[tuple[list[AuditRecord], ChainHead | None]]:
    """Every case's chain: its records in seq order and its head. First the cases whose head is gone, then
    every head in case_id order with its records, ``batch_size`` cases at a time (by the heads' primary key)."""
    records, heads = case_audit_records, case_audit_heads
    headless = (
        select(records.c.case_id).distinct()
        .where(~select(heads.c.case_id).where(heads.c.case_id == records.c.case_id).exists())
        .order_by(records.c.case_id)
    )
    for case_id in list((await session.execute(headless)).scalars()):
        yield await _records_of(session, [case_id]), None
    after: UUID | None = None
    while True:
        batch_query = select(heads).order_by(heads.c.case_id).limit(batch_size)
        if after is not None:
            batch_query = batch_query.where(heads.c.case_id > after)
        batch = [ChainHead(row.case_id, row.last_seq, row.last_hash) for row in await session.execute(batch_query)]
        if not batch:
            return
        by_case: dict[UUID, list[AuditRecord]] = {head.case_id: [] for head in batch}
        for record in await _records_of(session, list(by_case)):
            by_case[record.case_id].append(record)
        for head in batch:
            yield by_case[head.case_id], head
        after = batch[-1].case_id


async def _records_of(session: AsyncSession, case_ids: list[UUID]) -> list[AuditRecord]:
    table = case_audit_records
    rows = await session.execute(
        select(*_RECORD_COLUMNS).where(table.c.case_id.in_(case_ids)).order_by(table.c.case_id, table.c.seq)
    )
    return [_record(row) for row in rows]


async def head_of_case(session: AsyncSession, case_id: UUID) -> ChainHead | None:
    heads = case_audit_heads
    row = (await session.execute(select(heads).where(heads.c.case_id == case_id))).first()
    return ChainHead(row.case_id, row.last_seq, row.last_hash) if row else None
