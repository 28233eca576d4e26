"""Routing's HTTP API for referrals (each case's, and the agencies' moves on them) and for the routing rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml import YAMLError

from routing.domain.access import REFERRAL_READERS, REVOKERS
from routing.domain.referrals import Referral, ReferralStatus, ReferralTransitionError
from routing.domain.rules import RuleSet
from routing.service_layer import referrals as use_cases
from routing.service_layer import rules as rule_cases
from routing.service_layer.referrals import Action, Routing
from shared.auth import AGENCY_ROLES, Principal, Role
from shared.contracts.vocabulary import Need
from shared.dependencies import CurrentUnitOfWork, require_roles

router = APIRouter(prefix="/v1")

ReferralReader = Annotated[Principal, Depends(require_roles(*REFERRAL_READERS))]
ReferralActor = Annotated[Principal, Depends(require_roles(*AGENCY_ROLES))]
Revoker = Annotated[Principal, Depends(require_roles(*REVOKERS))]
RuleEditor = Annotated[Principal, Depends(require_roles(Role.PROVINCE_ADMIN))]
RuleReader = Annotated[Principal, Depends(require_roles(*(r for r in Role if r is not Role.PUBLIC)))]

MOVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such referral that you may see"},
    403: {"description": "You see the referral but may not make this move"},
    409: {"description": "Not possible from the referral's current status (given in the answer)"},
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
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no referrals found")
    return [ReferralOut.of(referral) for referral in referrals]


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
        raise HTTPException(status.HTTP_404_NOT_FOUND, "referral not found") from None
    except use_cases.NotAllowedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except ReferralTransitionError as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, {"status": error.status.value, "message": str(error)}
        ) from None
    return ReferralOut.of(referral)


@router.post("/referrals/{referral_id}/accept", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def accept_referral(
    referral_id: UUID, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting
) -> ReferralOut:
    """Your agency takes the case on (`referral.accepted`)."""
    return await _move(principal, uow, routing, referral_id, "accept")


@router.post("/referrals/{referral_id}/decline", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def decline_referral(
    referral_id: UUID, body: Reason, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting
) -> ReferralOut:
    """Your agency cannot take the case (`referral.declined`); routing refers it to the next eligible agency
    (`referral.created` with `replaces_referral_id`)."""
    return await _move(principal, uow, routing, referral_id, "decline", reason=body.reason)


@router.post("/referrals/{referral_id}/start", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def start_service(
    referral_id: UUID, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting
) -> ReferralOut:
    """Your agency started serving the victim (`referral.service_started`)."""
    return await _move(principal, uow, routing, referral_id, "start_service")


@router.post("/referrals/{referral_id}/complete", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def complete_referral(
    referral_id: UUID, body: Completion, principal: ReferralActor, uow: CurrentUnitOfWork, routing: CurrentRouting
) -> ReferralOut:
    """Your agency finished, naming the services given (`referral.completed`). When every referral of the case
    is done, routing says so (`case.services_completed`)."""
    return await _move(principal, uow, routing, referral_id, "complete", services=tuple(body.services_given))


@router.post("/referrals/{referral_id}/revoke", response_model=ReferralOut, tags=["referrals"],
             responses=MOVE_RESPONSES)
async def revoke_referral(
    referral_id: UUID, body: Reason, principal: Revoker, uow: CurrentUnitOfWork, routing: CurrentRouting
) -> ReferralOut:
    """The district supervisor or province admin of the case's region withdraws a referral
    (`referral.revoked`)."""
    return await _move(principal, uow, routing, referral_id, "revoke", reason=body.reason)


# -- rules ----------------------------------------------------------------------------------------------------

RULES_YAML: dict[str, Any] = {"application/yaml": {"schema": RuleSet.model_json_schema()}}
YAML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": RULES_YAML}}


@router.get("/rules", response_class=Response, tags=["rules"],
            responses={200: {"content": RULES_YAML, "description": "The rule set in force"}})
async def get_rules(_reader: RuleReader, uow: CurrentUnitOfWork) -> PlainTextResponse:
    """The routing rules in force, as YAML (the format `PUT /v1/rules` takes)."""
    rules = await rule_cases.rules_in_force(uow)
    return PlainTextResponse(rules.to_yaml(), media_type="application/yaml")


@router.put("/rules", response_class=Response, tags=["rules"], openapi_extra=YAML_BODY,
            responses={200: {"content": RULES_YAML, "description": "The rule set stored, now in force"},
                       409: {"description": "The version is not the next one"}, 422: {"description": "Bad rules"}})
async def put_rules(request: Request, principal: RuleEditor, uow: CurrentUnitOfWork) -> PlainTextResponse:
    """Replace the rules with a new version (YAML; `version` one above the rules in force). Takes effect for
    the next case on every routing instance, without a restart; earlier referrals keep the version they were
    made under."""
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        rules = RuleSet.from_yaml(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            [{"loc": ["body"], "msg": f"not YAML{where}", "type": "yaml_invalid"}]) from None
    except ValidationError as error:  # answered like any other 422: localized, never echoing the input
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None
    try:
        stored = await rule_cases.replace_rules(uow, rules, by=principal.user_id)
    except rule_cases.VersionConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, {"version_in_force": error.in_force,
                                                        "message": str(error)}) from None
    return PlainTextResponse(stored.to_yaml(), media_type="application/yaml")
