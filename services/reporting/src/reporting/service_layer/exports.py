"""Exports: the cases of a period and region, one by one, for re-entry into SIMFONI-PPA."""

from __future__ import annotations

from reporting.adapters import case_listing
from reporting.domain.access import scoped_to_region
from reporting.domain.simfoni import SimfoniExport
from reporting.domain.statistics import StatsFilter
from shared.auth import Principal
from shared.unit_of_work import UnitOfWork


async def simfoni_export(principal: Principal, scope: StatsFilter, uow: UnitOfWork) -> SimfoniExport:
    """The cases of ``scope`` within the region the principal supervises (all of it when ``scope`` names none).

    An export lists cases one by one, so unlike the statistics there is no public version: asking beyond one's
    region raises OutsideRegionError. Row-level security holds the same line in the database."""
    region_scope = scoped_to_region(principal, scope)
    async with uow:  # read only: leaving without commit rolls back
        return SimfoniExport(region_scope, await case_listing.case_records(uow.session, region_scope))
