"""Intake's HTTP API for reports and cases: translate requests into domain objects and delegate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field

from intake.adapters.repository import CaseRecord
from intake.domain.access import CASE_READERS, RECORDERS
from intake.domain.facts import visible_record
from intake.domain.model import channel_for
from intake.domain.operator_rules import NOT_A_MATCH
from intake.domain.record import (
    Report,
)
from intake.service_layer import handlers
from intake.service_layer.errors import LinkNotAMatchError
from intake.service_layer.handlers import Keys
from shared.auth import Principal
from shared.contracts.vocabulary import Priority, TriageReason, ViolenceType
from shared.dependencies import CurrentCipher, CurrentPrincipal, CurrentUnitOfWork, require_roles
from shared.http_errors import refused, refused_by
from shared.limits import public_rate_limit
from shared.validation_messages import DomainValidationError, LocalizedValueError

router = APIRouter(prefix="/v1")

CaseReader = Annotated[Principal, Depends(require_roles(*CASE_READERS))]
Staff = Annotated[Principal, Depends(require_roles(*RECORDERS))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such case, or not one you may see"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The case is closed"}}


async def current_keys(request: Request, cipher: CurrentCipher) -> Keys:
    # async, though it awaits nothing: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop
    # (and a GIL hand-off) on every request for two attribute reads.
    return Keys(cipher=cipher, linking_key=request.app.state.linking_key)


CurrentKeys = Annotated[Keys, Depends(current_keys)]


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
    body: Report, principal: CurrentPrincipal, uow: CurrentUnitOfWork, keys: CurrentKeys,
    link_to: Annotated[UUID | None, Query(description="Staff: the possible duplicate (`POST /v1/reports/"
                                          "duplicates`) this report is the same incident as")] = None,
) -> ReportAccepted:
    """Anyone may report, without an account (the channel is then `web`). Staff (operators, agency staff) say
    how the report reached them (`hotline`, `walk_in`, `police`, `school`, `health`, `community`), and their
    token records who took it. With `link_to`, nothing is saved unless that case is one of the report's possible
    duplicates in their region (422)."""
    try:
        channel = channel_for(body.channel, principal)
    except LocalizedValueError as error:
        raise domain_error(error) from None
    staff = principal.has_role(*RECORDERS)
    try:
        case = await handlers.submit_report(body, channel, uow, keys, recorded_by=principal.user_id if staff else None,
                                            link_to=link_to, principal=principal if staff else None)
    except LinkNotAMatchError:
        raise refused_by(status.HTTP_422_UNPROCESSABLE_CONTENT, NOT_A_MATCH, ("query", "link_to")) from None
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
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", ("path", "case_id"))
    record = view.record
    return CaseOut(
        **CaseSummaryOut.of(record, principal).model_dump(),
        record=visible_record(record.facts, record.scope.fact_fields(principal)),
        closure_reason=record.closure_reason,
        links=[LinkOut(case_id=other, reasons=list(reasons)) for other, reasons in record.links],
        personal=view.personal,
    )
