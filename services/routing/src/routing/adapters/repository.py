"""Reading and writing the agency directory (referrals: ``adapters.referrals``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from routing.adapters.tables import AgencyRow
from routing.domain.agencies import Agency, AgencyLevel, OpeningHours, TimeZone
from shared.contracts.vocabulary import AgencyType, Need

# SQLModel sets ``__table__`` at class creation.
AGENCIES: Table = AgencyRow.__table__  # type: ignore[attr-defined]

# Stays well under Postgres' 32767 bind parameters per statement.
_UPSERT_BATCH = 500
_DIRECTORY_FIELDS = (
    "name", "alternate_name", "agency_type", "level", "province_code", "regency_code", "district_code",
    "village_code", "services", "email", "phone", "whatsapp", "address", "hours", "time_zone", "active",
)


def _agency_values(agency: Agency) -> dict[str, Any]:
    return {
        "agency_id": agency.agency_id,
        "name": agency.name,
        "alternate_name": agency.alternate_name,
        "agency_type": agency.agency_type.value,
        "level": agency.level.value,
        "province_code": agency.province_code,
        "regency_code": agency.regency_code,
        "district_code": agency.district_code,
        "village_code": agency.village_code,
        "services": [service.value for service in agency.services],
        "email": agency.email,
        "phone": agency.phone,
        "whatsapp": agency.whatsapp,
        "address": agency.address,
        "hours": agency.hours.to_document(),
        "time_zone": None if agency.time_zone is None else agency.time_zone.value,
        "active": agency.active,
    }


def _batches(items: Sequence[Agency], size: int) -> Iterator[list[Agency]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _upsert(agencies: Sequence[Agency]) -> Insert:
    statement = insert(AGENCIES).values([_agency_values(agency) for agency in agencies])
    return statement.on_conflict_do_update(
        index_elements=[AGENCIES.c.agency_id],
        set_={**{name: statement.excluded[name] for name in _DIRECTORY_FIELDS}, "updated_at": func.now()},
    )


async def upsert_agencies(session: AsyncSession, agencies: Sequence[Agency]) -> int:
    """Insert or replace each agency by ``agency_id``; agencies not named are left as they are."""
    for batch in _batches(agencies, _UPSERT_BATCH):
        await session.execute(_upsert(batch))
    return len(agencies)


async def put_agency(session: AsyncSession, agency: Agency) -> bool:
    """Insert or replace one agency; True if it was not in the directory before."""
    # A row an upsert inserts has no deleting transaction id yet; one it updates has this transaction's.
    inserted: bool = (await session.execute(_upsert([agency]).returning(literal_column("xmax = 0")))).scalar_one()
    return inserted


async def deactivate_agency(session: AsyncSession, agency_id: str) -> Agency | None:
    """Mark the agency inactive (it stays: referrals name it); None if there is no such agency."""
    row = (
        await session.execute(
            AGENCIES.update()
            .where(AGENCIES.c.agency_id == agency_id)
            .values(active=False, updated_at=func.now())
            .returning(*AGENCIES.c)
        )
    ).one_or_none()
    return None if row is None else _agency(row)


def _agency(row: Any) -> Agency:
    return Agency(
        agency_id=row.agency_id,
        name=row.name,
        alternate_name=row.alternate_name,
        agency_type=AgencyType(row.agency_type),
        level=AgencyLevel(row.level),
        province_code=row.province_code,
        regency_code=row.regency_code,
        district_code=row.district_code,
        village_code=row.village_code,
        services=tuple(Need(service) for service in row.services),
        email=row.email,
        phone=row.phone,
        whatsapp=row.whatsapp,
        address=row.address,
        hours=OpeningHours.from_document(row.hours),
        time_zone=None if row.time_zone is None else TimeZone(row.time_zone),
        active=row.active,
    )


async def get_agency(session: AsyncSession, agency_id: str) -> Agency | None:
    row = (await session.execute(select(AGENCIES).where(AGENCIES.c.agency_id == agency_id))).one_or_none()
    return None if row is None else _agency(row)


async def list_agencies(
    session: AsyncSession,
    *,
    province_code: str | None = None,
    regency_code: str | None = None,
    agency_type: AgencyType | None = None,
    service: Need | None = None,
) -> list[Agency]:
    """The directory, or the part of it matching every filter given, in a stable order."""
    query = select(AGENCIES).order_by(AGENCIES.c.province_code.nulls_first(), AGENCIES.c.regency_code.nulls_first(),
                                      AGENCIES.c.agency_id)
    if province_code is not None:
        query = query.where(AGENCIES.c.province_code == province_code)
    if regency_code is not None:
        query = query.where(AGENCIES.c.regency_code == regency_code)
    if agency_type is not None:
        query = query.where(AGENCIES.c.agency_type == agency_type.value)
    if service is not None:
        query = query.where(AGENCIES.c.services.contains([service.value]))
    return [_agency(row) for row in (await session.execute(query)).all()]


async def agencies_serving(session: AsyncSession, *, province_code: str, regency_code: str) -> list[Agency]:
    """Every agency, active or not, whose service area covers the place: the regency's, the province's and the
    national ones. The rules decide which of them count."""
    query = select(AGENCIES).where(
        or_(
            AGENCIES.c.regency_code == regency_code,
            (AGENCIES.c.level == AgencyLevel.PROVINCE.value) & (AGENCIES.c.province_code == province_code),
            AGENCIES.c.level == AgencyLevel.NATIONAL.value,
        )
    )
    return [_agency(row) for row in (await session.execute(query)).all()]
