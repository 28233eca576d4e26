"""Follow-ups on a referral: its agency's plan of what to do by when. The note may name people: it is kept
encrypted, shown only to the referral's agency, and never put in an event, a log or a URL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from routing.domain.follow_ups import MAX_NOTE, FollowUp, FollowUpNotAllowedError, ReferralNotLiveError
from routing.service_layer import follow_ups as use_cases
from routing.service_layer.follow_ups import FollowUpContext
from routing.service_layer.referrals import ReferralNotFoundError, Routing
from shared.auth import AGENCY_ROLES, Principal
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import LocalizedHTTPError, refused
from shared.service import Runtime
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

AgencyPerson = Annotated[Principal, Depends(require_roles(*AGENCY_ROLES))]
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such referral that you may see (or no such follow-up of it)"},
    403: {"description": "Not the referral's agency, or its access to the referral ended"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The referral's work is over (its status is given in the answer)"}}


async def current_context(request: Request) -> FollowUpContext:
    runtime: Runtime = request.app.state.runtime
    routing: Routing = request.app.state.routing
    return FollowUpContext(routing, request.app.state.cipher,
                           timedelta(days=runtime.settings.referral_follow_up_days))


Context = Annotated[FollowUpContext, Depends(current_context)]


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_at: AwareDatetime = Field(description="When it is due (with its time zone); in the future",
                                  examples=["2026-12-10T09:00:00+07:00"])
    note: str = Field(min_length=1, max_length=MAX_NOTE, description="What to do: your agency's working note. It "
                      "may name people: it is kept encrypted and shown to your agency only",
                      examples=["Kunjungan rumah bersama pendamping"])


class FollowUpOut(BaseModel):
    follow_up_id: UUID
    referral_id: UUID
    agency_id: str
    due_at: datetime
    note: str
    created_by: str = Field(description="The `sub` of who set it")
    created_at: datetime
    done: bool
    done_at: datetime | None
    done_by: str | None

    @classmethod
    def of(cls, follow_up: FollowUp) -> FollowUpOut:
        return cls(
            follow_up_id=follow_up.follow_up_id, referral_id=follow_up.referral_id, agency_id=follow_up.agency_id,
            due_at=follow_up.due_at, note=follow_up.note, created_by=follow_up.created_by,
            created_at=follow_up.created_at, done=follow_up.done, done_at=follow_up.done_at, done_by=follow_up.done_by,
        )


def _refused(error: Exception) -> LocalizedHTTPError:
    if isinstance(error, ReferralNotFoundError):
        return refused(status.HTTP_404_NOT_FOUND, "referral_not_found", ("path", "referral_id"))
    if isinstance(error, use_cases.FollowUpNotFoundError):
        return refused(status.HTTP_404_NOT_FOUND, "follow_up_not_found", ("path", "follow_up_id"))
    if isinstance(error, FollowUpNotAllowedError):
        return refused(status.HTTP_403_FORBIDDEN, "follow_up_not_allowed", ("path", "referral_id"))
    assert isinstance(error, ReferralNotLiveError)
    return refused(status.HTTP_409_CONFLICT, "referral_not_live", ("path", "referral_id"))


REFUSED = (ReferralNotFoundError, use_cases.FollowUpNotFoundError, FollowUpNotAllowedError, ReferralNotLiveError)


@router.post("/referrals/{referral_id}/follow-ups", status_code=status.HTTP_201_CREATED, response_model=FollowUpOut,
             tags=["follow-ups"], responses={**RESPONSES, **CONFLICT})
async def add_follow_up(
    referral_id: UUID, body: FollowUpIn, *, principal: AgencyPerson, uow: CurrentUnitOfWork, context: Context,
) -> FollowUpOut:
    """Set a follow-up on your agency's live referral. When it falls due and is not done, routing raises
    `referral.follow_up_due` (which follow-up, and when: never the note)."""
    if body.due_at <= context.routing.clock():
        raise DomainValidationError.at(("body", "due_at"), LocalizedValueError(
            "due_in_the_past", en="The due time must be in the future.",
            id="Waktu jatuh tempo harus di masa mendatang."))
    try:
        follow_up = await use_cases.add_follow_up(principal, uow, context, referral_id, due_at=body.due_at,
                                                  note=body.note)
    except REFUSED as error:
        raise _refused(error) from None
    return FollowUpOut.of(follow_up)


@router.get("/referrals/{referral_id}/follow-ups", response_model=list[FollowUpOut], tags=["follow-ups"],
            responses=RESPONSES)
async def list_follow_ups(
    referral_id: UUID, principal: AgencyPerson, uow: CurrentUnitOfWork, context: Context,
) -> list[FollowUpOut]:
    """Your agency's follow-ups on the referral, soonest due first (also during the read-only follow-up period
    after the referral is completed or its case closed)."""
    try:
        return [FollowUpOut.of(f) for f in await use_cases.follow_ups(principal, uow, context, referral_id)]
    except REFUSED as error:
        raise _refused(error) from None


@router.post("/referrals/{referral_id}/follow-ups/{follow_up_id}/done", response_model=FollowUpOut,
             tags=["follow-ups"], responses={**RESPONSES, **CONFLICT})
async def mark_follow_up_done(
    referral_id: UUID, follow_up_id: UUID, *, principal: AgencyPerson, uow: CurrentUnitOfWork, context: Context,
) -> FollowUpOut:
    """Mark it done: it will not fall due. Marking it again changes nothing."""
    try:
        return FollowUpOut.of(await use_cases.mark_done(principal, uow, context, referral_id, follow_up_id))
    except REFUSED as error:
        raise _refused(error) from None
