"""Reporting's HTTP API: statistics for regional action plans (RAD)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from reporting.domain.statistics import (
    ALLOWED_GROUP_KEYS,
    CaseStatistics,
    CaseStatsQuery,
    StatsQueryError,
    parse_group_by,
)
from reporting.service_layer.handlers import case_statistics
from shared.service import CurrentRuntime

router = APIRouter(prefix="/v1/stats", tags=["statistics"])


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


@router.get("/cases", response_model=CaseStatsOut)
async def case_stats(
    *,
    runtime: CurrentRuntime,
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
    except StatsQueryError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["query", error.field], "msg": error.reason, "type": "value_error"}],
        ) from None
    return CaseStatsOut.of(await case_statistics(query, runtime.unit_of_work()))
