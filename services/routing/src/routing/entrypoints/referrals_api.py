"""Routing's HTTP API for referrals: each case's, one referral's record, and the agencies' moves on them.

An agency sees its own referrals' records (status and reason) for good, after they end too; the case behind a
referral is intake's to show. A move on a referral that has ended (declined, revoked, completed, or its case
closed) is refused with 409 and the reason, in the caller's language."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from routing.domain.access import REFERRAL_READERS, REVOKERS
from routing.domain.referrals import Referral, ReferralStatus, ReferralTransitionError
from routing.service_layer import referrals as use_cases
from routing.service_layer.referrals import Action, Routing
from shared.auth import AGENCY_ROLES, Principal
from shared.contracts.vocabulary import Need
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import refused, refused_by
from shared.validation_messages import LocalizedValueError

router = APIRouter(prefix="/v1")
REFERRAL_ID = ("path", "referral_id")

ReferralReader = Annotated[Principal, Depends(require_roles(*REFERRAL_READERS))]
ReferralActor = Annotated[Principal, Depends(require_roles(*AGENCY_ROLES))]
Revoker = Annotated[Principal, Depends(require_roles(*REVOKERS))]

MOVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such referral that you may see"},
    403: {"description": "You see the referral but may not make this move"},
    409: {"description": "Not possible from the referral's current status (given in the answer, with the reason in "
                         "your language): it has ended (declined, revoked, completed), or its case is closed"},
}


async def current_routing(request: Request) -> Routing:
    routing: Routing = request.app.state.routing
    return routing


CurrentRouting = Annotated[Routing, Depends(current_routing)]


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
    rule_set_version: int
    status: ReferralStatus
    status_reason: str | None
    services_given: list[Need]
    province_code: str
    regency_code: str
    created_at: datetime
    accept_by: datetime | None
    first_service_by: datetime | None
    replaces_referral_id: UUID | None
    round: int = Field(description="How many times the case had been reopened when the referral was made")
    accepted_at: datetime | None = Field(default=None, description="When its agency accepted it (kept since 0008)")
    requested_by: str | None = Field(
        default=None, description="The `sub` of the supervisor who made it by hand; null for a rule's")

    @classmethod
    def of(cls, referral: Referral) -> ReferralOut:
        return cls.model_validate(referral)


@router.get(
    "/cases/{case_id}/referrals",
    response_model=list[ReferralOut],
    tags=["referrals"],
    responses={404: {"description": "No referral of this case that you may see (or not routed yet)"}},
)
async def get_case_referrals(case_id: UUID, principal: ReferralReader, uow: CurrentUnitOfWork) -> list[ReferralOut]:
    """The case's referrals you may see (your agency's, or all in the region you supervise), lead first. A case
    you may not see answers exactly like one that does not exist, or is not routed yet: 404."""
    referrals = await use_cases.referrals_of_case(principal, uow, case_id)
    if not referrals:
        raise refused(status.HTTP_404_NOT_FOUND, "case_referrals_not_found", ("path", "case_id"))
    return [ReferralOut.of(referral) for referral in referrals]


@router.get(
    "/referrals/{referral_id}", response_model=ReferralOut, tags=["referrals"],
    responses={404: {"description": "No such referral that you may see"}},
)
async def get_referral(referral_id: UUID, principal: ReferralReader, uow: CurrentUnitOfWork) -> ReferralOut:
    """One referral's record: your agency's (also after it ended: its status and the reason), or one of the
    region you supervise. Not the case behind it: that is intake's to show, while your agency may see it."""
    referral = await use_cases.get_referral(principal, uow, referral_id)
    if referral is None:
        raise refused(status.HTTP_404_NOT_FOUND, "referral_not_found", REFERRAL_ID)
    return ReferralOut.of(referral)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000, description="Why; no personal data")


class Completion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services_given: list[Need] = Field(min_length=1, description="The services given, from the needs list")


async def _move(
    principal: Principal, uow: CurrentUnitOfWork, routing: Routing, referral_id: UUID, action: Action,
    **details: Any,
) -> ReferralOut:
    try:
        referral = await use_cases.move(principal, uow, routing, referral_id, action, **details)
    except use_cases.ReferralNotFoundError:
        raise refused(status.HTTP_404_NOT_FOUND, "referral_not_found", REFERRAL_ID) from None
    except use_cases.NotAllowedError:
        raise refused(status.HTTP_403_FORBIDDEN, "referral_move_not_allowed", REFERRAL_ID) from None
    except ReferralTransitionError as error:
        # Worded by the domain, which knows the referral's status and the move in both languages.
        reason = LocalizedValueError(error.code, en=error.en, id=error.id)
        raise refused_by(status.HTTP_409_CONFLICT, reason, REFERRAL_ID) from None
    return ReferralOut.of(referral)


@router.post("/referrals/{referral_id}/accept", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def accept_referral(
    referral_id: UUID, *, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Your agency takes the case on (`referral.accepted`)."""
    return await _move(principal, uow, routing, referral_id, "accept")


@router.post("/referrals/{referral_id}/decline", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def decline_referral(
    referral_id: UUID, body: Reason, *, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Your agency cannot take the case (`referral.declined`); routing refers it to the next eligible agency
    (`referral.created` with `replaces_referral_id`)."""
    return await _move(principal, uow, routing, referral_id, "decline", reason=body.reason)


@router.post("/referrals/{referral_id}/start", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def start_service(
    referral_id: UUID, *, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Your agency started serving the victim (`referral.service_started`)."""
    return await _move(principal, uow, routing, referral_id, "start_service")


@router.post("/referrals/{referral_id}/complete", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def complete_referral(
    referral_id: UUID, body: Completion, *, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """Your agency finished, naming the services given (`referral.completed`). When every referral of the case
    is done, routing says so (`case.services_completed`)."""
    services = tuple(body.services_given)
    return await _move(principal, uow, routing, referral_id, "complete", services=services)


@router.post("/referrals/{referral_id}/revoke", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def revoke_referral(
    referral_id: UUID, body: Reason, *, principal: Revoker, uow: CurrentUnitOfWork, routing: CurrentRouting,
) -> ReferralOut:
    """The district supervisor or province admin of the case's region withdraws a referral
    (`referral.revoked`)."""
    return await _move(principal, uow, routing, referral_id, "revoke", reason=body.reason)
