"""Reporting's statistics SQL, compiled but not run: the whitelist, the join rule and bound parameters."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Any

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import Select

from reporting.adapters.statistics import grouped_counts_statement, referral_figures_statement, total_cases_statement
from reporting.domain.statistics import (
    CaseStatsQuery,
    GroupKey,
    ReferralFigures,
    ReferralGroupKey,
    ReferralStatsQuery,
    parse_group_by,
)

# The tables of facts a case can have several of, and of closures and reopenings: joined only when a breakdown
# needs them.
JOINED_PER_KEY = ("case_violence_types", "case_victims", "case_relationships", "case_closures", "case_reopenings")


def _sql(statement: Select[*tuple[Any, ...]]) -> tuple[str, dict[str, object]]:
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


def _positional_params(statement: Select[*tuple[Any, ...]]) -> tuple[str, dict[str, object]]:
    """The SQL and its parameters by placeholder (``$1`` ...), as asyncpg receives them."""
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    params = compiled.params
    return str(compiled), {f"${n}": params[name] for n, name in enumerate(compiled.positiontup or (), start=1)}


def _joins(sql: str) -> list[tuple[str, str]]:
    """(kind, table) of each join in ``sql``, checking every one is on the case."""
    found = re.findall(r"(LEFT OUTER JOIN|JOIN) reporting\.(\w+) ON ([^ ]+ = [^ ]+)", sql)
    for _, table, condition in found:
        assert condition == f"reporting.{table}.case_id = reporting.case_facts.case_id"
    return [(kind, table) for kind, table, _ in found]


def _labels(sql: str) -> list[str]:
    """The labels of the select list, in order."""
    return re.findall(r" AS (\w+)(?=,|\s*$)", sql.partition("\nFROM")[0])


def _case_sql(group_by: str) -> str:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=parse_group_by(group_by, GroupKey))))
    return sql


# --- cases ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group_by", "joins"),
    [
        ("regency,violence_type", [("JOIN", "case_violence_types")]),
        ("victim_sex", [("JOIN", "case_victims")]),
        ("age_group", [("JOIN", "case_victims")]),
        # One join for both: each row pairs the sex and age group of the same victim.
        ("victim_sex,age_group", [("JOIN", "case_victims")]),
        ("relationship", [("JOIN", "case_relationships")]),
        # Outer: a case with no closure (or no reopening) is counted too.
        ("status", [("LEFT OUTER JOIN", "case_closures"), ("LEFT OUTER JOIN", "case_reopenings")]),
        ("violence_type,relationship", [("JOIN", "case_violence_types"), ("JOIN", "case_relationships")]),
        ("regency,province,place,channel,month", []),
        ("district,regency", []),  # the district is a column of case_facts
    ],
)
def test_a_breakdown_joins_only_the_tables_its_keys_need(group_by: str, joins: list[tuple[str, str]]) -> None:
    assert _joins(_case_sql(group_by)) == joins


def test_status_is_closed_exactly_when_a_closure_is_recorded_and_not_followed_by_a_reopening() -> None:
    select_list = _case_sql("status").split("\nFROM")[0]
    assert (
        "CASE WHEN (reporting.case_closures.case_id IS NOT NULL AND (reporting.case_reopenings.case_id IS NULL"
        " OR reporting.case_closures.closed_at > reporting.case_reopenings.reopened_at))"
        " THEN 'closed' ELSE 'open' END AS status"
    ) in select_list


@pytest.mark.parametrize("group_by", [(), tuple(GroupKey)])
def test_total_never_joins_anything_whatever_the_breakdown(group_by: tuple[GroupKey, ...]) -> None:
    total, _ = _sql(total_cases_statement(CaseStatsQuery(group_by=group_by)))
    assert "JOIN" not in total
    assert not any(table in total for table in JOINED_PER_KEY)
    assert total.startswith("SELECT count(*)")
    assert total.split("FROM")[1].strip() == "reporting.case_facts"


def test_group_keys_become_labelled_columns_grouped_and_sorted_in_order() -> None:
    sql = _case_sql("month,regency")
    select_list = sql.split("FROM")[0]
    assert _labels(sql) == ["month", "regency", "count"]
    assert "count(DISTINCT reporting.case_facts.case_id)" in select_list
    assert "timezone('UTC', reporting.case_facts.reported_at), 'YYYY-MM')" in sql
    group_by = sql.split("GROUP BY")[1].split("ORDER BY")[0]
    assert group_by.index("to_char") < group_by.index("regency_code")
    assert "ORDER BY to_char" in sql


def test_the_district_is_the_case_facts_district_code_grouped_and_sorted() -> None:
    sql = _case_sql("district")
    assert _labels(sql) == ["district", "count"]
    district = "coalesce(reporting.case_facts.district_code, 'unknown')"
    assert f"{district} AS district" in sql
    assert sql.split("GROUP BY")[1].split("ORDER BY")[0].strip() == district


def test_age_groups_sort_in_simfoni_order() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=(GroupKey.AGE_GROUP,))))
    assert "array_position(ARRAY['0-5', '6-12', '13-17', '18-24', '25-44', '45-59', '60+', 'unknown']" in sql


def test_no_breakdown_is_a_single_count() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery()))
    assert "GROUP BY" not in sql
    assert "JOIN" not in sql


def test_filters_are_bound_parameters_never_sql_text() -> None:
    query = CaseStatsQuery(
        group_by=parse_group_by("regency", GroupKey),
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


# --- referrals ------------------------------------------------------------------------------------------------


def _referral_sql(query: ReferralStatsQuery) -> tuple[str, dict[str, object]]:
    return _sql(referral_figures_statement(query))


def test_referral_times_are_percentiles_within_group_of_the_hours_since_referral() -> None:
    sql, params = _positional_params(referral_figures_statement(ReferralStatsQuery()))
    percentiles = re.findall(
        r"percentile_cont\((\$\d+)::FLOAT\) WITHIN GROUP \(ORDER BY EXTRACT\(epoch FROM "
        r"reporting\.referral_facts\.(\w+) - reporting\.referral_facts\.referred_at\) / "
        r"CAST\((\$\d+)::FLOAT AS DOUBLE PRECISION\)\) AS (\w+)",
        sql,
    )
    assert {label: (params[fraction], step, params[divisor]) for fraction, step, divisor, label in percentiles} == {
        "hours_to_accept_median": (0.5, "accepted_at", 3600.0),
        "hours_to_accept_p90": (0.9, "accepted_at", 3600.0),
        "hours_to_first_service_median": (0.5, "service_started_at", 3600.0),
        "hours_to_first_service_p90": (0.9, "service_started_at", 3600.0),
    }


def test_referral_figures_are_labelled_as_the_figures_are_read() -> None:
    sql, _ = _referral_sql(ReferralStatsQuery())
    figures = [field.name for field in fields(ReferralFigures) if field.name != "values"]
    assert _labels(sql) == figures
    assert "GROUP BY" not in sql


def test_referral_group_keys_become_labelled_columns_grouped_and_sorted_in_order() -> None:
    query = ReferralStatsQuery(group_by=parse_group_by("month,agency_type,agency", ReferralGroupKey))
    sql, _ = _referral_sql(query)
    assert _labels(sql)[:4] == ["month", "agency_type", "agency", "count"]
    assert "to_char(timezone('UTC', reporting.referral_facts.referred_at), 'YYYY-MM') AS month" in sql
    keys = (
        "to_char(timezone('UTC', reporting.referral_facts.referred_at), 'YYYY-MM'), "
        "reporting.referral_facts.agency_type, reporting.referral_facts.agency_id"
    )
    assert f"GROUP BY {keys} ORDER BY {keys}" in sql


@pytest.mark.parametrize("key", list(ReferralGroupKey))
def test_every_referral_key_is_a_column_of_referral_facts(key: ReferralGroupKey) -> None:
    sql, _ = _referral_sql(ReferralStatsQuery(group_by=(key,)))
    assert _labels(sql)[0] == key.value
    assert "JOIN" not in sql
    assert sql.split("\nFROM ")[1].startswith("reporting.referral_facts \nWHERE")


def test_referrals_count_only_once_their_creation_is_read() -> None:
    sql, params = _referral_sql(ReferralStatsQuery())
    assert sql.split("\nWHERE ")[1] == "reporting.referral_facts.referred_at IS NOT NULL"
    assert sorted(params.values(), key=str) == [0.5, 0.5, 0.9, 0.9, 3600.0, 3600.0]  # no filter, only the figures' own


def test_referral_filters_are_bound_parameters_on_the_referral_never_sql_text() -> None:
    query = ReferralStatsQuery(
        group_by=parse_group_by("regency", ReferralGroupKey),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
        province_code="62",
        regency_code="62.13",
    )
    sql, params = _positional_params(referral_figures_statement(query))
    assert "62.13" not in sql
    assert "'62'" not in sql
    assert "2026" not in sql
    where = sql.split("\nWHERE ")[1].split(" GROUP BY")[0]
    conditions = re.findall(r"reporting\.referral_facts\.(\w+) (IS NOT NULL|>=|<|=) ?(\$\d+)?", where)
    assert [(column, operator, str(params[placeholder]) if placeholder else None)
            for column, operator, placeholder in conditions] == [
        ("referred_at", "IS NOT NULL", None),
        ("referred_at", ">=", "2026-01-01 00:00:00+00:00"),
        ("referred_at", "<", "2026-02-01 00:00:00+00:00"),
        ("province_code", "=", "62"),
        ("regency_code", "=", "62.13"),
    ]
