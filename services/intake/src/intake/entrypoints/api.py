"""Intake's HTTP API: translate requests into domain objects and delegate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from intake.adapters.repository import CaseRecord
from intake.domain.access import CASE_READERS, PersonalField
from intake.domain.model import InvalidReportError, Report, Reporter, Victim
from intake.service_layer import handlers
from shared.auth import Principal, Role
from shared.contracts import AgeGroup, Channel, Sex, ViolenceType
from shared.dependencies import CurrentCipher, CurrentPrincipal, CurrentUnitOfWork, require_roles
from shared.limits import public_rate_limit

router = APIRouter(prefix="/v1")

CaseReader = Annotated[Principal, Depends(require_roles(*CASE_READERS))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such case, or not one you may see"}}


class VictimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sex: Sex
    age: int | None = Field(default=None, ge=0, le=120, description="Age in years, if known")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="Personal: encrypted")


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, description="Personal: encrypted")
    phone: str | None = Field(
        default=None, pattern=r"^\+?[0-9][0-9 ()\-]{5,31}$", description="To call back. Personal: encrypted"
    )


class ReportIn(BaseModel):
    """A report of violence. Personal fields are stored encrypted and never leave intake in an event."""

    model_config = ConfigDict(extra="forbid")

    regency_code: str = Field(pattern=r"^\d{2}\.\d{2}$", examples=["62.13"], description="Kemendagri code")
    violence_types: list[ViolenceType] = Field(min_length=1)
    victim: VictimIn
    narrative: str = Field(min_length=1, max_length=20_000, description="What happened. Personal: encrypted")
    channel: Channel
    reporter: ReporterIn | None = None
    address: str | None = Field(default=None, min_length=1, max_length=500, description="Personal: encrypted")


class ReportAccepted(BaseModel):
    case_id: UUID
    case_number: str
    status: str = "received"


class CaseSummaryOut(BaseModel):
    """A case without personal fields."""

    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    violence_types: list[ViolenceType]
    victim_sex: Sex
    victim_age_group: AgeGroup
    channel: Channel
    reported_at: datetime

    @classmethod
    def of(cls, record: CaseRecord) -> CaseSummaryOut:
        return cls(
            case_id=record.case_id,
            case_number=record.case_number,
            province_code=record.province_code,
            regency_code=record.regency_code,
            violence_types=[ViolenceType(v) for v in record.violence_types],
            victim_sex=Sex(record.victim_sex),
            victim_age_group=AgeGroup.of_age(record.victim_age),
            channel=Channel(record.channel),
            reported_at=record.reported_at,
        )


class CaseOut(CaseSummaryOut):
    personal: dict[PersonalField, str] = Field(
        description="The personal fields the caller's agency may read (each read is audited); empty for others"
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
    body: ReportIn, principal: CurrentPrincipal, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> ReportAccepted:
    """Anyone may report, without an account. An operator's token records who took the report."""
    reporter = body.reporter or ReporterIn()
    try:
        report = Report(
            regency_code=body.regency_code,
            violence_types=tuple(body.violence_types),
            victim=Victim(sex=body.victim.sex, age=body.victim.age, name=body.victim.name),
            narrative=body.narrative,
            channel=body.channel,
            reporter=Reporter(name=reporter.name, phone=reporter.phone),
            address=body.address,
            recorded_by=principal.user_id if principal.has_role(Role.OPERATOR) else None,
        )
    except InvalidReportError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body", *error.field.split(".")], "msg": error.reason, "type": "value_error"}],
        ) from None
    case = await handlers.submit_report(report, uow, cipher)
    return ReportAccepted(case_id=case.case_id, case_number=case.case_number)


@router.get("/cases", response_model=list[CaseSummaryOut], tags=["cases"])
async def list_cases(
    principal: CaseReader, uow: CurrentUnitOfWork, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[CaseSummaryOut]:
    """The newest cases you may see: referred to your agency, recorded by you, or in the region you supervise."""
    return [CaseSummaryOut.of(record) for record in await handlers.list_cases(principal, uow, limit=limit)]


@router.get("/cases/{case_id}", response_model=CaseOut, tags=["cases"], responses=NOT_FOUND)
async def get_case(case_id: UUID, principal: CaseReader, uow: CurrentUnitOfWork, cipher: CurrentCipher) -> CaseOut:
    """One case, with the personal fields your agency may read."""
    view = await handlers.read_case(case_id, principal, uow, cipher, endpoint="GET /v1/cases/{case_id}")
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    return CaseOut(**CaseSummaryOut.of(view.record).model_dump(), personal=view.personal)
