"""Storing the gateways' messages as drafts; the sender and the text are encrypted here, on the way in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import MessageDraftRow
from shared.crypto import FieldCipher

_drafts = MessageDraftRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation



@dataclass(frozen=True)
class DraftRecord:
    draft_id: UUID
    gateway: str
    received_at: datetime
    status: str
    case_id: UUID | None
    sender_ciphertext: str = field(repr=False)
    text_ciphertext: str = field(repr=False)


async def add_draft(
    session: AsyncSession, *, draft_id: UUID, gateway: str, message_id: str, received_at: datetime,
    sender: str, text: str, cipher: FieldCipher,
) -> UUID:
    """Store a gateway message as a draft, once per gateway message id; the id of the draft holding it."""
    inserted = await session.execute(
        insert(_drafts)
        .values(
            draft_id=draft_id, gateway=gateway, gateway_message_id=message_id, received_at=received_at,
            sender_ciphertext=cipher.encrypt(sender, case_id=draft_id, field="sender"),
            text_ciphertext=cipher.encrypt(text, case_id=draft_id, field="text"),
        )
        .on_conflict_do_nothing(constraint="message_drafts_once")
        .returning(_drafts.c.draft_id)
    )
    new = inserted.scalar_one_or_none()
    if new is not None:
        return UUID(str(new))
    existing = await session.execute(
        select(_drafts.c.draft_id).where(_drafts.c.gateway == gateway, _drafts.c.gateway_message_id == message_id)
    )
    return UUID(str(existing.scalar_one()))


def _draft(row: Any) -> DraftRecord:
    return DraftRecord(
        draft_id=row.draft_id, gateway=row.gateway, received_at=row.received_at, status=row.status,
        case_id=row.case_id, sender_ciphertext=row.sender_ciphertext, text_ciphertext=row.text_ciphertext,
    )


async def list_drafts(session: AsyncSession, *, status: str, limit: int) -> list[DraftRecord]:
    rows = await session.execute(
        select(_drafts).where(_drafts.c.status == status).order_by(_drafts.c.received_at).limit(limit)
    )
    return [_draft(row) for row in rows]


async def get_draft(session: AsyncSession, draft_id: UUID, *, for_update: bool = False) -> DraftRecord | None:
    query = select(_drafts).where(_drafts.c.draft_id == draft_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return None if row is None else _draft(row)


async def complete_draft(session: AsyncSession, draft_id: UUID, *, case_id: UUID, by: str) -> None:
    await session.execute(
        update(_drafts)
        .where(_drafts.c.draft_id == draft_id)
        .values(status="completed", case_id=case_id, completed_by=by)
    )
