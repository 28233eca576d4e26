"""``GET /v1/referrals``: the referrals a caller works on or oversees, most urgent first, a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from routing.domain.referral_list import LISTERS, MAX_PAGE, InvalidCursorError
from routing.domain.referrals import ReferralStatus
from routing.entrypoints.referrals_api import CurrentRouting
from routing.service_layer import referral_list as use_case
from shared.auth import Principal
from shared.contracts.vocabulary import Priority, ViolenceType
from shared.dependencies import AUTHORIZATION, CurrentUnitOfWork, require_roles
from shared.http_errors import refused
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

Lister = Annotated[Principal, Depends(require_roles(*LISTERS))]


class ListedReferralOut(BaseModel):
    referral_id: UUID
    case_id: UUID
    case_number: str | None = Field(description="Null for a case routed before routing kept its number")
    agency_id: str
    priority: Priority
    province_code: str
    regency_code: str
    violence_types: list[ViolenceType]
    status: ReferralStatus
    is_lead: bool
    created_at: datetime
    accept_by: datetime | None
    first_service_by: datetime | None
    next_deadline: datetime | None = Field(
        description="The deadline running now: to accept while in the queue, to start service once accepted")
    overdue: bool = Field(description="`next_deadline` passed, as of the list's `as_of`")
    next_follow_up_due: datetime | None = Field(description="Your agency's earliest follow-up not yet done")


class ReferralPage(BaseModel):
    items: list[ListedReferralOut]
    as_of: datetime = Field(description="The moment `overdue` is judged at: the first page's, kept by the cursor")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


@router.get(
    "/referrals", response_model=ReferralPage, tags=["referrals"],
    responses={403: {"description": "Your role lists no referrals"},
               422: {"description": "A bad filter, or a cursor not given for these filters"}},
)
async def list_referrals(
    *, principal: Lister, uow: CurrentUnitOfWork, routing: CurrentRouting,
    status_: Annotated[list[ReferralStatus], Query(alias="status", description="Any of these (repeat it)")] = [],  # noqa: B006 - FastAPI copies it
    priority: Priority | None = None,
    overdue: Annotated[bool, Query(description="true: only the overdue")] = False,
    cursor: Annotated[str | None, Query(max_length=400, description="`next_cursor` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> ReferralPage:
    """The referrals of your agency (agency staff and supervisors), of your regency (a district supervisor) or of
    your province (a province admin): overdue first, then by priority P1..P3, then the nearest deadline."""
    try:
        page = await use_case.list_referrals(
            principal, uow, now=routing.clock(), statuses=tuple(s.value for s in status_), priority=priority,
            overdue_only=overdue, cursor=cursor, limit=limit,
        )
    except use_case.NotListedError:
        raise refused(status.HTTP_403_FORBIDDEN, "referrals_not_listed", AUTHORIZATION) from None
    except InvalidCursorError:
        raise DomainValidationError.at(("query", "cursor"), LocalizedValueError(
            "cursor_invalid", en="Not a cursor of this list with these filters; start again without it.",
            id="Kursor ini bukan dari daftar dengan filter yang sama; mulai lagi tanpa kursor.")) from None
    return ReferralPage(
        items=[ListedReferralOut(
            **{name: getattr(item.referral, name) for name in (
                "referral_id", "case_id", "case_number", "agency_id", "priority", "province_code", "regency_code",
                "violence_types", "status", "is_lead", "created_at", "accept_by", "first_service_by")},
            next_deadline=item.running_deadline, overdue=item.overdue, next_follow_up_due=item.next_follow_up,
        ) for item in page.items],
        as_of=page.as_of, next_cursor=page.next_cursor,
    )
