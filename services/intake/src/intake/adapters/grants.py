"""Storing each referral's grant (``intake.domain.access.Grant``): one row of ``intake.case_access`` per
referral."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import CaseAccessRow, CaseRow
from intake.domain.access import Grant
from shared.referral_access import ReferralAccess

_access = CaseAccessRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
_cases = CaseRow.__table__  # type: ignore[attr-defined]


def _grant(row: Any) -> Grant:
    return Grant(
        referral_id=row.referral_id, agency_id=row.agency_id, agency_type=row.agency_type, is_lead=row.is_lead,
        access=ReferralAccess(row.access), since=row.access_since, read_until=row.read_until, consented=row.consented,
    )


async def grants_of(session: AsyncSession, case_ids: list[UUID]) -> dict[UUID, tuple[Grant, ...]]:
    """The referrals of each case the session may see (an agency: its own)."""
    found: dict[UUID, list[Grant]] = {}
    if case_ids:
        for row in await session.execute(select(_access).where(_access.c.case_id.in_(case_ids))):
            found.setdefault(row.case_id, []).append(_grant(row))
    return {case_id: tuple(grants) for case_id, grants in found.items()}


async def case_consent(session: AsyncSession, case_id: UUID) -> frozenset[str] | None:
    """The agency types the case's consent covers, or None for a case intake does not hold."""
    facts = (await session.execute(select(_cases.c.facts).where(_cases.c.case_id == case_id))).scalar_one_or_none()
    return None if facts is None else frozenset(facts["consent"]["agency_types"])


async def add_grant(session: AsyncSession, case_id: UUID, grant: Grant, *, referred_at: datetime) -> None:
    """A new referral's grant; a repeated referral changes nothing."""
    await session.execute(
        insert(_access)
        .values(case_id=case_id, referred_at=referred_at, **_grant_columns(grant),
                agency_id=grant.agency_id, agency_type=grant.agency_type, is_lead=grant.is_lead)
        .on_conflict_do_nothing(index_elements=["referral_id"])
    )


def _grant_columns(grant: Grant) -> dict[str, Any]:
    return {
        "referral_id": grant.referral_id, "access": grant.access.value, "access_since": grant.since,
        "read_until": grant.read_until, "consented": grant.consented,
    }


async def get_grant(session: AsyncSession, referral_id: UUID) -> Grant | None:
    row = (
        await session.execute(select(_access).where(_access.c.referral_id == referral_id).with_for_update())
    ).one_or_none()
    return None if row is None else _grant(row)


async def save_grants(session: AsyncSession, grants: tuple[Grant, ...]) -> None:
    """Store the changed state of existing grants."""
    for grant in grants:
        columns = _grant_columns(grant)
        referral = _access.c.referral_id == columns.pop("referral_id")
        await session.execute(update(_access).where(referral).values(**columns))
