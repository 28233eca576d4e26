"""Reporting's statistics SQL, compiled but not run: the whitelist, the join rule and bound parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import Select

from reporting.adapters.statistics import grouped_counts_statement, total_cases_statement
from reporting.domain.statistics import CaseStatsQuery, GroupKey, parse_group_by


def _sql(statement: Select[*tuple[Any, ...]]) -> tuple[str, dict[str, object]]:
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


def test_violence_types_are_joined_only_for_a_violence_type_breakdown() -> None:
    by_type, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=parse_group_by("regency,violence_type"))))
    by_sex, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=parse_group_by("regency,victim_sex"))))
    assert "case_violence_types" in by_type
    assert "case_violence_types" not in by_sex


def test_total_never_joins_violence_types() -> None:
    total, _ = _sql(total_cases_statement(CaseStatsQuery(group_by=parse_group_by("violence_type"))))
    assert "case_violence_types" not in total
    assert "count(*)" in total


def test_group_keys_become_labelled_columns_grouped_and_sorted_in_order() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=parse_group_by("month,regency"))))
    select_list = sql.split("FROM")[0]
    assert select_list.index("AS month") < select_list.index("AS regency") < select_list.index("AS count")
    assert "count(DISTINCT reporting.case_facts.case_id)" in select_list
    assert "timezone('UTC', reporting.case_facts.reported_at), 'YYYY-MM')" in sql
    group_by = sql.split("GROUP BY")[1].split("ORDER BY")[0]
    assert group_by.index("to_char") < group_by.index("regency_code")
    assert "ORDER BY to_char" in sql


def test_age_groups_sort_in_simfoni_order() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=(GroupKey.AGE_GROUP,))))
    assert "array_position(ARRAY['0-5', '6-12', '13-17', '18-24', '25-44', '45-59', '60+', 'unknown']" in sql


def test_no_breakdown_is_a_single_count() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery()))
    assert "GROUP BY" not in sql
    assert "JOIN" not in sql


def test_filters_are_bound_parameters_never_sql_text() -> None:
    query = CaseStatsQuery(
        group_by=parse_group_by("regency"),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
        province_code="62",
        regency_code="62.13",
    )
    for statement in (grouped_counts_statement(query), total_cases_statement(query)):
        sql, params = _sql(statement)
        assert "62.13" not in sql
        assert "'62'" not in sql
        assert "2026" not in sql
        assert sorted(str(value) for value in params.values()) == sorted(
            ["2026-01-01 00:00:00+00:00", "2026-02-01 00:00:00+00:00", "62", "62.13"]
        )
