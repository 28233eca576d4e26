"""Case statistics in SQL. Every group key maps to a fixed column expression (the whitelist); what a caller
sends reaches the database only as bound parameters."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, FromClause, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.repository import case_facts, case_violence_types
from reporting.domain.statistics import CaseStatistics, CaseStatsQuery, GroupCount, GroupKey
from shared.contracts import AgeGroup

Counts: TypeAlias = Select[*tuple[Any, ...]]

# Constants written into the SQL text, not bound: Postgres matches a SELECT expression to its GROUP BY only
# when both are textually the same, and two bound parameters never are.
_UTC: ColumnElement[str] = literal_column("'UTC'")
_YEAR_MONTH: ColumnElement[str] = literal_column("'YYYY-MM'")


def group_column(key: GroupKey) -> ColumnElement[str]:
    """The whitelist: the only SQL a group key can turn into."""
    columns: dict[GroupKey, ColumnElement[str]] = {
        GroupKey.REGENCY: case_facts.c.regency_code,
        GroupKey.PROVINCE: case_facts.c.province_code,
        GroupKey.VIOLENCE_TYPE: case_violence_types.c.violence_type,
        GroupKey.VICTIM_SEX: case_facts.c.victim_sex,
        GroupKey.AGE_GROUP: case_facts.c.victim_age_group,
        GroupKey.CHANNEL: case_facts.c.channel,
        # timezone('UTC', timestamptz) is the UTC wall-clock time, whatever the session's time zone.
        GroupKey.MONTH: func.to_char(func.timezone(_UTC, case_facts.c.reported_at), _YEAR_MONTH),
    }
    return columns[key]


def sort_column(key: GroupKey) -> ColumnElement[Any]:
    """Rows sort by their keys; age groups in SIMFONI's order (0-5, 6-12, ..., 60+, unknown), not as text."""
    if key is GroupKey.AGE_GROUP:
        # Our own enum's values, never a caller's, and written as literals for the reason above.
        order: ColumnElement[Any] = array([literal_column(f"'{group.value}'") for group in AgeGroup])
        return func.array_position(order, case_facts.c.victim_age_group)
    return group_column(key)


def _cases(query: CaseStatsQuery) -> FromClause:
    # Joined only for a breakdown by violence type: that is what makes a case count once under each type.
    if query.per_violence_type:
        return case_facts.join(case_violence_types, case_violence_types.c.case_id == case_facts.c.case_id)
    return case_facts


def _filtered(statement: Counts, query: CaseStatsQuery) -> Counts:
    """The filters, each a bound parameter."""
    if query.reported_from is not None:
        statement = statement.where(case_facts.c.reported_at >= query.reported_from)
    if query.reported_before is not None:
        statement = statement.where(case_facts.c.reported_at < query.reported_before)
    if query.province_code is not None:
        statement = statement.where(case_facts.c.province_code == query.province_code)
    if query.regency_code is not None:
        statement = statement.where(case_facts.c.regency_code == query.regency_code)
    return statement


def grouped_counts_statement(query: CaseStatsQuery) -> Counts:
    """One row per combination of the group keys present in the data, with its number of distinct cases."""
    columns = [group_column(key).label(key.value) for key in query.group_by]
    statement: Counts = select(
        *columns, func.count(case_facts.c.case_id.distinct()).label("count")
    ).select_from(_cases(query))
    statement = _filtered(statement, query)
    if query.group_by:
        statement = statement.group_by(*(group_column(key) for key in query.group_by))
        statement = statement.order_by(*(sort_column(key) for key in query.group_by))
    return statement


def total_cases_statement(query: CaseStatsQuery) -> Counts:
    """Distinct cases matching the filters: never multiplied by violence types."""
    statement: Counts = select(func.count()).select_from(case_facts)
    return _filtered(statement, query)


async def count_cases(session: AsyncSession, query: CaseStatsQuery) -> CaseStatistics:
    # One snapshot for both statements, so the rows and the total agree while new cases keep arriving.
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    rows = (await session.execute(grouped_counts_statement(query))).all()
    total = (await session.execute(total_cases_statement(query))).scalar_one()
    groups = len(query.group_by)
    return CaseStatistics(
        group_by=query.group_by,
        rows=tuple(GroupCount(tuple(str(value) for value in row[:groups]), int(row[groups])) for row in rows),
        total_cases=int(total),
    )
