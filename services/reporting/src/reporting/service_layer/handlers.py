"""Reporting's use cases."""

from __future__ import annotations

from uuid import UUID

from reporting import SERVICE
from reporting.adapters import audit_trail, repository, statistics
from reporting.domain import access
from reporting.domain.facts import CaseFacts
from reporting.domain.statistics import CaseStatistics, CaseStatsQuery
from shared.auth import Principal
from shared.contracts import CaseReported, PersonalDataRead
from shared.unit_of_work import UnitOfWork


async def record_case_reported(event: CaseReported, uow: UnitOfWork) -> None:
    """Add a reported case to the statistics, once however often the event is delivered."""
    async with uow:
        if not await uow.first_delivery(event, SERVICE):
            return
        await repository.add_case_facts(uow.session, CaseFacts.from_event(event))
        await uow.commit()


# Inbox key of the audit consumer, apart from the case consumer's (each event is recorded once per consumer).
AUDIT_CONSUMER = f"{SERVICE}.audit"


async def record_personal_data_read(event: PersonalDataRead, uow: UnitOfWork) -> None:
    """Add a read of personal fields to the audit trail, once however often the event is delivered."""
    async with uow:
        if await uow.first_delivery(event, AUDIT_CONSUMER):
            await audit_trail.add_read(uow.session, event)
        await uow.commit()


async def reads_of_case(
    principal: Principal, case_id: UUID, uow: UnitOfWork, *, limit: int
) -> list[audit_trail.RecordedRead] | None:
    """The case's read trail, or None if the principal may not audit that case (outside their region)."""
    async with uow:
        region = await audit_trail.case_region(uow.session, case_id)
        if region is None or not access.may_audit(principal, *region):
            return None
        return await audit_trail.reads_of_case(uow.session, case_id, limit=limit)


async def case_statistics(query: CaseStatsQuery, uow: UnitOfWork) -> CaseStatistics:
    async with uow:  # read only: leaving without commit rolls back, which is all a read needs
        return await statistics.count_cases(uow.session, query)
