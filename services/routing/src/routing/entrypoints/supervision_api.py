"""The district supervisor's API: the district's open referrals (overdue and escalated first), each agency's
workload, a manual referral, and handing the case's lead to another case manager agency. A province admin may
use them for their province."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from routing.domain.district import DistrictReferral
from routing.domain.referrals import ReferralStatus
from routing.domain.supervision import SupervisionError
from routing.entrypoints.referrals_api import CurrentRouting, ReferralOut
from routing.service_layer import supervision as use_cases
from routing.service_layer.referrals import ReferralNotFoundError
from shared.auth import Principal
from shared.contracts.vocabulary import Priority
from shared.dependencies import AUTHORIZATION, CurrentUnitOfWork, require_roles
from shared.http_errors import refused, refused_by
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

Supervisor = Annotated[Principal, Depends(require_roles(*use_cases.SUPERVISORS))]
CASE_ID = ("path", "case_id")
AGENCY_ID = ("body", "agency_id")
# The refusals that are the case's state, not the agency asked for.
_CASE_REFUSALS = {"case_closed", "no_open_lead"}
HAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such case in the region you oversee"},
    409: {"description": "Not possible now, with the reason in your language: the agency is inactive, the victim's "
                         "consent does not allow it, it holds or held a referral of the case, the case is closed "
                         "(or, for a handover, has no open lead)"},
    422: {"description": "The agency asked for is unknown, out of the case's reach, or (a handover) no case "
                         "manager"},
}


class DistrictReferralOut(BaseModel):
    referral_id: UUID
    case_id: UUID
    case_number: str | None
    agency_id: str
    agency_name: str
    priority: Priority
    status: ReferralStatus
    is_lead: bool
    rule: str
    created_at: datetime
    next_deadline: datetime | None = Field(description="To accept while in the queue, to start service once accepted")
    overdue: bool = Field(description="`next_deadline` passed, as of `as_of`")
    escalated: bool = Field(description="A deadline of it passed unmet and the case was escalated, or an "
                                        "escalation made it")

    @classmethod
    def of(cls, item: DistrictReferral, now: datetime) -> DistrictReferralOut:
        return cls(
            **{name: getattr(item, name) for name in (
                "referral_id", "case_id", "case_number", "agency_id", "agency_name", "priority", "status",
                "is_lead", "rule", "created_at")},
            next_deadline=item.running_deadline, overdue=item.overdue(now), escalated=item.escalated,
        )


class DistrictReferrals(BaseModel):
    items: list[DistrictReferralOut]
    as_of: datetime


class AgencyLoadOut(BaseModel):
    agency_id: str
    agency_name: str
    open: int = Field(description="Referrals not yet done")
    overdue: int = Field(description="Open referrals whose running deadline passed")
    accepted: int = Field(description="Accepted referrals the median is over")
    median_seconds_to_accept: float | None = Field(description="Exact median from referral to acceptance")


class Workload(BaseModel):
    agencies: list[AgencyLoadOut]
    as_of: datetime


class HandRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: str = Field(min_length=1, max_length=100, description="The directory id of the agency")
    reason: str = Field(min_length=3, max_length=1000, description="Why; no personal data")


def _not_supervised() -> Exception:
    return refused(status.HTTP_403_FORBIDDEN, "referrals_not_listed", AUTHORIZATION)


@router.get("/district/referrals", response_model=DistrictReferrals, tags=["district"],
            responses={403: {"description": "You oversee no region"}})
async def district_referrals(
    principal: Supervisor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> DistrictReferrals:
    """Every open referral of your regency (a district supervisor) or province (a province admin): overdue first,
    then escalated, then the rest; within each by priority and the nearest deadline."""
    now = routing.clock()
    try:
        items = await use_cases.district_referrals(principal, uow, now)
    except use_cases.NotSupervisedError:
        raise _not_supervised() from None
    return DistrictReferrals(items=[DistrictReferralOut.of(item, now) for item in items], as_of=now)


@router.get("/district/workload", response_model=Workload, tags=["district"],
            responses={403: {"description": "You oversee no region"}})
async def district_workload(principal: Supervisor, uow: CurrentUnitOfWork, routing: CurrentRouting) -> Workload:
    """Per agency holding referrals of your region: open ones, overdue ones, and the median time to accept."""
    now = routing.clock()
    try:
        loads = await use_cases.workload(principal, uow, now)
    except use_cases.NotSupervisedError:
        raise _not_supervised() from None
    return Workload(agencies=[AgencyLoadOut(
        agency_id=load.agency_id, agency_name=load.agency_name, open=load.open, overdue=load.overdue,
        accepted=load.accepted,
        median_seconds_to_accept=None if load.median_to_accept is None else load.median_to_accept.total_seconds(),
    ) for load in loads], as_of=now)


def _refusal(error: SupervisionError) -> Exception:
    reason = LocalizedValueError(error.code, en=error.en, id=error.id)
    if not error.conflict:
        return DomainValidationError.at(AGENCY_ID, reason)
    return refused_by(status.HTTP_409_CONFLICT, reason, CASE_ID if error.code in _CASE_REFUSALS else AGENCY_ID)


@router.post("/cases/{case_id}/referrals", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             tags=["district"], responses=HAND_RESPONSES)
async def refer_manually(
    case_id: UUID, body: HandRequest, *, principal: Supervisor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Refer the case of your region to one more agency, by hand: `referral.created` with the rule
    `manual/supervisor` and `requested_by` you."""
    try:
        referral = await use_cases.refer_manually(principal, uow, routing, case_id, body.agency_id,
                                                  reason=body.reason)
    except ReferralNotFoundError:
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", CASE_ID) from None
    except SupervisionError as error:
        raise _refusal(error) from None
    return ReferralOut.of(referral)


@router.post("/cases/{case_id}/lead-handover", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             tags=["district"], responses=HAND_RESPONSES)
async def hand_over_lead(
    case_id: UUID, body: HandRequest, *, principal: Supervisor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Hand the case's lead to another case manager agency: the old lead's referral is revoked (reason
    `lead_handed_over`, its access ends) and the new lead's is made (`manual/lead-handover`, replacing it).
    Answers the new lead's referral."""
    try:
        referral = await use_cases.hand_over_lead(principal, uow, routing, case_id, body.agency_id,
                                                  reason=body.reason)
    except ReferralNotFoundError:
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", CASE_ID) from None
    except SupervisionError as error:
        raise _refusal(error) from None
    return ReferralOut.of(referral)
