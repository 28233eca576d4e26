"""Reporting's HTTP API for an auditor's checks: a case found by its number, and its hash chain verified."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from reporting.domain.access import AUDIT_READERS
from reporting.service_layer import audit_checks
from shared.auth import Principal
from shared.dependencies import CurrentUnitOfWork, require_roles
from shared.http_errors import refused

router = APIRouter(prefix="/v1")

AuditReader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]


class AuditedCaseOut(BaseModel):
    case_id: UUID
    case_number: str


class BrokenRecordOut(BaseModel):
    """The first record that breaks the chain: by its position and event id, never its contents."""

    seq: int = Field(description="The record altered, or the first one missing.")
    event_id: UUID | None = Field(description="The altered record's event, or the one after the gap (null when "
                                  "the missing records end the chain).")
    problem: Literal["altered", "removed", "added", "head missing"]


class ChainVerificationOut(BaseModel):
    case_id: UUID
    intact: bool = Field(description="Every record is as recorded, none is missing, and the chain's head agrees.")
    records_checked: int
    first_broken: BrokenRecordOut | None


@router.get("/audit/cases", response_model=list[AuditedCaseOut], tags=["audit"])
async def find_audited_cases(
    principal: AuditReader, uow: CurrentUnitOfWork,
    case_number: Annotated[str, Query(min_length=1, max_length=64, description="The case's number in Sinergi")],
) -> list[AuditedCaseOut]:
    """The case of this number, when it is one of your province's (an empty list otherwise)."""
    found = await audit_checks.find_cases(principal, case_number, uow)
    return [AuditedCaseOut(case_id=case_id, case_number=number) for case_id, number in found]


@router.get(
    "/audit/cases/{case_id}/verification",
    response_model=ChainVerificationOut,
    tags=["audit"],
    responses={404: {"description": "No such case in the statistics of your province"}},
)
async def verify_case_chain(case_id: UUID, principal: AuditReader, uow: CurrentUnitOfWork) -> ChainVerificationOut:
    """Checks the case's hash chain as stored: each record's hash, the links between them, and the chain's head.
    Names the first broken record by position and event id (cases of your province)."""
    checked = await audit_checks.verify_case_chain(principal, case_id, uow)
    if checked is None:
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", ("path", "case_id"))
    finding = checked.finding
    broken = None if finding is None else BrokenRecordOut(seq=finding.seq, event_id=finding.event_id,
                                                           problem=finding.problem)
    return ChainVerificationOut(case_id=case_id, intact=finding is None, records_checked=checked.records_checked,
                                first_broken=broken)
