"""The referral list's queries: one keyset range of the list's index per segment (``domain.referral_list``), and
the case facts each referral keeps for it."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    Table,
    Text,
    Uuid,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import FollowUpRow, ReferralRow
from routing.domain.cases import CaseToRoute
from routing.domain.referral_list import NO_DEADLINE, SEGMENTS, Cursor, Scope, ScopeKind

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
    statement, values = page_parts(scope, as_of=as_of, segments=segments, after=after, statuses=statuses, limit=limit)
    return [
        ListedReferral(**{**row._mapping, "running_deadline": _deadline(row.running_deadline)})
        for row in await session.execute(statement, values)
    ]


def _deadline(value: datetime) -> datetime:
    """asyncpg reads Postgres' 'infinity' as a naive ``datetime.max``; the domain's is UTC."""
    return NO_DEADLINE if value.tzinfo is None else value


def page_query(
    scope: Scope, *, as_of: datetime, segments: Sequence[int], after: Cursor | None, statuses: Sequence[str],
    limit: int,
) -> Select[Any]:
    """The statement of one page with its values bound (for EXPLAIN); ``page`` sends the values apart."""
    statement, values = page_parts(scope, as_of=as_of, segments=segments, after=after, statuses=statuses, limit=limit)
    return statement.params(values)


def page_parts(
    scope: Scope, *, as_of: datetime, segments: Sequence[int], after: Cursor | None, statuses: Sequence[str],
    limit: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of the page's shape (``page_statement``) and the values to bind into it."""
    shape = PageShape(scope.kind, tuple(segments), len(statuses), None if after is None else after.segment,
                      after is not None and after.deadline == NO_DEADLINE)
    values: dict[str, Any] = {"scope": scope.value, "as_of": as_of, "limit": limit}
    values.update({f"status_{n}": status for n, status in enumerate(statuses)})
    if after is not None:
        values["after_id"] = after.referral_id
        if not shape.after_no_deadline:
            values["after_deadline"] = after.deadline
    return page_statement(shape), values


class PageShape(NamedTuple):
    """What a page's statement depends on besides its values: the statement is built once for each."""

    kind: ScopeKind
    segments: tuple[int, ...]
    statuses: int  # how many statuses the filter names
    after_segment: int | None  # the cursor's range
    after_no_deadline: bool  # the cursor's last referral has no running deadline ('infinity': no value to bind)


@functools.lru_cache(maxsize=512)
def page_statement(shape: PageShape) -> Select[Any]:
    """A UNION ALL of one ordered, limited index range per segment from the cursor's on (never OFFSET), so a
    page reads at most ``limit`` rows of each range however long the list is. Filtered by status, one range per
    segment and status, of the index that leads with the status (0007): filtering one range of the other index
    would read, and drop, every referral of another status in it.

    Built once for each shape, its values bound at execution: building the union of up to 18 selects through
    SQLAlchemy took several milliseconds of CPU, more than the query itself."""
    start = shape.after_segment if shape.after_segment is not None else -1
    deadline = REFERRALS.c.running_deadline
    as_of = bindparam("as_of", type_=DateTime(timezone=True))
    limit = bindparam("limit", type_=Integer)
    each_status: Sequence[int | None] = range(shape.statuses) or [None]
    parts = []
    for index, status in itertools.product(shape.segments, each_status):
        if index < start:
            continue
        segment = SEGMENTS[index]
        query = select(*(REFERRALS.c[name] for name in _COLUMNS), literal(index).label("segment")).where(
            REFERRALS.c[shape.kind.value] == bindparam("scope", type_=Text),
            REFERRALS.c.priority == segment.priority.value,
            deadline < as_of if segment.overdue else deadline >= as_of,
        )
        if status is not None:
            query = query.where(REFERRALS.c.status == bindparam(f"status_{status}", type_=Text))
        if index == shape.after_segment:
            last_deadline: ColumnElement[datetime] = (
                literal_column("'infinity'::timestamptz") if shape.after_no_deadline
                else bindparam("after_deadline", type_=DateTime(timezone=True)))
            last = tuple_(last_deadline, bindparam("after_id", type_=Uuid))
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
