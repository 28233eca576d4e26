"""Routing's HTTP API: the agency directory and each case's referrals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from routing.domain.access import DIRECTORY_EDITORS, DIRECTORY_READERS, REFERRAL_READERS
from routing.domain.agencies import Agency, AgencyLevel, InvalidAgencyError
from routing.domain.referrals import Referral, ReferralStatus, ReferralTransitionError
from routing.service_layer import handlers
from shared.auth import AGENCY_ROLES, Principal
from shared.contracts.vocabulary import AgencyType
from shared.dependencies import CurrentUnitOfWork, require_roles

router = APIRouter(prefix="/v1")

PROVINCE_PATTERN = r"^\d{2}$"
REGENCY_PATTERN = r"^\d{2}\.\d{2}$"
MAX_AGENCIES_PER_PUT = 5000

ReferralReader = Annotated[Principal, Depends(require_roles(*REFERRAL_READERS))]
ReferralActor = Annotated[Principal, Depends(require_roles(*AGENCY_ROLES))]
ServiceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AgencyIn(BaseModel):
    """One directory entry. Contacts are the agency's own desk, never a person's."""

    model_config = ConfigDict(extra="forbid")

    agency_id: str = Field(
        pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=100, examples=["uptd-ppa-62.13"],
        description="Stable slug; the upsert key",
    )
    name: str = Field(min_length=1, max_length=200, examples=["UPTD PPA Kabupaten Barito Timur"])
    alternate_name: str | None = Field(default=None, max_length=100)
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None = Field(default=None, pattern=PROVINCE_PATTERN, examples=["62"])
    regency_code: str | None = Field(default=None, pattern=REGENCY_PATTERN, examples=["62.13"])
    services: list[ServiceName] = Field(default_factory=list, max_length=50)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()\-]{2,31}$")
    active: bool = True

    def to_domain(self) -> Agency:
        return Agency(
            agency_id=self.agency_id,
            name=self.name,
            alternate_name=self.alternate_name,
            agency_type=self.agency_type,
            level=self.level,
            province_code=self.province_code,
            regency_code=self.regency_code,
            services=tuple(self.services),
            email=self.email,
            phone=self.phone,
            active=self.active,
        )


class DirectoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agencies: list[AgencyIn] = Field(max_length=MAX_AGENCIES_PER_PUT)


class DirectoryUpdated(BaseModel):
    upserted: int


class AgencyOut(BaseModel):
    agency_id: str
    name: str
    alternate_name: str | None
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None
    regency_code: str | None
    services: list[str]
    email: str | None
    phone: str | None
    active: bool

    @classmethod
    def of(cls, agency: Agency) -> AgencyOut:
        return cls(
            agency_id=agency.agency_id,
            name=agency.name,
            alternate_name=agency.alternate_name,
            agency_type=agency.agency_type,
            level=agency.level,
            province_code=agency.province_code,
            regency_code=agency.regency_code,
            services=list(agency.services),
            email=agency.email,
            phone=agency.phone,
            active=agency.active,
        )


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    referral_id: UUID
    case_id: UUID
    agency_id: str
    agency_name: str
    agency_type: str
    is_lead: bool
    rule: str
    reason: str
    status: ReferralStatus
    province_code: str
    regency_code: str
    created_at: datetime

    @classmethod
    def of(cls, referral: Referral) -> ReferralOut:
        return cls.model_validate(referral)


def _invalid(index: int, field: str, reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["body", "agencies", index, field], "msg": reason, "type": "value_error"}],
    )


def _directory_entries(body: DirectoryIn) -> list[Agency]:
    """Domain agencies for the body, or 422 naming the first entry and field that is wrong."""
    agencies: list[Agency] = []
    seen: set[str] = set()
    for index, entry in enumerate(body.agencies):
        if entry.agency_id in seen:
            raise _invalid(index, "agency_id", "appears more than once in this request")
        seen.add(entry.agency_id)
        try:
            agencies.append(entry.to_domain())
        except InvalidAgencyError as error:
            raise _invalid(index, error.field, error.reason) from None
    return agencies


@router.put("/directory", response_model=DirectoryUpdated, tags=["directory"],
            summary="Insert or update agencies by agency_id (idempotent)",
            dependencies=[Depends(require_roles(*DIRECTORY_EDITORS))])
async def put_directory(
    body: DirectoryIn, uow: CurrentUnitOfWork
) -> DirectoryUpdated:
    return DirectoryUpdated(upserted=await handlers.update_directory(_directory_entries(body), uow))


@router.get("/agencies", response_model=list[AgencyOut], tags=["directory"],
            dependencies=[Depends(require_roles(*DIRECTORY_READERS))])
async def get_agencies(
    uow: CurrentUnitOfWork,
    province_code: Annotated[str | None, Query(pattern=PROVINCE_PATTERN, examples=["62"])] = None,
    regency_code: Annotated[str | None, Query(pattern=REGENCY_PATTERN, examples=["62.13"])] = None,
) -> list[AgencyOut]:
    agencies = await handlers.list_agencies(uow, province_code=province_code, regency_code=regency_code)
    return [AgencyOut.of(agency) for agency in agencies]


@router.get(
    "/cases/{case_id}/referrals",
    response_model=list[ReferralOut],
    tags=["referrals"],
    responses={404: {"description": "No referral of this case that you may see (or not routed yet)"}},
)
async def get_case_referrals(
    case_id: UUID, principal: ReferralReader, uow: CurrentUnitOfWork
) -> list[ReferralOut]:
    """The case's referrals you may see (your agency's, or all in the region you supervise), lead first. A case
    you may not see answers exactly like one that does not exist, or is not routed yet: 404."""
    referrals = await handlers.referrals_of_case(principal, uow, case_id)
    if not referrals:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no referrals found")
    return [ReferralOut.of(referral) for referral in referrals]


@router.post(
    "/referrals/{referral_id}/accept",
    response_model=ReferralOut,
    tags=["referrals"],
    responses={404: {"description": "No such referral for your agency"}, 409: {"description": "Not in the queue"}},
)
async def accept_referral(referral_id: UUID, principal: ReferralActor, uow: CurrentUnitOfWork) -> ReferralOut:
    """Your agency takes the case on (``referral.accepted``)."""
    try:
        referral = await handlers.accept_referral(principal, uow, referral_id)
    except ReferralTransitionError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "referral not found")
    return ReferralOut.of(referral)
