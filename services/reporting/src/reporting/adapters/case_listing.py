"""The cases of a period and region, one record each, for the SIMFONI export: one statement, in which each of the
facts a case has several of comes as an ordered array (a correlated subquery per table, on its primary key), so
the number of queries never grows with the number of cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.case_status import while_closed, with_closures_and_reopenings

# The statistics' own filter, so that an export and the counts of the same period and region agree.
from reporting.adapters.statistics import Counts, cases_within, read_one_snapshot
from reporting.adapters.tables import case_closures, case_facts, case_relationships, case_victims, case_violence_types
from reporting.domain.simfoni import CaseRecord, Victim
from reporting.domain.statistics import StatsFilter

_case = case_facts.c


def _ordered(table: Table, column: str, order_by: str) -> ColumnElement[Any]:
    """The case's values of ``table.column`` as an array ordered by ``order_by`` (NULL when it has none)."""
    aggregated = func.array_agg(aggregate_order_by(table.c[column], table.c[order_by]))
    return select(aggregated).where(table.c.case_id == _case.case_id).scalar_subquery()


def case_records_statement(scope: StatsFilter) -> Counts:
    """The cases reported in the period and region, by report time then case number."""
    statement: Counts = (
        select(
            _case.case_number,
            _case.province_code,
            _case.regency_code,
            _case.district_code,
            _case.village_code,
            _case.reported_at,
            _case.place,
            _case.channel,
            _ordered(case_violence_types, "violence_type", "violence_type").label("violence_types"),
            _ordered(case_victims, "sex", "victim_no").label("victim_sexes"),
            _ordered(case_victims, "age_group", "victim_no").label("victim_age_groups"),
            _ordered(case_relationships, "relationship", "relationship").label("relationships"),
            while_closed(case_closures.c.closed_at).label("closed_at"),
            while_closed(case_closures.c.reason).label("reason"),
        )
        .select_from(with_closures_and_reopenings(case_facts))
    )
    return cases_within(statement, scope).order_by(_case.reported_at, _case.case_number)


async def case_records(session: AsyncSession, scope: StatsFilter) -> tuple[CaseRecord, ...]:
    """Read in a REPEATABLE READ snapshot, as the statistics are: a case and its facts as of one moment."""
    await read_one_snapshot(session)
    rows = (await session.execute(case_records_statement(scope))).mappings().all()
    return tuple(
        CaseRecord(
            case_number=row["case_number"],
            province_code=row["province_code"],
            regency_code=row["regency_code"],
            reported_at=row["reported_at"],
            place=row["place"],
            channel=row["channel"],
            violence_types=tuple(row["violence_types"] or ()),
            victims=tuple(
                Victim(sex=sex, age_group=age_group)
                for sex, age_group in zip(row["victim_sexes"] or (), row["victim_age_groups"] or (), strict=True)
            ),
            relationships=tuple(row["relationships"] or ()),
            closed_at=row["closed_at"],
            closure_reason=row["reason"],
            district_code=row["district_code"],
            village_code=row["village_code"],
        )
        for row in rows
    )
