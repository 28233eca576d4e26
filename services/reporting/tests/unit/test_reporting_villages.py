"""Statistics down to the kecamatan and desa, without a database: the village breakdown's SQL, the district filter,
the public's merged village rows, and region names from the one catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import Select

from reporting.adapters.statistics import grouped_counts_statement, referral_figures_statement, total_cases_statement
from reporting.domain.disclosure import OTHER_VILLAGES, CaseRow, case_table, merge_small_villages
from reporting.domain.region_names import region_name
from reporting.domain.statistics import (
    CaseStatistics,
    CaseStatsQuery,
    GroupCount,
    GroupKey,
    ReferralStatsQuery,
    StatsFilter,
    StatsQueryError,
    parse_group_by,
)
from shared.regions import load_regions


def _sql(statement: Select[*tuple[Any, ...]]) -> tuple[str, dict[str, object]]:
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


# --- the query --------------------------------------------------------------------------------------------------


def test_the_village_is_the_case_facts_village_code_grouped_and_sorted() -> None:
    sql, _ = _sql(grouped_counts_statement(CaseStatsQuery(group_by=parse_group_by("village", GroupKey))))
    village = "coalesce(reporting.case_facts.village_code, 'unknown')"
    assert f"{village} AS village" in sql
    assert sql.split("GROUP BY")[1].split("ORDER BY")[0].strip() == village
    assert "JOIN" not in sql  # a column of case_facts


def test_a_district_filter_is_a_bound_parameter_on_cases_and_names_its_regency() -> None:
    query = CaseStatsQuery(district_code="62.13.01", group_by=(GroupKey.VILLAGE,))
    assert query.regency_code == "62.13"
    for statement in (grouped_counts_statement(query), total_cases_statement(query)):
        sql, params = _sql(statement)
        assert "reporting.case_facts.district_code = " in sql
        assert "62.13.01" not in sql
        assert sorted(map(str, params.values())) == ["62.13", "62.13.01"]


def test_referrals_know_no_district_and_count_down_to_its_regency() -> None:
    sql, params = _sql(referral_figures_statement(ReferralStatsQuery(district_code="62.13.01")))
    assert "district" not in sql
    assert "62.13" in params.values()
    assert "62.13.01" not in params.values()


@pytest.mark.parametrize("district", ["62.13", "62.13.1", "62-13-01", "62.13.01.1012"])
def test_a_district_code_of_another_shape_is_refused_naming_the_field(district: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        StatsFilter(district_code=district)
    assert (caught.value.field, caught.value.code) == ("district", "district_code_invalid")


def test_a_district_outside_the_regency_asked_for_is_refused() -> None:
    with pytest.raises(StatsQueryError) as caught:
        StatsFilter(regency_code="62.14", district_code="62.13.01")
    assert (caught.value.field, caught.value.code) == ("district", "district_outside_regency")
    assert StatsFilter(regency_code="62.13", district_code="62.13.01").regency_code == "62.13"


# --- what the public sees of villages ---------------------------------------------------------------------------


def villages(*counts: int, total: int) -> CaseStatistics:
    return CaseStatistics(
        group_by=(GroupKey.VILLAGE,),
        rows=tuple(GroupCount((f"62.13.01.20{n:02d}",), count) for n, count in enumerate(counts, start=1)),
        total_cases=total,
    )


def test_small_villages_merge_into_other_and_no_small_village_is_named() -> None:
    table = case_table(villages(9, 2, 6, 1, 3, total=21), exact=False)
    assert table.rows == (
        CaseRow(("62.13.01.2001",), 9), CaseRow(("62.13.01.2003",), 6), CaseRow((OTHER_VILLAGES,), 6),
    )
    assert table.merged_rows == 3
    assert table.total_cases == 21


def test_merged_villages_that_still_make_a_small_row_are_suppressed_as_any_row_is() -> None:
    table = case_table(villages(9, 2, 6, total=17), exact=False)
    # "other" holds 2 cases: "<5", and as the lone small cell it hides the smallest other one too.
    assert table.rows == (
        CaseRow(("62.13.01.2001",), 9), CaseRow(("62.13.01.2003",), "<5"), CaseRow((OTHER_VILLAGES,), "<5"),
    )
    assert table.merged_rows == 1


def test_a_village_table_too_small_to_show_becomes_one_suppressed_row() -> None:
    table = case_table(villages(1, 2, 1, total=4), exact=False)
    assert table.rows == (CaseRow((OTHER_VILLAGES,), "<5"),)
    assert (table.merged_rows, table.total_cases) == (3, "<5")


def test_a_supervisor_sees_every_village_exactly_and_nothing_merged() -> None:
    table = case_table(villages(9, 2, 6, total=17), exact=True)
    assert [row.count for row in table.rows] == [9, 2, 6]
    assert table.merged_rows is None


def test_villages_merge_per_value_of_the_other_keys() -> None:
    rows = [
        GroupCount(("62.13.01.2001", "fisik"), 7), GroupCount(("62.13.01.2001", "psikis"), 2),
        GroupCount(("62.13.01.2002", "fisik"), 3), GroupCount(("62.13.01.2002", "psikis"), 4),
    ]
    merged, count = merge_small_villages(rows, 0)
    assert merged == [
        GroupCount(("62.13.01.2001", "fisik"), 7), GroupCount((OTHER_VILLAGES, "psikis"), 6),
        GroupCount((OTHER_VILLAGES, "fisik"), 3),
    ]
    assert count == 3


def test_other_breakdowns_merge_nothing() -> None:
    statistics = CaseStatistics((GroupKey.DISTRICT,), (GroupCount(("62.13.01",), 2),), total_cases=2)
    assert case_table(statistics, exact=False).merged_rows is None


# --- names ------------------------------------------------------------------------------------------------------


def test_each_region_level_is_named_from_the_catalogue() -> None:
    catalogue = load_regions()
    village = catalogue.villages_of("62.13.01")[0]
    assert region_name(GroupKey.PROVINCE, "62") == "Kalimantan Tengah"
    assert region_name(GroupKey.REGENCY, "62.13") == "Kabupaten Barito Timur"
    assert region_name(GroupKey.DISTRICT, "62.13.01") == catalogue.district_name("62.13.01") == "Dusun Timur"
    assert region_name(GroupKey.VILLAGE, village) == catalogue.village_name(village)


@pytest.mark.parametrize(
    ("key", "value"),
    [(GroupKey.DISTRICT, "unknown"), (GroupKey.VILLAGE, OTHER_VILLAGES), (GroupKey.REGENCY, "62"),
     (GroupKey.PROVINCE, "62.13"), (GroupKey.VIOLENCE_TYPE, "fisik"), (GroupKey.DISTRICT, "99.01.01")],
)
def test_a_value_that_is_no_region_of_its_level_has_no_name(key: GroupKey, value: str) -> None:
    assert region_name(key, value) is None
