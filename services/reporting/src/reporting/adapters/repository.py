"""Storing case facts. Each insert is ON CONFLICT DO NOTHING: the inbox already stops a redelivered event, and
this also stops a second event about the same case (a different event_id) from counting it twice."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import CaseFactsRow, CaseViolenceTypeRow
from reporting.domain.facts import CaseFacts

# SQLModel sets __table__ when it creates the class, out of mypy's sight.
case_facts: Table = CaseFactsRow.__table__  # type: ignore[attr-defined]
case_violence_types: Table = CaseViolenceTypeRow.__table__  # type: ignore[attr-defined]


async def add_case_facts(session: AsyncSession, facts: CaseFacts) -> bool:
    """Record ``facts``; False if the case was already recorded (its first facts stand)."""
    inserted = await session.execute(
        insert(case_facts)
        .values(
            case_id=facts.case_id,
            case_number=facts.case_number,
            province_code=facts.province_code,
            regency_code=facts.regency_code,
            victim_sex=facts.victim_sex.value,
            victim_age_group=facts.victim_age_group.value,
            channel=facts.channel.value,
            reported_at=facts.reported_at,
        )
        .on_conflict_do_nothing(index_elements=["case_id"])
        .returning(case_facts.c.case_id)
    )
    if inserted.first() is None:
        return False
    await session.execute(
        insert(case_violence_types).on_conflict_do_nothing(),
        [{"case_id": facts.case_id, "violence_type": violence.value} for violence in facts.violence_types],
    )
    return True
