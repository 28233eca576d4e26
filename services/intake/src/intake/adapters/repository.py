"""Storing cases; personal fields are encrypted here, on the way in."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import CaseNumberCounter, CaseRow
from intake.domain.model import Case
from shared.crypto import FieldCipher


async def next_case_sequence(session: AsyncSession, regency_code: str, year: int) -> int:
    """The next number for a regency and year. The row lock of the upsert serialises concurrent reports, so
    no two cases get the same number."""
    table = CaseNumberCounter.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
    statement = (
        insert(table)
        .values(regency_code=regency_code, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=["regency_code", "year"], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    return int((await session.execute(statement)).scalar_one())


def add_case(session: AsyncSession, case: Case, cipher: FieldCipher) -> None:
    report = case.report
    session.add(
        CaseRow(
            case_id=case.case_id,
            case_number=case.case_number,
            province_code=report.province_code,
            regency_code=report.regency_code,
            violence_types=[v.value for v in report.violence_types],
            victim_sex=report.victim.sex.value,
            victim_age=report.victim.age,
            channel=report.channel.value,
            narrative_ciphertext=cipher.encrypt(report.narrative, case_id=case.case_id, field="narrative"),
            reported_at=case.reported_at,
        )
    )
