"""Intake's HTTP API for the hotline operator: a report's possible duplicates before it is saved, and raising a
case's priority with a reason. Saving a report linked to one of its duplicates is ``POST /v1/reports?link_to=``
(``entrypoints.api``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from intake.domain.access import PersonalField
from intake.domain.record import Report, personal
from intake.entrypoints.api import NOT_FOUND, CurrentKeys, Staff
from intake.entrypoints.case_changes import CHANGE_REFUSED, _translate
from intake.service_layer import operator_desk
from shared.auth import Principal, Role
from shared.contracts.base import utc_now
from shared.contracts.vocabulary import LinkReason, Priority
from shared.dependencies import CurrentCipher, CurrentUnitOfWork, require_roles
from shared.http_errors import refused_by
from shared.validation_messages import LocalizedValueError

router = APIRouter(prefix="/v1")
Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR))]


class PossibleDuplicateOut(BaseModel):
    """An earlier case of your region that the report would be linked to: no personal field."""

    case_id: UUID
    case_number: str
    reasons: list[LinkReason]
    reported_at: datetime
    priority: Priority
    status: str


@router.post("/reports/duplicates", response_model=list[PossibleDuplicateOut], tags=["reports"])
async def possible_duplicates(
    body: Report, principal: Staff, uow: CurrentUnitOfWork, keys: CurrentKeys
) -> list[PossibleDuplicateOut]:
    """Before saving a report: the cases of your region (your regency, else your province) it looks like, and
    why (same victim, same contact, same place and time), newest first. Nothing is saved. Save it linked to one
    with `POST /v1/reports?link_to=<case_id>`."""
    found = await operator_desk.possible_duplicates(body, principal, uow, keys.linking_key, today=utc_now().date())
    return [
        PossibleDuplicateOut(case_id=c.case_id, case_number=c.case_number, reasons=list(c.reasons),
                             reported_at=c.reported_at, priority=Priority(c.priority), status=c.status)
        for c in found
    ]


class PriorityRaise(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    priority: Priority = Field(description="More urgent than the case's priority now")
    reason: str = Field(
        min_length=1, max_length=2000, json_schema_extra=personal(PersonalField.NARRATIVE),
        description="Why: kept encrypted as one of the case's notes, never in the event",
    )


class PriorityRaised(BaseModel):
    case_id: UUID
    priority: Priority
    update_id: UUID = Field(description="The reason is `notes.<update id>` among the case's personal fields")


@router.post(
    "/cases/{case_id}/priority",
    response_model=PriorityRaised,
    tags=["cases"],
    responses={
        **NOT_FOUND, 409: {"description": "The case is closed, or already as urgent (the reason, at `priority`)"},
        403: {"description": "You may see the case but not change it"},
    },
)
async def raise_priority(
    case_id: UUID, body: PriorityRaise, principal: Operator, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> PriorityRaised:
    """Raise a case's priority (never lower it), with a reason: the operator who recorded it. Emits
    `case.updated` with `changed_fields` `priority` and `notes`, and the new priority in its facts; reporting's
    audit trail keeps it with who raised it."""
    try:
        update_id = await operator_desk.raise_priority(
            case_id, principal, uow, cipher, priority=body.priority, reason=body.reason
        )
    except CHANGE_REFUSED as error:
        raise _translate(error) from None
    except LocalizedValueError as error:
        raise refused_by(status.HTTP_409_CONFLICT, error, ("body",)) from None
    return PriorityRaised(case_id=case_id, priority=body.priority, update_id=update_id)
