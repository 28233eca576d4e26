"""Intake's HTTP API for later changes to a case: updates, closing and reopening."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.domain.access import CASE_READERS, PersonalField
from intake.domain.model import ClosureReason, ReopenReason
from intake.domain.record import (
    ConsentIn,
    IncidentDate,
    Location,
    Perpetrator,
    ReporterIn,
    Victim,
    personal,
)
from intake.entrypoints.api import CONFLICT, NOT_FOUND, CurrentKeys, Staff, domain_error
from intake.service_layer import changes as change_handlers
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError, NotAllowedError
from shared.auth import Principal
from shared.contracts.vocabulary import Need, ViolenceType
from shared.dependencies import CurrentCipher, CurrentRuntime, CurrentUnitOfWork, require_roles
from shared.http_errors import LocalizedHTTPError, refused
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

# Who may reopen is decided per case (the district supervisor of its regency, its lead agency): anyone who may read
# cases is let through to that check, so who may not see the case hears 404, like everywhere else.
Reopener = Annotated[Principal, Depends(require_roles(*CASE_READERS))]


async def follow_up_period(runtime: CurrentRuntime) -> timedelta:
    """How long an agency keeps read-only access once its work on a case is over (``referral_follow_up_days``)."""
    return timedelta(days=runtime.settings.referral_follow_up_days)


FollowUp = Annotated[timedelta, Depends(follow_up_period)]


class ReportCorrection(BaseModel):
    """The parts of the record to replace; each given part replaces the stored one whole (a list replaces the
    list). Leave out what does not change."""

    model_config = ConfigDict(extra="forbid")

    incident: IncidentDate | None = None
    location: Location | None = None
    violence_types: list[ViolenceType] | None = Field(default=None, min_length=1)
    child_in_conflict_with_law: bool | None = None
    injuries: bool | None = None
    ongoing_danger: bool | None = None
    victims: list[Victim] | None = Field(default=None, min_length=1, max_length=50)
    perpetrators: list[Perpetrator] | None = Field(default=None, max_length=50)
    needs: list[Need] | None = None
    consent: ConsentIn | None = None
    reporter: ReporterIn | None = None
    narrative: str | None = Field(
        default=None, min_length=1, max_length=20_000, json_schema_extra=personal(PersonalField.NARRATIVE)
    )


class CaseUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["information_added", "corrected"]
    note: str | None = Field(
        default=None, min_length=1, max_length=20_000, json_schema_extra=personal(PersonalField.NARRATIVE),
        description="What was learned; required when adding information",
    )
    changes: ReportCorrection | None = Field(default=None, description="Required when correcting")


class CaseUpdated(BaseModel):
    update_id: UUID
    changed_fields: list[str]


class CaseClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ClosureReason
    duplicate_of: UUID | None = Field(default=None, description="Required when the reason is `duplicate`")


class CaseClosedOut(BaseModel):
    case_id: UUID
    status: Literal["closed"] = "closed"
    closed_at: datetime


class CaseReopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReopenReason
    note: str | None = Field(
        default=None, min_length=1, max_length=20_000, json_schema_extra=personal(PersonalField.NARRATIVE),
        description="What happened, in your words: kept encrypted with the case's notes, never in the event",
    )


class CaseReopenedOut(BaseModel):
    case_id: UUID
    status: Literal["open"] = "open"
    update_id: UUID = Field(description="The note is `notes.<update id>` among the case's personal fields")


CASE_ID = ("path", "case_id")
CHANGE_REFUSED = (CaseNotFoundError, NotAllowedError, CaseConflictError)


def _translate(error: Exception) -> LocalizedHTTPError:
    if isinstance(error, CaseNotFoundError):
        return refused(status.HTTP_404_NOT_FOUND, "case_not_found", CASE_ID)
    if isinstance(error, NotAllowedError):
        return refused(status.HTTP_403_FORBIDDEN, error.code, CASE_ID)
    assert isinstance(error, CaseConflictError)
    return refused(status.HTTP_409_CONFLICT, error.code, CASE_ID)


@router.post(
    "/cases/{case_id}/updates",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseUpdated,
    tags=["cases"],
    responses={**NOT_FOUND, **CONFLICT, 403: {"description": "You may see the case but not change it"}},
)
async def update_case(
    case_id: UUID, body: CaseUpdateIn, principal: Staff, uow: CurrentUnitOfWork, *, keys: CurrentKeys
) -> CaseUpdated:
    """Add information (a note) or correct fields of the record: who recorded the case, or an agency with a
    live referral (not in follow-up). Emits `case.updated` with the case's facts after the change. A correction
    of `consent` ends the access of agencies whose type it no longer covers."""
    if body.kind == "information_added" and body.note is None:
        raise domain_error(LocalizedValueError(
            "missing_note", en="Say what was learned.", id="Tuliskan informasi yang ditambahkan."), "note")
    changes = body.changes.model_dump(exclude_unset=True) if body.changes is not None else {}
    if body.kind == "corrected" and not changes:
        raise domain_error(LocalizedValueError(
            "missing_changes", en="Give the fields to correct.", id="Isi bagian yang dikoreksi."), "changes")
    try:
        update_id, changed = await change_handlers.update_case(
            case_id, principal, uow, keys, kind=body.kind, changes=changes, note=body.note
        )
    except ValidationError as error:
        raise domain_error_from(error) from None
    except CHANGE_REFUSED as error:
        raise _translate(error) from None
    return CaseUpdated(update_id=update_id, changed_fields=list(changed))


def domain_error_from(error: ValidationError) -> DomainValidationError:
    """A correction that breaks a rule of the whole record (e.g. ABH without a child perpetrator)."""
    items = []
    for item in error.errors(include_input=False, include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        localized = cause if isinstance(cause, LocalizedValueError) else LocalizedValueError(
            item["type"], en=item["msg"], id="Nilai tidak valid setelah koreksi.")
        items.append((("body", "changes", *item["loc"]), localized))
    return DomainValidationError(items)


@router.post(
    "/cases/{case_id}/close",
    response_model=CaseClosedOut,
    tags=["cases"],
    responses={**NOT_FOUND, **CONFLICT, 403: {"description": "Only who recorded it or a case manager may close"}},
)
async def close_case(
    case_id: UUID, body: CaseClose, principal: Staff, uow: CurrentUnitOfWork, *, cipher: CurrentCipher,
    follow_up: FollowUp,
) -> CaseClosedOut:
    """Close a case (handled, a duplicate, withdrawn...): emits `case.closed`. Its agencies keep read-only
    access for the follow-up period."""
    if (body.reason == "duplicate") != (body.duplicate_of is not None):
        raise domain_error(LocalizedValueError(
            "duplicate_of", en="Name the case this one duplicates, and only for a duplicate.",
            id="Sebutkan kasus yang diduplikasi, hanya untuk alasan duplikat."), "duplicate_of")
    if body.duplicate_of == case_id:
        raise domain_error(LocalizedValueError(
            "duplicate_of_itself", en="A case cannot duplicate itself.", id="Kasus tidak dapat menduplikasi dirinya."),
            "duplicate_of")
    try:
        closed_at = await change_handlers.close_case(
            case_id, principal, uow, cipher, reason=body.reason, duplicate_of=body.duplicate_of, follow_up=follow_up
        )
    except CHANGE_REFUSED as error:
        raise _translate(error) from None
    return CaseClosedOut(case_id=case_id, closed_at=closed_at)


@router.post(
    "/cases/{case_id}/reopen",
    response_model=CaseReopenedOut,
    tags=["cases"],
    responses={
        **NOT_FOUND, 409: {"description": "The case is open (the reason in the caller's language)"},
        403: {"description": "Only the district supervisor of its regency or its lead agency may reopen a case"},
    },
)
async def reopen_case(
    case_id: UUID, body: CaseReopen, principal: Reopener, uow: CurrentUnitOfWork, *, cipher: CurrentCipher,
) -> CaseReopenedOut:
    """Open a closed case again (the victim came back, the same perpetrator again, closed by mistake, new
    information): the district supervisor of its regency, or its lead agency while its follow-up access runs.
    Emits `case.reopened`; routing refers the case again, and a new referral gives its agency live access."""
    try:
        update_id = await change_handlers.reopen_case(
            case_id, principal, uow, cipher, reason=body.reason, note=body.note
        )
    except CHANGE_REFUSED as error:
        raise _translate(error) from None
    return CaseReopenedOut(case_id=case_id, update_id=update_id)
