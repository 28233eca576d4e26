"""Storing and reading the read audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import case_facts, personal_data_reads
from shared.contracts import PersonalDataRead


async def add_read(session: AsyncSession, event: PersonalDataRead) -> None:
    await session.execute(
        insert(personal_data_reads)
        .values(
            event_id=event.event_id,
            case_id=event.case_id,
            actor_user_id=event.actor_user_id,
            actor_agency_id=event.actor_agency_id,
            actor_roles=list(event.actor_roles),
            fields=list(event.fields),
            endpoint=event.endpoint,
            occurred_at=event.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
    )


@dataclass(frozen=True)
class RecordedRead:
    """One row of the trail, as plain data (it outlives the transaction that read it)."""

    event_id: UUID
    case_id: UUID
    actor_user_id: str
    actor_agency_id: str | None
    actor_roles: list[str]
    fields: list[str]
    endpoint: str
    occurred_at: datetime


async def reads_of_case(session: AsyncSession, case_id: UUID, *, limit: int) -> list[RecordedRead]:
    table = personal_data_reads
    rows = await session.execute(
        select(table).where(table.c.case_id == case_id).order_by(table.c.occurred_at).limit(limit)
    )
    return [RecordedRead(**row._asdict()) for row in rows]


async def case_region(session: AsyncSession, case_id: UUID) -> tuple[str, str] | None:
    """The (province, regency) of a counted case, if the acting principal may see it at all."""
    query = select(case_facts.c.province_code, case_facts.c.regency_code).where(case_facts.c.case_id == case_id)
    row = (await session.execute(query)).first()
    return (row.province_code, row.regency_code) if row else None


async def cases_numbered(session: AsyncSession, case_number: str) -> list[tuple[UUID, str]]:
    """(case_id, case_number) of the counted cases with this number that the acting principal may see."""
    query = select(case_facts.c.case_id, case_facts.c.case_number).where(case_facts.c.case_number == case_number)
    return [(row.case_id, row.case_number) for row in await session.execute(query.order_by(case_facts.c.case_id))]
