"""The statistics dashboard (``GET /dashboard``): a server-rendered page in Bahasa Indonesia or English, with
charts of the cases by region, type of violence, age group and month, and referral response times and SLA
compliance per agency. It asks the same use cases as ``/v1/stats/*``, as the request's principal: the public sees
suppressed figures, a supervisor (with a bearer token) the exact figures of their region.

No script runs on the page and nothing is loaded from elsewhere: the charts are inline SVG, the filters a plain
GET form, and the Content-Security-Policy says so.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator, WithJsonSchema

from reporting.domain.disclosure import CaseTable
from reporting.domain.statistics import CaseStatsQuery, GroupKey, ReferralGroupKey, ReferralStatsQuery, StatsFilter
from reporting.entrypoints.api import stats_filter, written_as_a_day
from reporting.entrypoints.dashboard_view import charts_for, render_dashboard
from reporting.service_layer import handlers
from shared.dependencies import CurrentPrincipal, CurrentUnitOfWork
from shared.limits import public_rate_limit
from shared.validation_messages import Language, request_language

router = APIRouter()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def _blank_is_absent(value: object) -> object:
    # The filter form sends every field, empty ones as ``from=``: an empty field means no filter.
    return None if value == "" else value


# The last validator runs first: a blank field is no filter, anything else is a day or a 422.
Day = Annotated[date | None, BeforeValidator(written_as_a_day), BeforeValidator(_blank_is_absent),
                WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]})]


async def dashboard_filter(
    date_from: Annotated[Day, Query(alias="from", description="First day, inclusive (UTC)")] = None,
    date_to: Annotated[Day, Query(alias="to", description="Last day, inclusive (UTC)")] = None,
    province: Annotated[str | None, Query(pattern=r"^(\d{2})?$", examples=["62"])] = None,
    regency: Annotated[str | None, Query(pattern=r"^(\d{2}\.\d{2})?$", examples=["62.13"])] = None,
    district: Annotated[str | None, Query(pattern=r"^(\d{2}\.\d{2}\.\d{2})?$", examples=["62.13.01"])] = None,
) -> StatsFilter:
    """The JSON API's ``from``, ``to``, ``province``, ``regency`` and ``district``, with its checks and 422s
    (``stats_filter``), and an empty field taken as absent."""
    return await stats_filter(date_from, date_to, province or None, regency or None, district or None)


DashboardScope = Annotated[StatsFilter, Depends(dashboard_filter)]


@router.get(
    "/dashboard",
    response_class=HTMLResponse,
    tags=["dashboard"],
    dependencies=[Depends(public_rate_limit)],
    responses={200: {"content": {"text/html": {}}, "description": "The dashboard page"}},
)
async def dashboard(
    *,
    request: Request,
    principal: CurrentPrincipal,
    uow: CurrentUnitOfWork,
    scope: DashboardScope,
    lang: Annotated[
        Language | None, Query(description="Language of the page; by default from Accept-Language, else `id`")
    ] = None,
) -> HTMLResponse:
    """Dasbor statistik: cases by region, type of violence, victims' age group and month, and referrals per
    agency (time to accept and to first service, SLA compliance, escalations), for a period and region. The
    region chart counts the level below the region asked for (provinces, regencies, kecamatan, then desa), each
    region named and linked one level down; breadcrumbs lead back up."""
    language = lang or request_language(request)
    cases: dict[GroupKey, CaseTable] = {}
    for key in charts_for(scope):
        query = CaseStatsQuery(**vars(scope), group_by=(key,))
        cases[key] = await handlers.case_statistics(principal, query, uow)
    referrals = await handlers.referral_statistics(
        principal, ReferralStatsQuery(**vars(scope), group_by=(ReferralGroupKey.AGENCY,)), uow
    )
    exact = referrals.exact or any(table.exact for table in cases.values())
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Content-Language": language.value,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Exact figures are for the supervisor who asked, never a cache; public ones may be kept a minute.
        "Cache-Control": "no-store" if exact else "public, max-age=60",
        "Vary": "Accept-Language, Authorization",
    }
    return HTMLResponse(render_dashboard(language, scope, cases, referrals), headers=headers)
