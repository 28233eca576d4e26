"""Statistics in SQL. Every group key maps to a fixed column expression (the whitelist); what a caller sends
reaches the database only as bound parameters."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, FromClause, Select, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.case_status import CLOSED_NOW, with_closures_and_reopenings
from reporting.adapters.tables import (
    case_facts,
    case_relationships,
    case_victims,
    case_violence_types,
    referral_facts,
)
from reporting.domain.statistics import (
    CaseStatistics,
    CaseStatsQuery,
    GroupCount,
    GroupKey,
    ReferralFigures,
    ReferralGroupKey,
    ReferralStatistics,
    ReferralStatsQuery,
    StatsFilter,
)
from shared.contracts import AgeGroup

Counts: TypeAlias = Select[*tuple[Any, ...]]

# Constants written into the SQL text, not bound: Postgres matches a SELECT expression to its GROUP BY only
# when both are textually the same, and two bound parameters never are.
_UTC: ColumnElement[str] = literal_column("'UTC'")
_YEAR_MONTH: ColumnElement[str] = literal_column("'YYYY-MM'")
_UNKNOWN: ColumnElement[str] = literal_column("'unknown'")  # a case whose report named no district


def _month(moment: ColumnElement[Any]) -> ColumnElement[str]:
    # timezone('UTC', timestamptz) is the UTC wall-clock time, whatever the session's time zone.
    return func.to_char(func.timezone(_UTC, moment), _YEAR_MONTH)


def group_column(key: GroupKey) -> ColumnElement[str]:
    """The whitelist: the only SQL a group key can turn into."""
    columns: dict[GroupKey, ColumnElement[str]] = {
        GroupKey.REGENCY: case_facts.c.regency_code,
        GroupKey.DISTRICT: func.coalesce(case_facts.c.district_code, _UNKNOWN),
        GroupKey.VILLAGE: func.coalesce(case_facts.c.village_code, _UNKNOWN),
        GroupKey.PROVINCE: case_facts.c.province_code,
        GroupKey.VIOLENCE_TYPE: case_violence_types.c.violence_type,
        GroupKey.VICTIM_SEX: case_victims.c.sex,
        GroupKey.AGE_GROUP: case_victims.c.age_group,
        GroupKey.PLACE: case_facts.c.place,
        GroupKey.RELATIONSHIP: case_relationships.c.relationship,
        GroupKey.CHANNEL: case_facts.c.channel,
        GroupKey.STATUS: case((CLOSED_NOW, literal_column("'closed'")), else_=literal_column("'open'")),
        GroupKey.MONTH: _month(case_facts.c.reported_at),
    }
    return columns[key]


def sort_column(key: GroupKey) -> ColumnElement[Any]:
    """Rows sort by their keys; age groups in SIMFONI's order (0-5, 6-12, ..., 60+, unknown), not as text."""
    if key is GroupKey.AGE_GROUP:
        # Our own enum's values, never a caller's, and written as literals for the reason above.
        order: ColumnElement[Any] = array([literal_column(f"'{group.value}'") for group in AgeGroup])
        return func.array_position(order, case_victims.c.age_group)
    return group_column(key)


def _cases(query: CaseStatsQuery) -> FromClause:
    """case_facts, joined with what the breakdown needs: joining a table of several values per case is what
    makes a case count once under each of them (the count is of distinct cases)."""
    keys = set(query.group_by)
    cases: FromClause = case_facts
    if GroupKey.VIOLENCE_TYPE in keys:
        cases = cases.join(case_violence_types, case_violence_types.c.case_id == case_facts.c.case_id)
    if keys & {GroupKey.VICTIM_SEX, GroupKey.AGE_GROUP}:
        cases = cases.join(case_victims, case_victims.c.case_id == case_facts.c.case_id)
    if GroupKey.RELATIONSHIP in keys:
        cases = cases.join(case_relationships, case_relationships.c.case_id == case_facts.c.case_id)
    if GroupKey.STATUS in keys:
        cases = with_closures_and_reopenings(cases)
    return cases


def _filtered(
    statement: Counts, scope: StatsFilter, moment: ColumnElement[Any], province: ColumnElement[Any],
    regency: ColumnElement[Any], *, district: ColumnElement[Any] | None = None,
) -> Counts:
    """The period and region, each a bound parameter. Referrals know no district: they are counted down to the
    regency, which a district filter always names too."""
    if scope.starts_at is not None:
        statement = statement.where(moment >= scope.starts_at)
    if scope.ends_before is not None:
        statement = statement.where(moment < scope.ends_before)
    if scope.province_code is not None:
        statement = statement.where(province == scope.province_code)
    if scope.regency_code is not None:
        statement = statement.where(regency == scope.regency_code)
    if scope.district_code is not None and district is not None:
        statement = statement.where(district == scope.district_code)
    return statement


def cases_within(statement: Counts, query: StatsFilter) -> Counts:
    """``statement`` narrowed to the cases reported in the period and region of ``query``."""
    return _filtered(statement, query, case_facts.c.reported_at, case_facts.c.province_code,
                     case_facts.c.regency_code, district=case_facts.c.district_code)


def grouped_counts_statement(query: CaseStatsQuery) -> Counts:
    """One row per combination of the group keys present in the data, with its number of distinct cases."""
    columns = [group_column(key).label(key.value) for key in query.group_by]
    statement: Counts = select(
        *columns, func.count(case_facts.c.case_id.distinct()).label("count")
    ).select_from(_cases(query))
    statement = cases_within(statement, query)
    if query.group_by:
        statement = statement.group_by(*(group_column(key) for key in query.group_by))
        statement = statement.order_by(*(sort_column(key) for key in query.group_by))
    return statement


