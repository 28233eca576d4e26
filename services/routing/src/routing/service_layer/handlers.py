"""Routing's use cases."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from routing.adapters import repository
from routing.domain.agencies import Agency
from shared.contracts.vocabulary import AgencyType, Need
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def update_directory(agencies: Sequence[Agency], uow: UnitOfWork) -> int:
    async with uow:
        upserted = await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()
    return upserted


async def list_agencies(
    uow: UnitOfWork,
    *,
    province_code: str | None = None,
    regency_code: str | None = None,
    agency_type: AgencyType | None = None,
    service: Need | None = None,
) -> list[Agency]:
    async with uow:
        return await repository.list_agencies(
            uow.session, province_code=province_code, regency_code=regency_code, agency_type=agency_type,
            service=service,
        )


async def get_agency(uow: UnitOfWork, agency_id: str) -> Agency | None:
    async with uow:
        return await repository.get_agency(uow.session, agency_id)


async def put_agency(agency: Agency, uow: UnitOfWork) -> bool:
    """Create or replace one agency; True if it is new."""
    async with uow:
        created = await repository.put_agency(uow.session, agency)
        await uow.commit()
    return created


async def deactivate_agency(agency_id: str, uow: UnitOfWork) -> Agency | None:
    """Take an agency out of service without deleting it (referrals name it); None if there is none."""
    async with uow:
        agency = await repository.deactivate_agency(uow.session, agency_id)
        await uow.commit()
    if agency is not None:
        log.info("agency %s deactivated", agency.agency_id)
    return agency
