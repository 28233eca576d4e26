"""Reporting's HTTP API: statistics for regional action plans (RAD)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from reporting.domain.access import AUDIT_READERS, STATS_READERS, OutsideRegionError, scoped_to_region
from reporting.domain.statistics import (
    ALLOWED_GROUP_KEYS,
    CaseStatistics,
    CaseStatsQuery,
    StatsQueryError,
    parse_group_by,
)
from reporting.service_layer import handlers
from shared.auth import Principal
from shared.dependencies import CurrentUnitOfWork, require_roles

router = APIRouter(prefix="/v1")

StatsReader = Annotated[Principal, Depends(require_roles(*STATS_READERS))]
AuditReader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]


class CaseStatsOut(BaseModel):
    """Case counts broken down by ``group_by``, counted the SIMFONI-PPA way: a case with two violence types
    counts once under each type, and once in ``total_cases``."""

    group_by: list[str]
    rows: list[dict[str, str | int]] = Field(
        description="One per combination of group values, sorted by them: the values and a `count` of cases.",
        examples=[[{"regency": "62.13", "violence_type": "fisik", "count": 3}]],
    )
    total_cases: int = Field(description="Distinct cases matching the filters.")

    @classmethod
    def of(cls, statistics: CaseStatistics) -> CaseStatsOut:
        keys = [key.value for key in statistics.group_by]
        rows: list[dict[str, str | int]] = [
            {**dict(zip(keys, row.values, strict=True)), "count": row.count} for row in statistics.rows
        ]
        return cls(group_by=keys, rows=rows, total_cases=statistics.total_cases)


class PersonalDataReadOut(BaseModel):
    """One read of a case's personal fields: who, for which agency, which fields, when, through what."""

    model_config = ConfigDict(from_attributes=True)

    event_id: UUID
    case_id: UUID
    actor_user_id: str
    actor_agency_id: str | None
    actor_roles: list[str]
    fields: list[str]
    endpoint: str
    occurred_at: datetime


@router.get(
    "/stats/cases",
    response_model=CaseStatsOut,
    tags=["statistics"],
    responses={403: {"description": "Outside the region you supervise"}},
)
async def case_stats(
    *,
    principal: StatsReader,
    uow: CurrentUnitOfWork,
    group_by: Annotated[
        str | None,
        Query(description=f"Comma-separated breakdown, any of: {', '.join(ALLOWED_GROUP_KEYS)}",
              examples=["regency,violence_type"], max_length=200),
    ] = None,
    date_from: Annotated[date | None, Query(alias="from", description="First day, inclusive (UTC)")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, inclusive (UTC)")] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", examples=["62"])] = None,
    regency: Annotated[str | None, Query(pattern=r"^\d{2}\.\d{2}$", examples=["62.13"])] = None,
) -> CaseStatsOut:
    try:
        query = CaseStatsQuery(
            group_by=parse_group_by(group_by),
            date_from=date_from,
            date_to=date_to,
            province_code=province,
            regency_code=regency,
        )
        query = scoped_to_region(principal, query)
    except StatsQueryError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["query", error.field], "msg": error.reason, "type": "value_error"}],
        ) from None
    except OutsideRegionError:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "outside the region you supervise") from None
    return CaseStatsOut.of(await handlers.case_statistics(query, uow))


@router.get(
    "/audit/cases/{case_id}/reads",
    response_model=list[PersonalDataReadOut],
    tags=["audit"],
    responses={404: {"description": "No such case in the statistics of your province"}},
)
async def case_reads(
    case_id: UUID,
    principal: AuditReader,
    uow: CurrentUnitOfWork,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[PersonalDataReadOut]:
    """Every recorded read of the case's personal fields, oldest first (cases of your province)."""
    reads = await handlers.reads_of_case(principal, case_id, uow, limit=limit)
    if reads is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    return [PersonalDataReadOut.model_validate(read) for read in reads]
