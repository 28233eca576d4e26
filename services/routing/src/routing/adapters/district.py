"""The queries behind a district's view: its referrals that are open or were accepted (the list and the workload),
and which of them breached a deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import ReferralRow, SlaTimerRow
from routing.domain.district import DistrictReferral
from routing.domain.referral_list import NO_DEADLINE, Scope
from routing.domain.referrals import ReferralStatus
from shared.contracts.vocabulary import Priority

REFERRALS: Table = ReferralRow.__table__  # type: ignore[attr-defined]
TIMERS: Table = SlaTimerRow.__table__  # type: ignore[attr-defined]
OPEN = [status.value for status in ReferralStatus if not status.is_done]


def _deadline(value: datetime) -> datetime | None:
    """Postgres' 'infinity' (no running deadline) reads as a naive ``datetime.max``."""
    return None if value.tzinfo is None or value == NO_DEADLINE else value


async def referrals(session: AsyncSession, scope: Scope) -> list[DistrictReferral]:
    """The scope's referrals that are open or were accepted, without their breaches (``breached`` fills them in).
    Row-level security applies as well."""
    columns = REFERRALS.c
    rows = await session.execute(
        select(columns.referral_id, columns.case_id, columns.case_number, columns.agency_id, columns.agency_name,
               columns.priority, columns.status, columns.is_lead, columns.rule, columns.created_at,
               columns.running_deadline, columns.accepted_at)
        .where(columns[scope.kind.value] == scope.value,
               or_(columns.status.in_(OPEN), columns.accepted_at.is_not(None)))
    )
    return [
        DistrictReferral(
            referral_id=row.referral_id, case_id=row.case_id, case_number=row.case_number,
            agency_id=row.agency_id, agency_name=row.agency_name, priority=Priority(row.priority),
            status=ReferralStatus(row.status), is_lead=row.is_lead, rule=row.rule, created_at=row.created_at,
            running_deadline=_deadline(row.running_deadline), breached=False, accepted_at=row.accepted_at,
        )
        for row in rows
    ]


async def breached(session: AsyncSession, referral_ids: Sequence[UUID]) -> set[UUID]:
    """Which of ``referral_ids`` had a deadline fire unmet (read as the service: callers read no timers)."""
    if not referral_ids:
        return set()
    rows = await session.execute(
        select(TIMERS.c.referral_id).where(TIMERS.c.referral_id.in_(referral_ids), TIMERS.c.outcome == "breached")
        .distinct())
    return set(rows.scalars())