def total_cases_statement(query: StatsFilter) -> Counts:
    """Distinct cases matching the filters: never multiplied by violence types."""
    statement: Counts = select(func.count()).select_from(case_facts)
    return cases_within(statement, query)


async def read_one_snapshot(session: AsyncSession) -> None:
    """Begin the session's transaction reading one snapshot for every statement, so the rows and the total
    agree while new events keep arriving. Call first: the isolation level is set as the transaction begins."""
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def count_cases(session: AsyncSession, query: CaseStatsQuery) -> CaseStatistics:
    rows = (await session.execute(grouped_counts_statement(query))).all()
    total = (await session.execute(total_cases_statement(query))).scalar_one()
    groups = len(query.group_by)
    return CaseStatistics(
        group_by=query.group_by,
        rows=tuple(GroupCount(tuple(str(value) for value in row[:groups]), int(row[groups])) for row in rows),
        total_cases=int(total),
    )


# --- referrals ------------------------------------------------------------------------------------------------

_r = referral_facts.c


def referral_group_column(key: ReferralGroupKey) -> ColumnElement[str]:
    columns: dict[ReferralGroupKey, ColumnElement[str]] = {
        ReferralGroupKey.AGENCY: _r.agency_id,
        ReferralGroupKey.AGENCY_TYPE: _r.agency_type,
        ReferralGroupKey.REGENCY: _r.regency_code,
        ReferralGroupKey.PROVINCE: _r.province_code,
        ReferralGroupKey.MONTH: _month(_r.referred_at),
    }
    return columns[key]


def _hours(since: ColumnElement[Any], until: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.extract("epoch", until - since) / 3600.0


def _percentile(fraction: float, hours: ColumnElement[Any]) -> ColumnElement[Any]:
    # NULLs (a step not reached) are left out, as the figures promise.
    return func.percentile_cont(fraction).within_group(hours)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count().filter(condition)


def referral_figures_statement(query: ReferralStatsQuery) -> Counts:
    to_accept = _hours(_r.referred_at, _r.accepted_at)
    to_service = _hours(_r.referred_at, _r.service_started_at)
    columns = [referral_group_column(key).label(key.value) for key in query.group_by]
    statement: Counts = select(
        *columns,
        func.count().label("count"),
        func.count(_r.accepted_at).label("accepted"),
        _percentile(0.5, to_accept).label("hours_to_accept_median"),
        _percentile(0.9, to_accept).label("hours_to_accept_p90"),
        _percentile(0.5, to_service).label("hours_to_first_service_median"),
        _percentile(0.9, to_service).label("hours_to_first_service_p90"),
        _count_where((_r.accepted_at <= _r.accept_by) & ~_r.accept_breached).label("accept_sla_met"),
        _count_where(_r.accept_breached | (_r.accepted_at > _r.accept_by)).label("accept_sla_missed"),
        _count_where((_r.service_started_at <= _r.first_service_by) & ~_r.first_service_breached).label(
            "first_service_sla_met"
        ),
        _count_where(_r.first_service_breached | (_r.service_started_at > _r.first_service_by)).label(
            "first_service_sla_missed"
        ),
        (_count_where(_r.accept_escalated) + _count_where(_r.first_service_escalated)).label("escalations"),
        _count_where(_r.ended_at.is_(None)).label("open"),
        func.count(_r.ended_at).label("closed"),
    ).select_from(referral_facts)
    statement = _referrals_filtered(statement, query)
    if query.group_by:
        statement = statement.group_by(*(referral_group_column(key) for key in query.group_by))
        statement = statement.order_by(*(referral_group_column(key) for key in query.group_by))
    return statement


def _referrals_filtered(statement: Counts, query: StatsFilter) -> Counts:
    # Counted from referral.created on: a referral whose other events were read first waits for it.
    statement = statement.where(_r.referred_at.is_not(None))
    return _filtered(statement, query, _r.referred_at, _r.province_code, _r.regency_code)


async def referral_statistics(session: AsyncSession, query: ReferralStatsQuery) -> ReferralStatistics:
    rows = (await session.execute(referral_figures_statement(query))).mappings().all()
    total = (await session.execute(_referrals_filtered(select(func.count()).select_from(referral_facts), query)))
    keys = [key.value for key in query.group_by]
    figures = tuple(
        ReferralFigures(
            values=tuple(str(row[key]) for key in keys),
            count=row["count"],
            accepted=row["accepted"],
            hours_to_accept_median=_float(row["hours_to_accept_median"]),
            hours_to_accept_p90=_float(row["hours_to_accept_p90"]),
            hours_to_first_service_median=_float(row["hours_to_first_service_median"]),
            hours_to_first_service_p90=_float(row["hours_to_first_service_p90"]),
            accept_sla_met=row["accept_sla_met"],
            accept_sla_missed=row["accept_sla_missed"],
            first_service_sla_met=row["first_service_sla_met"],
            first_service_sla_missed=row["first_service_sla_missed"],
            escalations=row["escalations"],
            open=row["open"],
            closed=row["closed"],
        )
        for row in rows
    )
    return ReferralStatistics(group_by=query.group_by, rows=figures, total_referrals=int(total.scalar_one()))


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
