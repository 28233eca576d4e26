"""Reporting's domain: which breakdowns and filters a statistics query may have."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

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


def test_group_by_keeps_the_callers_order() -> None:
    assert parse_group_by("violence_type,regency", GroupKey) == (GroupKey.VIOLENCE_TYPE, GroupKey.REGENCY)


def test_every_allowed_key_parses() -> None:
    assert parse_group_by(",".join(ALLOWED_GROUP_KEYS), GroupKey) == tuple(GroupKey)
    assert set(ALLOWED_GROUP_KEYS) == {
        "regency", "district", "village", "province", "violence_type", "victim_sex", "age_group", "place",
        "relationship", "channel", "status", "month",
    }


@pytest.mark.parametrize("raw", [None, "", " , "])
def test_no_group_by_means_no_breakdown(raw: str | None) -> None:
    assert parse_group_by(raw, GroupKey) == ()


def test_group_by_tolerates_spaces_empty_items_and_repeats() -> None:
    assert parse_group_by(" regency , ,month,regency,", GroupKey) == (GroupKey.REGENCY, GroupKey.MONTH)


@pytest.mark.parametrize(
    "raw", ["regency,victim_name", "Regency", "District", "district_code", "case_number", "regency_code", "count"]
)
def test_unknown_group_key_is_refused_naming_the_field_and_allowed_keys(raw: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by(raw, GroupKey)
    assert caught.value.field == "group_by"
    for allowed in ALLOWED_GROUP_KEYS:
        assert allowed in caught.value.reason


def test_unknown_group_key_is_quoted_but_cut_short() -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by("x" * 500, GroupKey)
    assert "x" * 40 in caught.value.reason
    assert "x" * 41 not in caught.value.reason


def test_every_referral_key_parses_in_the_callers_order() -> None:
    assert parse_group_by(",".join(reversed(ALLOWED_REFERRAL_GROUP_KEYS)), ReferralGroupKey) == tuple(
        reversed(ReferralGroupKey)
    )
    assert set(ALLOWED_REFERRAL_GROUP_KEYS) == {"agency", "agency_type", "regency", "province", "month"}


@pytest.mark.parametrize("raw", ["violence_type", "agency,victim_sex", "status"])
def test_a_case_key_is_refused_for_referrals_naming_the_referral_keys(raw: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by(raw, ReferralGroupKey)
    assert caught.value.field == "group_by"
    allowed = caught.value.reason.split("allowed: ")[1]
    assert allowed == ", ".join(ALLOWED_REFERRAL_GROUP_KEYS)


def test_a_referral_key_is_refused_for_cases() -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by("regency,agency", GroupKey)
    assert "'agency'" in caught.value.reason


@pytest.mark.parametrize("query_type", [CaseStatsQuery, ReferralStatsQuery])
def test_days_are_whole_utc_days(query_type: type[StatsFilter]) -> None:
    query = query_type(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert query.starts_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert query.ends_before == datetime(2026, 4, 1, tzinfo=UTC)  # exclusive: all of 31 March counts


@pytest.mark.parametrize("query_type", [CaseStatsQuery, ReferralStatsQuery])
def test_open_period_has_no_bounds(query_type: type[StatsFilter]) -> None:
    query = query_type()
    assert query.starts_at is None
    assert query.ends_before is None


@pytest.mark.parametrize("query_type", [CaseStatsQuery, ReferralStatsQuery])
def test_period_may_be_one_day_but_not_backwards(query_type: type[StatsFilter]) -> None:
    one_day = query_type(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
    assert one_day.ends_before == datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(StatsQueryError) as caught:
        query_type(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
    assert caught.value.field == "to"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"province_code": "6"}, "province"),
        ({"province_code": "62.13"}, "province"),
        ({"regency_code": "6213"}, "regency"),
        ({"regency_code": "62.13'; --"}, "regency"),
    ],
)
@pytest.mark.parametrize("query_type", [CaseStatsQuery, ReferralStatsQuery])
def test_bad_area_codes_are_refused(query_type: type[StatsFilter], kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        query_type(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_only_keys_a_case_can_have_several_values_of_are_not_per_case() -> None:
    # A breakdown by one of these counts a case once under each of its values, so it can add up to more cases.
    assert {key for key in GroupKey if not key.per_case} == {
        GroupKey.VIOLENCE_TYPE, GroupKey.VICTIM_SEX, GroupKey.AGE_GROUP, GroupKey.RELATIONSHIP,
    }
