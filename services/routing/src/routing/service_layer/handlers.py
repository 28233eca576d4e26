"""Routing's directory use cases. An admin writes only what is theirs (``domain.access.may_edit_agency``: their
province's agencies, or the national ones for a national admin); row-level security holds the same rule (0005)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace

from routing.adapters import repository
from routing.domain import access
from routing.domain.agencies import Agency
from routing.domain.directory_changes import DirectoryDiff, diff, regencies_left_without_lead
from shared.auth import Principal
from shared.contracts.vocabulary import AgencyType, Need
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class OutsideProvinceError(PermissionError):
    """Agencies the caller may not write: another province's, or national ones for a province admin."""

    def __init__(self, agency_ids: Iterable[str]) -> None:
        self.agency_ids = tuple(sorted(set(agency_ids)))
        super().__init__(f"not yours to change: {', '.join(self.agency_ids)}")


class DeactivationNotConfirmedError(Exception):
    """A write that takes agencies out of service without the explicit flag (``missing`` deactivate) or without
    the digest of its preview (``missing`` digest)."""

    def __init__(self, change: DirectoryDiff, missing: str) -> None:
        super().__init__(f"{len(change.deactivated)} agencies would be deactivated; {missing} is missing")
        self.change = change
        self.missing = missing


class RegencyWithoutLeadError(Exception):
    """A write would leave ``regencies`` without an active lead agency; ``field``, for a write of one agency, is
    the first of its fields whose change does it."""

    def __init__(self, regencies: tuple[str, ...], field: str | None = None) -> None:
        super().__init__(f"no active lead agency would be left in {', '.join(regencies)}")
        self.regencies = regencies
        self.field = field


# The fields of an agency that decide whether it leads its regency's cases (``directory_changes``).
_LEAD_FIELDS = ("active", "agency_type", "level", "regency_code")


def _refuse_lead_gap(current: Sequence[Agency], agency: Agency, existing: Agency | None) -> None:
    """The import's rule (``regencies_left_without_lead``) for one agency's write."""
    gaps = regencies_left_without_lead(current, [agency])
    if gaps:
        changed = [name for name in _LEAD_FIELDS if existing and getattr(existing, name) != getattr(agency, name)]
        raise RegencyWithoutLeadError(gaps, changed[0] if changed else None)


def _refuse_outside(principal: Principal, agencies: Iterable[Agency]) -> None:
    outside = [agency.agency_id for agency in agencies if not access.may_edit_agency(principal, agency)]
    if outside:
        raise OutsideProvinceError(outside)


async def write_directory(
    principal: Principal, agencies: Sequence[Agency], uow: UnitOfWork, *, dry_run: bool = False,
    deactivate: bool = False, digest: str | None = None,
) -> DirectoryDiff:
    """Insert or replace the agencies named (and only those), or with ``dry_run`` only say what that would
    change. Refused: agencies not the caller's, as they are or as they would be (OutsideProvinceError); a regency
    left without an active lead agency (RegencyWithoutLeadError); agencies taken out of service without
    ``deactivate`` and the ``digest`` of the dry run that previewed exactly this change
    (DeactivationNotConfirmedError)."""
    _refuse_outside(principal, agencies)
    async with uow:
        current = await repository.list_agencies(uow.session)
        named = {agency.agency_id for agency in agencies}
        _refuse_outside(principal, [agency for agency in current if agency.agency_id in named])
        change = diff(current, agencies)
        gaps = regencies_left_without_lead(current, agencies)
        if gaps:
            raise RegencyWithoutLeadError(gaps)
        if dry_run:
            return change
        if change.deactivated and not deactivate:
            raise DeactivationNotConfirmedError(change, "deactivate")
        if change.deactivated and digest != change.digest:
            raise DeactivationNotConfirmedError(change, "digest")
        await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()
    if change.deactivated:
        log.info("directory write by %s deactivated %d agencies", principal.user_id, len(change.deactivated))
    return change


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


async def put_agency(principal: Principal, agency: Agency, uow: UnitOfWork) -> bool:
    """Create or replace one agency of the caller's; True if it is new. Refused like an import's entry: outside
    the caller's province (OutsideProvinceError), or leaving its regency without an active lead agency
    (RegencyWithoutLeadError)."""
    _refuse_outside(principal, [agency])
    async with uow:
        existing = await repository.get_agency(uow.session, agency.agency_id)
        _refuse_outside(principal, [] if existing is None else [existing])
        _refuse_lead_gap(await repository.list_agencies(uow.session), agency, existing)
        created = await repository.put_agency(uow.session, agency)
        await uow.commit()
    return created


async def deactivate_agency(principal: Principal, agency_id: str, uow: UnitOfWork) -> Agency | None:
    """Take an agency of the caller's out of service without deleting it (referrals name it); None if there is
    none. Refused (RegencyWithoutLeadError) if it is its regency's last active lead agency."""
    async with uow:
        existing = await repository.get_agency(uow.session, agency_id)
        if existing is None:
            return None
        _refuse_outside(principal, [existing])
        _refuse_lead_gap(await repository.list_agencies(uow.session), replace(existing, active=False), existing)
        agency = await repository.deactivate_agency(uow.session, agency_id)
        await uow.commit()
    if agency is not None:
        log.info("agency %s deactivated", agency.agency_id)
    return agency
