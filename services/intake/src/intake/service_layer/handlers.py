"""Intake's use cases."""

from __future__ import annotations

from uuid import uuid4

from intake.adapters import repository
from intake.domain.model import Case, Report, case_number
from shared.contracts.base import utc_now
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


async def submit_report(report: Report, uow: UnitOfWork, cipher: FieldCipher) -> Case:
    """Open a case for ``report``: the case, its number and its ``case.reported`` event in one transaction."""
    reported_at = utc_now()
    async with uow:
        sequence = await repository.next_case_sequence(uow.session, report.regency_code, reported_at.year)
        case = Case(uuid4(), case_number(report.regency_code, reported_at.year, sequence), report, reported_at)
        repository.add_case(uow.session, case, cipher)
        uow.emit(case.reported_event())
        await uow.commit()
    return case
