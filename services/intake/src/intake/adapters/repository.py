"""Storing cases; personal fields are encrypted here, on the way in, each bound to its case and field.

Every query runs under the unit of work's access context, so row-level security has already dropped what the
caller may not see before any row reaches Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import CaseAccessRow, CaseNumberCounter, CasePersonalFieldRow, CaseRow
from intake.domain.access import CaseScope, PersonalField
from intake.domain.model import Case
from shared.contracts import ReferralCreated
from shared.crypto import FieldCipher

_cases = CaseRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
_personal = CasePersonalFieldRow.__table__  # type: ignore[attr-defined]
_access = CaseAccessRow.__table__  # type: ignore[attr-defined]
_counters = CaseNumberCounter.__table__  # type: ignore[attr-defined]


async def next_case_sequence(session: AsyncSession, regency_code: str, year: int) -> int:
    """The next number for a regency and year. The row lock of the upsert serialises concurrent reports, so
    no two cases get the same number."""
    statement = (
        insert(_counters)
        .values(regency_code=regency_code, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=["regency_code", "year"], set_={"last_number": _counters.c.last_number + 1}
        )
        .returning(_counters.c.last_number)
    )
    return int((await session.execute(statement)).scalar_one())


async def add_case(session: AsyncSession, case: Case, cipher: FieldCipher) -> None:
    report = case.report
    # Plain INSERTs (no RETURNING): the public may add a case it is not allowed to read back.
    await session.execute(
        _cases.insert().values(
            case_id=case.case_id,
            case_number=case.case_number,
            province_code=report.province_code,
            regency_code=report.regency_code,
            violence_types=[v.value for v in report.violence_types],
            victim_sex=report.victim.sex.value,
            victim_age=report.victim.age,
            channel=report.channel.value,
            reported_at=case.reported_at,
            recorded_by=report.recorded_by,
        )
    )
    await session.execute(
        _personal.insert(),
        [
            {
                "case_id": case.case_id,
                "field": name.value,
                "ciphertext": cipher.encrypt(value, case_id=case.case_id, field=name.value),
            }
            for name, value in report.personal_fields().items()
        ],
    )


@dataclass(frozen=True)
class CaseRecord:
    """A case as stored, with its personal fields still encrypted."""

    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    violence_types: tuple[str, ...]
    victim_sex: str
    victim_age: int | None
    channel: str
    reported_at: datetime
    scope: CaseScope
    ciphertexts: dict[PersonalField, str] = field(default_factory=dict, repr=False)


def _record(row: CaseRow, referred_to: dict[str, str], ciphertexts: dict[PersonalField, str]) -> CaseRecord:
    return CaseRecord(
        case_id=row.case_id,
        case_number=row.case_number,
        province_code=row.province_code,
        regency_code=row.regency_code,
        violence_types=tuple(row.violence_types),
        victim_sex=row.victim_sex,
        victim_age=row.victim_age,
        channel=row.channel,
        reported_at=row.reported_at,
        scope=CaseScope(row.province_code, row.regency_code, row.recorded_by, referred_to),
        ciphertexts=ciphertexts,
    )


async def get_case(session: AsyncSession, case_id: UUID) -> CaseRecord | None:
    row = (await session.execute(select(_cases).where(_cases.c.case_id == case_id))).one_or_none()
    if row is None:
        return None
    access = await session.execute(
        select(_access.c.agency_id, _access.c.agency_type).where(_access.c.case_id == case_id)
    )
    personal = await session.execute(
        select(_personal.c.field, _personal.c.ciphertext).where(_personal.c.case_id == case_id)
    )
    return _record(
        row,  # type: ignore[arg-type]  # a Row with CaseRow's columns
        {a.agency_id: a.agency_type for a in access},
        {PersonalField(p.field): p.ciphertext for p in personal},
    )


async def list_cases(session: AsyncSession, *, limit: int) -> list[CaseRecord]:
    """The newest cases the caller may see, without personal fields."""
    rows = (await session.execute(select(_cases).order_by(_cases.c.reported_at.desc()).limit(limit))).all()
    access: dict[UUID, dict[str, str]] = {}
    if rows:
        granted = await session.execute(
            select(_access.c.case_id, _access.c.agency_id, _access.c.agency_type).where(
                _access.c.case_id.in_([row.case_id for row in rows])
            )
        )
        for grant in granted:
            access.setdefault(grant.case_id, {})[grant.agency_id] = grant.agency_type
    return [_record(row, access.get(row.case_id, {}), {}) for row in rows]  # type: ignore[arg-type]


async def grant_access(session: AsyncSession, referral: ReferralCreated) -> None:
    """The agency a case was referred to may now read it; a repeated referral changes nothing."""
    await session.execute(
        insert(_access)
        .values(
            case_id=referral.case_id,
            agency_id=referral.agency_id,
            agency_type=referral.agency_type,
            referral_id=referral.referral_id,
            referred_at=referral.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["case_id", "agency_id"])
    )
