"""Reporting's HTTP API: statistics for regional action plans (RAD)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from reporting.domain.access import AUDIT_READERS
from reporting.domain.disclosure import CaseTable, ReferralTable
from reporting.domain.region_names import REGION_KEYS, region_name
from reporting.domain.statistics import (
    ALLOWED_GROUP_KEYS,
    ALLOWED_REFERRAL_GROUP_KEYS,
    CaseStatsQuery,
    GroupKey,
    ReferralGroupKey,
    ReferralStatsQuery,
    StatsFilter,
    StatsQueryError,
    parse_group_by,
)
from reporting.service_layer import handlers
from shared.auth import Principal
from shared.dependencies import CurrentPrincipal, CurrentUnitOfWork, anonymous_rate_limit, require_roles
from shared.http_errors import LocalizedHTTPError, edge_error, refused

router = APIRouter(prefix="/v1")

AuditReader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]


Count = Annotated[
    int | Literal["<5"],
    Field(description="A number; for the public, `\"<5\"` where 1 to 4 (and a second small cell beside a lone one)."),
]


class CaseStatsOut(BaseModel):
    """Case counts broken down by ``group_by``, counted the SIMFONI-PPA way: a case with two violence types
    (victims of two age groups, perpetrators of two relationships) counts once under each, and once in
    ``total_cases``."""

    group_by: list[str]
    rows: list[dict[str, str | int | None]] = Field(
        description="One per combination of group values present, sorted by them: the values and a `count` of "
        "cases (`\"<5\"` for a suppressed cell). With `names=true`, each region key (`province`, `regency`, "
        "`district`, `village`) also has its name beside it as `<key>_name` (null for `unknown`, `other`).",
        examples=[[{"regency": "62.13", "regency_name": "Kabupaten Barito Timur", "violence_type": "fisik",
                    "count": 3}]],
    )
    total_cases: Count
    exact: bool = Field(description="True for a supervisor of the region counted; false for public aggregates.")
    merged_rows: int | None = Field(
        default=None,
        description="Only in the public's breakdowns by `village`: how many village rows of 1 to 4 cases were "
        "merged into the row whose village is `other` (no village with a small count is shown, not even as "
        "`\"<5\"`); 0 when none was. Absent otherwise.",
    )

    @classmethod
    def of(cls, table: CaseTable, *, names: bool = False) -> CaseStatsOut:
        rows = [_case_row(table.group_by, row.values, names) | {"count": row.count} for row in table.rows]
        return cls(group_by=list(table.group_by), rows=rows, total_cases=table.total_cases, exact=table.exact,
                   merged_rows=table.merged_rows)


def _case_row(keys: Sequence[str], values: Sequence[str], names: bool) -> dict[str, str | int | None]:
    row: dict[str, str | int | None] = {}
    for key, value in zip(keys, values, strict=True):
        row[key] = value
        if names and GroupKey(key) in REGION_KEYS:
            row[f"{key}_name"] = region_name(GroupKey(key), value)
    return row


class ReferralFiguresOut(BaseModel):
    """How one group of referrals went. Hours are from the referral; a figure is null when no referral got
    that far, or (for the public) the group has fewer than 5 referrals."""

    keys: dict[str, str] = Field(description="The group values, by group key.")
    count: Count
    accepted: Count
    hours_to_accept_median: float | None
    hours_to_accept_p90: float | None
    hours_to_first_service_median: float | None
    hours_to_first_service_p90: float | None
    accept_sla_met: Count
    accept_sla_missed: Count
    first_service_sla_met: Count
    first_service_sla_missed: Count
    sla_compliance: float | None = Field(description="Share of decided deadlines (both kinds) met, 0 to 1.")
    escalations: Count = Field(description="SLA breaches escalated to the next agency in the chain.")
    open: Count
    closed: Count = Field(description="Completed, declined or revoked.")


class ReferralStatsOut(BaseModel):
    """Referral figures by ``group_by`` (e.g. per agency): response times, SLA compliance, escalations."""

    group_by: list[str]
    rows: list[ReferralFiguresOut]
    total_referrals: Count
    exact: bool

    @classmethod
    def of(cls, table: ReferralTable) -> ReferralStatsOut:
        rows = [
            ReferralFiguresOut(
                keys=dict(zip(table.group_by, row.values, strict=True)),
                **{name: value for name, value in asdict(row).items() if name != "values"},
            )
            for row in table.rows
        ]
        return cls(group_by=list(table.group_by), rows=rows, total_referrals=table.total_referrals, exact=table.exact)


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


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def written_as_a_day(value: object) -> object:
    """A day only as written YYYY-MM-DD: pydantic would also read a number as a Unix timestamp (``to=1700000000``,
    even ``to=6e-258`` as 1970-01-01), a period nobody asked for."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    return value


