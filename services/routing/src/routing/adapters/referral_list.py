"""The referral list's queries: one keyset range of the list's index per segment (``domain.referral_list``), and
the case facts each referral keeps for it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, Table, false, func, literal, literal_column, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import FollowUpRow, ReferralRow
from routing.domain.cases import CaseToRoute
from routing.domain.referral_list import NO_DEADLINE, SEGMENTS, Cursor, Scope

REFERRALS: Table = ReferralRow.__table__  # type: ignore[attr-defined]
FOLLOW_UPS: Table = FollowUpRow.__table__  # type: ignore[attr-defined]
_COLUMNS = ("referral_id", "case_id", "case_number", "agency_id", "priority", "province_code", "regency_code",
            "violence_types", "status", "is_lead", "created_at", "accept_by", "first_service_by", "running_deadline")


def case_facts(case: CaseToRoute) -> dict[str, Any]:
    """The columns of a referral that come from its case."""
    return {"case_number": case.case_number, "priority": case.priority.value,
            "violence_types": [v.value for v in case.violence_types]}


async def update_case_facts(session: AsyncSession, case: CaseToRoute) -> None:
    """Keep the case's latest facts on each of its referrals (a corrected priority reorders the list)."""
    await session.execute(REFERRALS.update().where(REFERRALS.c.case_id == case.case_id).values(**case_facts(case)))


@dataclass(frozen=True)
class ListedReferral:
    referral_id: UUID
    case_id: UUID
    case_number: str | None
    agency_id: str
    priority: str
    province_code: str
    regency_code: str
    violence_types: list[str]
    status: str
    is_lead: bool
    created_at: datetime
    accept_by: datetime | None
    first_service_by: datetime | None
    running_deadline: datetime
    segment: int


async def page(
    session: AsyncSession, scope: Scope, *, as_of: datetime, segments: Sequence[int], after: Cursor | None,
    statuses: Sequence[str], limit: int,
) -> list[ListedReferral]:
    """Up to ``limit`` referrals of ``scope`` in the list's order, after ``after``. Row-level security applies
    as well."""
    query = page_query(scope, as_of=as_of, segments=segments, after=after, statuses=statuses, limit=limit)
    return [
        ListedReferral(**{**row._mapping, "running_deadline": _deadline(row.running_deadline)})
        for row in await session.execute(query)
    ]


def _deadline(value: datetime) -> datetime:
    """asyncpg reads Postgres' 'infinity' as a naive ``datetime.max``; the domain's is UTC."""
    return NO_DEADLINE if value.tzinfo is None else value


def _deadline_parameter(value: datetime) -> ColumnElement[datetime]:
    return literal_column("'infinity'::timestamptz") if value == NO_DEADLINE else literal(value)


def page_query(
    scope: Scope, *, as_of: datetime, segments: Sequence[int], after: Cursor | None, statuses: Sequence[str],
    limit: int,
) -> Select[Any]:
    """A UNION ALL of one ordered, limited index range per segment from the cursor's on (never OFFSET), so a
    page reads at most ``limit`` rows of each range however long the list is. Filtered by status, one range per
    segment and status, of the index that leads with the status (0007): filtering one range of the other index
    would read, and drop, every referral of another status in it."""
    start = after.segment if after is not None else -1
    parts = []
    each_status: Sequence[str | None] = statuses or [None]
    for index, status in itertools.product(segments, each_status):
        if index < start:
            continue
        segment = SEGMENTS[index]
        deadline = REFERRALS.c.running_deadline
        query = select(*(REFERRALS.c[name] for name in _COLUMNS), literal(index).label("segment")).where(
            REFERRALS.c[scope.kind.value] == scope.value,
            REFERRALS.c.priority == segment.priority.value,
            deadline < as_of if segment.overdue else deadline >= as_of,
        )
        if status is not None:
            query = query.where(REFERRALS.c.status == status)
        if after is not None and index == after.segment:
            last = tuple_(_deadline_parameter(after.deadline), after.referral_id)
            query = query.where(tuple_(deadline, REFERRALS.c.referral_id) > last)
        parts.append(query.order_by(deadline, REFERRALS.c.referral_id).limit(limit).subquery().select())
    if not parts:  # a filter no segment meets: an empty answer, in the same shape
        parts.append(select(*(REFERRALS.c[name] for name in _COLUMNS), literal(0).label("segment")).where(false()))
    combined = union_all(*parts).subquery()
    return select(combined).order_by(combined.c.segment, combined.c.running_deadline, combined.c.referral_id).limit(
        limit)


async def next_follow_ups(session: AsyncSession, referral_ids: Sequence[UUID]) -> dict[UUID, datetime]:
    """The earliest follow-up not done of each referral that has one (only those the caller may see)."""
    if not referral_ids:
        return {}
    rows = await session.execute(
        select(FOLLOW_UPS.c.referral_id, func.min(FOLLOW_UPS.c.due_at).label("due"))
        .where(FOLLOW_UPS.c.referral_id.in_(referral_ids), FOLLOW_UPS.c.done_at.is_(None))
        .group_by(FOLLOW_UPS.c.referral_id)
    )
    return {row.referral_id: row.due for row in rows}
