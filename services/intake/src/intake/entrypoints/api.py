"""Intake's HTTP API for reports and cases: translate requests into domain objects and delegate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.adapters.repository import CaseRecord
from intake.domain.access import CASE_READERS, RECORDERS, PersonalField
from intake.domain.facts import visible_record
from intake.domain.model import ClosureReason, ReopenReason, channel_for
from intake.domain.record import (
    ConsentIn,
    IncidentDate,
    Location,
    Perpetrator,
    Report,
    ReporterIn,
    Victim,
    personal,
)
from intake.service_layer import handlers
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError, NotAllowedError
from intake.service_layer.handlers import Keys
from shared.auth import Principal, Role
from shared.contracts.vocabulary import Need, Priority, TriageReason, ViolenceType
from shared.dependencies import CurrentCipher, CurrentPrincipal, CurrentRuntime, CurrentUnitOfWork, require_roles
from shared.limits import public_rate_limit
from shared.validation_messages import DomainValidationError, LocalizedValueError, request_language

router = APIRouter(prefix="/v1")

CaseReader = Annotated[Principal, Depends(require_roles(*CASE_READERS))]
Staff = Annotated[Principal, Depends(require_roles(*RECORDERS))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such case, or not one you may see"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The case is closed"}}
# Who may reopen: the district supervisor of the case's regency, or the staff of its lead agency.
Reopener = Annotated[Principal, Depends(require_roles(Role.DISTRICT_SUPERVISOR, *RECORDERS))]


async def current_keys(request: Request, cipher: CurrentCipher) -> Keys:
    # async, though it awaits nothing: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop
    # (and a GIL hand-off) on every request for two attribute reads.
    return Keys(cipher=cipher, linking_key=request.app.state.linking_key)


CurrentKeys = Annotated[Keys, Depends(current_keys)]


async def follow_up_period(runtime: CurrentRuntime) -> timedelta:
    """How long an agency keeps read-only access once its work on a case is over (``referral_follow_up_days``)."""
    return timedelta(days=runtime.settings.referral_follow_up_days)


FollowUp = Annotated[timedelta, Depends(follow_up_period)]


def domain_error(error: LocalizedValueError, *at: str) -> DomainValidationError:
    return DomainValidationError.at(("body", *at), error)


class ReportAccepted(BaseModel):
    case_id: UUID
    case_number: str = Field(description="Quote it when you call about this report")
    status: str = "received"


class CaseSummaryOut(BaseModel):
    """A case without personal fields. An agency sees the facts its type needs (`shared.contracts.visibility`):
    a fact withheld from it is null."""

    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    violence_types: list[ViolenceType] | None
    priority: Priority
    triage_reasons: list[TriageReason] | None
    channel: str
    status: Literal["open", "closed"]
    reported_at: datetime

    @classmethod
    def of(cls, record: CaseRecord, principal: Principal) -> CaseSummaryOut:
        fields = record.scope.fact_fields(principal)
        shown = {"violence_types", "triage_reasons"} if fields is None else fields
        return cls(
            case_id=record.case_id,
            case_number=record.case_number,
            province_code=record.province_code,
            regency_code=record.regency_code,
            violence_types=[ViolenceType(v) for v in record.facts["violence_types"]]
            if "violence_types" in shown else None,
            priority=Priority(record.priority),
            triage_reasons=[TriageReason(r) for r in record.triage_reasons] if "triage_reasons" in shown else None,
            channel=record.channel,
            status="closed" if record.status == "closed" else "open",
            reported_at=record.reported_at,
        )


class LinkOut(BaseModel):
    case_id: UUID
    reasons: list[str]


class CaseOut(CaseSummaryOut):
    record: dict[str, Any] = Field(description="The SIMFONI-PPA record without its personal fields")
    closure_reason: str | None
    links: list[LinkOut] = Field(description="Other reports that look like the same incident")
    personal: dict[str, str] = Field(
        description="The personal fields your agency may read, by path (e.g. `victims.0.name`; notes as "
        "`notes.<update id>`). Each read is audited; empty for others."
    )


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted,
    tags=["reports"],
    dependencies=[Depends(public_rate_limit)],
    responses={413: {"description": "Body too large"}, 429: {"description": "Too many requests from this client"}},
)
async def create_report(
    body: Report, principal: CurrentPrincipal, uow: CurrentUnitOfWork, keys: CurrentKeys
) -> ReportAccepted:
    """Anyone may report, without an account (the channel is then `web`). Staff (operators, agency staff) say
    how the report reached them (`hotline`, `walk_in`, `police`, `school`, `health`, `community`), and their
    token records who took it."""
    try:
        channel = channel_for(body.channel, principal)
    except LocalizedValueError as error:
        raise domain_error(error) from None
    staff = principal.has_role(*RECORDERS)
    case = await handlers.submit_report(body, channel, uow, keys, recorded_by=principal.user_id if staff else None)
    return ReportAccepted(case_id=case.case_id, case_number=case.case_number)


@router.get("/cases", response_model=list[CaseSummaryOut], tags=["cases"])
async def list_cases(
    principal: CaseReader, uow: CurrentUnitOfWork, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[CaseSummaryOut]:
    """The newest cases you may see: referred to your agency, recorded by you, or in the region you supervise."""
    return [CaseSummaryOut.of(record, principal) for record in await handlers.list_cases(principal, uow, limit=limit)]


@router.get("/cases/{case_id}", response_model=CaseOut, tags=["cases"], responses=NOT_FOUND)
async def get_case(case_id: UUID, principal: CaseReader, uow: CurrentUnitOfWork, cipher: CurrentCipher) -> CaseOut:
    """One case, with the facts and personal fields your agency may read. An agency reads a case while its
    referral is live, and read-only for the follow-up period once the referral is completed or the case closed;
    not once it is declined or revoked, or the victim's consent no longer covers the agency's type."""
    view = await handlers.read_case(case_id, principal, uow, cipher, endpoint="GET /v1/cases/{case_id}")
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    record = view.record
    return CaseOut(
        **CaseSummaryOut.of(record, principal).model_dump(),
        record=visible_record(record.facts, record.scope.fact_fields(principal)),
        closure_reason=record.closure_reason,
        links=[LinkOut(case_id=other, reasons=list(reasons)) for other, reasons in record.links],
        personal=view.personal,
    )


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


CHANGE_REFUSED = (CaseNotFoundError, NotAllowedError, CaseConflictError)


def _translate(error: Exception, request: Request) -> HTTPException:
    if isinstance(error, CaseNotFoundError):
        return HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    if isinstance(error, NotAllowedError):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(error))
    assert isinstance(error, CaseConflictError)
    language = request_language(request)
    return HTTPException(
        status.HTTP_409_CONFLICT, {"status": error.status, "message": error.message(language)},
        headers={"Content-Language": language.value, "Vary": "Accept-Language"},
    )


@router.post(
    "/cases/{case_id}/updates",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseUpdated,
    tags=["cases"],
    responses={**NOT_FOUND, **CONFLICT, 403: {"description": "You may see the case but not change it"}},
)
async def update_case(
    case_id: UUID, body: CaseUpdateIn, principal: Staff, uow: CurrentUnitOfWork, *, keys: CurrentKeys, request: Request
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
        update_id, changed = await handlers.update_case(
            case_id, principal, uow, keys, kind=body.kind, changes=changes, note=body.note
        )
    except ValidationError as error:
        raise domain_error_from(error) from None
    except CHANGE_REFUSED as error:
        raise _translate(error, request) from None
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
    follow_up: FollowUp, request: Request,
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
        closed_at = await handlers.close_case(
            case_id, principal, uow, cipher, reason=body.reason, duplicate_of=body.duplicate_of, follow_up=follow_up
        )
    except CHANGE_REFUSED as error:
        raise _translate(error, request) from None
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
    request: Request,
) -> CaseReopenedOut:
    """Open a closed case again (the victim came back, the same perpetrator again, closed by mistake, new
    information): the district supervisor of its regency, or its lead agency while its follow-up access runs.
    Emits `case.reopened`; routing refers the case again, and a new referral gives its agency live access."""
    try:
        update_id = await handlers.reopen_case(
            case_id, principal, uow, cipher, reason=body.reason, note=body.note
        )
    except CHANGE_REFUSED as error:
        raise _translate(error, request) from None
    return CaseReopenedOut(case_id=case_id, update_id=update_id)
