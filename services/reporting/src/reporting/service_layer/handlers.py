"""Reporting's use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from reporting import SERVICE
from reporting.adapters import audit_trail, projections, statistics
from reporting.domain import access
from reporting.domain.access import OutsideRegionError, scoped_to_region
from reporting.domain.disclosure import CaseTable, ReferralTable, case_table, referral_table
from reporting.domain.statistics import CaseStatsQuery, ReferralStatsQuery, StatsFilter
from shared.auth import Principal
from shared.contracts import Event, PersonalDataRead
from shared.unit_of_work import UnitOfWork

Query = TypeVar("Query", bound=StatsFilter)
Counted = TypeVar("Counted")
Shown = TypeVar("Shown")


async def project_event(event: Event, uow: UnitOfWork) -> None:
    """Apply an event to the read models, once however often it is delivered."""
    async with uow:
        if await uow.first_delivery(event, SERVICE):
            await projections.project(uow.session, event)
        await uow.commit()


# Inbox key of the audit consumer, apart from the case consumer's (each event is recorded once per consumer).
AUDIT_CONSUMER = f"{SERVICE}.audit"


async def record_personal_data_read(event: PersonalDataRead, uow: UnitOfWork) -> None:
    """Add a read of personal fields to the read trail, once however often the event is delivered."""
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


async def case_statistics(principal: Principal, query: CaseStatsQuery, uow: UnitOfWork) -> CaseTable:
    """Exact counts of the region the principal supervises; public (suppressed) counts otherwise."""
    return await _disclosed(principal, query, uow, statistics.count_cases, case_table)


async def referral_statistics(principal: Principal, query: ReferralStatsQuery, uow: UnitOfWork) -> ReferralTable:
    """Exact figures of the region the principal supervises; public (suppressed) figures otherwise."""
    return await _disclosed(principal, query, uow, statistics.referral_statistics, referral_table)


async def _disclosed(
    principal: Principal,
    query: Query,
    uow: UnitOfWork,
    count: Callable[[AsyncSession, Query], Awaitable[Counted]],
    disclose: Callable[..., Shown],
) -> Shown:
    async with uow:  # read only: leaving without commit rolls back, which is all a read needs
        await statistics.read_one_snapshot(uow.session)
        try:
            exact_query = scoped_to_region(principal, query)
        except OutsideRegionError:
            # Counted by the service over every case the query names; only suppressed figures leave here.
            async with uow.acting_as_service():
                return disclose(await count(uow.session, query), exact=False)
        return disclose(await count(uow.session, exact_query), exact=True)
