"""Reading a case's updates (its notes and corrections) with who made each, for ``GET /v1/cases/{id}/notes``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import CaseUpdateRow

_updates = CaseUpdateRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation


@dataclass(frozen=True)
class UpdateRecord:
    update_id: UUID
    kind: str
    changed_fields: tuple[str, ...]
    author_user_id: str
    author_agency_id: str | None
    written_at: datetime


async def updates_of_case(session: AsyncSession, case_id: UUID) -> list[UpdateRecord]:
    """The case's updates, oldest first (row-level security: only a case the caller may see)."""
    rows = await session.execute(
        select(_updates).where(_updates.c.case_id == case_id).order_by(_updates.c.updated_at, _updates.c.update_id)
    )
    return [
        UpdateRecord(row.update_id, row.kind, tuple(row.changed_fields), row.updated_by, row.updated_by_agency,
                     row.updated_at)
        for row in rows
    ]
