"""The reporter's codes (their slow hashes) and what the reporter's status page reads: the case's status and the
stage of each of its referrals. Read as the service: the public can read none of it under row-level security."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import CaseAccessRow, CaseRow, ReporterCodeRow

_codes = ReporterCodeRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
_cases = CaseRow.__table__  # type: ignore[attr-defined]
_access = CaseAccessRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CodedCase:
    case_id: UUID
    status: str
    code_hash: str


async def add_code(session: AsyncSession, case_id: UUID, code_hash: str, *, at: datetime) -> None:
    await session.execute(_codes.insert().values(case_id=case_id, code_hash=code_hash, created_at=at))


async def case_by_number(session: AsyncSession, case_number: str) -> CodedCase | None:
    """The case with this number and its code's hash; None if there is none, or it was given no code."""
    row = (await session.execute(
        select(_cases.c.case_id, _cases.c.status, _codes.c.code_hash)
        .join(_codes, _codes.c.case_id == _cases.c.case_id)
        .where(_cases.c.case_number == case_number)
    )).one_or_none()
    return None if row is None else CodedCase(row.case_id, row.status, row.code_hash)


async def referral_stages(session: AsyncSession, case_id: UUID) -> list[str | None]:
    return list((await session.execute(select(_access.c.stage).where(_access.c.case_id == case_id))).scalars())


async def set_stage(session: AsyncSession, referral_id: UUID, stage: str) -> None:
    await session.execute(update(_access).where(_access.c.referral_id == referral_id).values(stage=stage))