Day = Annotated[date | None, BeforeValidator(written_as_a_day)]


async def stats_filter(
    date_from: Annotated[Day, Query(alias="from", description="First day, inclusive (UTC)")] = None,
    date_to: Annotated[Day, Query(alias="to", description="Last day, inclusive (UTC)")] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", examples=["62"])] = None,
    regency: Annotated[str | None, Query(pattern=r"^\d{2}\.\d{2}$", examples=["62.13"])] = None,
    district: Annotated[str | None, Query(
        pattern=r"^\d{2}\.\d{2}\.\d{2}$", examples=["62.13.01"],
        description="A kecamatan: cases of it only (it names its regency, which `regency` may repeat); referrals "
        "are counted down to that regency, as they know no kecamatan",
    )] = None,
) -> StatsFilter:
    """The period and region of a statistics request (query parameters ``from``, ``to``, ``province``,
    ``regency``, ``district``)."""
    return _valid(lambda: StatsFilter(date_from, date_to, province, regency, district))


Scope = Annotated[StatsFilter, Depends(stats_filter)]


T = TypeVar("T")


def _valid(build: Callable[[], T]) -> T:
    try:
        return build()
    except StatsQueryError as error:
        item = edge_error(error.code, ("query", error.field), **error.ctx)
        raise LocalizedHTTPError(status.HTTP_422_UNPROCESSABLE_CONTENT, [item]) from None


def _group_by_query(allowed: Sequence[str]) -> object:
    return Query(
        description=f"Comma-separated breakdown, any of: {', '.join(allowed)}",
        examples=[",".join(allowed[:2])],
        max_length=200,
    )


# Answered to everyone; the public at the public rate (their figures are counted over every case, by SQL).
PUBLIC_RATE = [Depends(anonymous_rate_limit)]


@router.get("/stats/cases", response_model=CaseStatsOut, response_model_exclude_none=True, tags=["statistics"],
            dependencies=PUBLIC_RATE)
async def case_stats(
    *,
    principal: CurrentPrincipal,
    uow: CurrentUnitOfWork,
    scope: Scope,
    group_by: Annotated[str | None, _group_by_query(ALLOWED_GROUP_KEYS)] = None,
    names: Annotated[bool, Query(description="Add each region's name beside its code (`regency_name`...)")] = False,
) -> CaseStatsOut:
    """Cases by region, violence type, victims' sex and age group, place, relationship, month...: exact for a
    supervisor of the region counted (a district supervisor's regency, a province admin's or auditor's
    province; their whole region when none is named), suppressed public aggregates for anyone else."""
    query = _valid(lambda: CaseStatsQuery(**vars(scope), group_by=parse_group_by(group_by, GroupKey)))
    return CaseStatsOut.of(await handlers.case_statistics(principal, query, uow), names=names)


@router.get("/stats/referrals", response_model=ReferralStatsOut, tags=["statistics"], dependencies=PUBLIC_RATE)
async def referral_stats(
    *,
    principal: CurrentPrincipal,
    uow: CurrentUnitOfWork,
    scope: Scope,
    group_by: Annotated[str | None, _group_by_query(ALLOWED_REFERRAL_GROUP_KEYS)] = None,
) -> ReferralStatsOut:
    """Referrals made in the period (by agency, agency type, region, month): time to accept and to first
    service (median and p90), SLA compliance, escalations, open and closed. Exact or public as for cases."""
    query = _valid(
        lambda: ReferralStatsQuery(**vars(scope), group_by=parse_group_by(group_by, ReferralGroupKey))
    )
    return ReferralStatsOut.of(await handlers.referral_statistics(principal, query, uow))


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
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", ("path", "case_id"))
    return [PersonalDataReadOut.model_validate(read) for read in reads]
