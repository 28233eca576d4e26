"""Reporting's use cases."""

from __future__ import annotations

from reporting import SERVICE
from reporting.adapters import repository, statistics
from reporting.domain.facts import CaseFacts
from reporting.domain.statistics import CaseStatistics, CaseStatsQuery
from shared.contracts import CaseReported
from shared.unit_of_work import UnitOfWork


async def record_case_reported(event: CaseReported, uow: UnitOfWork) -> None:
    """Add a reported case to the statistics, once however often the event is delivered."""
    async with uow:
        if not await uow.first_delivery(event, SERVICE):
            return
        await repository.add_case_facts(uow.session, CaseFacts.from_event(event))
        await uow.commit()


async def case_statistics(query: CaseStatsQuery, uow: UnitOfWork) -> CaseStatistics:
    async with uow:  # read only: leaving without commit rolls back, which is all a read needs
        return await statistics.count_cases(uow.session, query)
