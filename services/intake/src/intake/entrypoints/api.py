"""Intake's HTTP API: translate requests into domain objects and delegate."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from intake.domain.model import InvalidReportError, Report, Victim
from intake.service_layer.handlers import submit_report
from shared.contracts import Channel, Sex, ViolenceType
from shared.limits import public_rate_limit
from shared.service import CurrentCipher, CurrentRuntime

router = APIRouter(prefix="/v1", tags=["reports"])


class VictimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sex: Sex
    age: int | None = Field(default=None, ge=0, le=120, description="Age in years, if known")


class ReportIn(BaseModel):
    """A report of violence. ``narrative`` is stored encrypted and never leaves intake in an event."""

    model_config = ConfigDict(extra="forbid")

    regency_code: str = Field(pattern=r"^\d{2}\.\d{2}$", examples=["62.13"], description="Kemendagri code")
    violence_types: list[ViolenceType] = Field(min_length=1)
    victim: VictimIn
    narrative: str = Field(min_length=1, max_length=20_000)
    channel: Channel


class ReportAccepted(BaseModel):
    case_id: UUID
    case_number: str
    status: str = "received"


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted,
    dependencies=[Depends(public_rate_limit)],
    responses={413: {"description": "Body too large"}, 429: {"description": "Too many requests from this client"}},
)
async def create_report(
    body: ReportIn,
    runtime: CurrentRuntime,
    cipher: CurrentCipher,
) -> ReportAccepted:
    try:
        report = Report(
            regency_code=body.regency_code,
            violence_types=tuple(body.violence_types),
            victim=Victim(sex=body.victim.sex, age=body.victim.age),
            narrative=body.narrative,
            channel=body.channel,
        )
    except InvalidReportError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body", *error.field.split(".")], "msg": error.reason, "type": "value_error"}],
        ) from None
    case = await submit_report(report, runtime.unit_of_work(), cipher)
    return ReportAccepted(case_id=case.case_id, case_number=case.case_number)
