"""Reading and writing follow-ups; the note is encrypted here and decrypted only for the use case that shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import FollowUpRow
from routing.domain.follow_ups import NOTE_FIELD, FollowUp
from shared.crypto import FieldCipher

FOLLOW_UPS: Table = FollowUpRow.__table__  # type: ignore[attr-defined]


async def add(session: AsyncSession, follow_up: FollowUp, *, cipher: FieldCipher) -> None:
    note = cipher.encrypt(follow_up.note, case_id=follow_up.follow_up_id, field=NOTE_FIELD)
    await session.execute(FOLLOW_UPS.insert().values(
        follow_up_id=follow_up.follow_up_id, referral_id=follow_up.referral_id, agency_id=follow_up.agency_id,
        due_at=follow_up.due_at, note_ciphertext=note, created_by=follow_up.created_by,
        created_at=follow_up.created_at,
    ))


async def of_referral(session: AsyncSession, referral_id: UUID, *, cipher: FieldCipher) -> list[FollowUp]:
    """The referral's follow-ups, soonest due first."""
    rows = await session.execute(
        select(FOLLOW_UPS).where(FOLLOW_UPS.c.referral_id == referral_id)
        .order_by(FOLLOW_UPS.c.due_at, FOLLOW_UPS.c.follow_up_id)
    )
    return [_follow_up(row, cipher) for row in rows]


async def get(session: AsyncSession, referral_id: UUID, follow_up_id: UUID, *, cipher: FieldCipher) -> FollowUp | None:
    row = (await session.execute(
        select(FOLLOW_UPS).where(FOLLOW_UPS.c.follow_up_id == follow_up_id, FOLLOW_UPS.c.referral_id == referral_id)
        .with_for_update()
    )).one_or_none()
    return None if row is None else _follow_up(row, cipher)


async def save_done(session: AsyncSession, follow_up: FollowUp) -> None:
    await session.execute(
        FOLLOW_UPS.update().where(FOLLOW_UPS.c.follow_up_id == follow_up.follow_up_id)
        .values(done_at=follow_up.done_at, done_by=follow_up.done_by)
    )


def _follow_up(row: Any, cipher: FieldCipher) -> FollowUp:
    return FollowUp(
        follow_up_id=row.follow_up_id, referral_id=row.referral_id, agency_id=row.agency_id, due_at=row.due_at,
        note=cipher.decrypt(row.note_ciphertext, case_id=row.follow_up_id, field=NOTE_FIELD),
        created_by=row.created_by, created_at=row.created_at, done_at=row.done_at, done_by=row.done_by,
    )


# -- the timer ------------------------------------------------------------------------------------------------


async def claim_due(session: AsyncSession, now: datetime, *, limit: int) -> list[tuple[UUID, UUID, str, datetime]]:
    """Due follow-ups not done and not yet announced, locked for this transaction (SKIP LOCKED: two routing
    instances never announce the same one): follow-up id, referral id, agency id, due time."""
    rows = await session.execute(
        select(FOLLOW_UPS.c.follow_up_id, FOLLOW_UPS.c.referral_id, FOLLOW_UPS.c.agency_id, FOLLOW_UPS.c.due_at)
        .where(FOLLOW_UPS.c.done_at.is_(None), FOLLOW_UPS.c.fired_at.is_(None), FOLLOW_UPS.c.due_at <= now)
        .order_by(FOLLOW_UPS.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(row.follow_up_id, row.referral_id, row.agency_id, row.due_at) for row in rows]


async def mark_fired(session: AsyncSession, follow_up_id: UUID, at: datetime) -> None:
    await session.execute(
        FOLLOW_UPS.update().where(FOLLOW_UPS.c.follow_up_id == follow_up_id).values(fired_at=at)
    )
