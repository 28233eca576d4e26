"""Reporting's domain: which breakdowns and filters a statistics query may have."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from reporting.domain.facts import CaseFacts
from reporting.domain.statistics import (
    ALLOWED_GROUP_KEYS,
    CaseStatsQuery,
    GroupKey,
    StatsQueryError,
    parse_group_by,
)
from shared.contracts import AgeGroup, Channel, Sex, ViolenceType
from shared.contracts.examples import example_case_reported


def test_group_by_keeps_the_callers_order() -> None:
    assert parse_group_by("violence_type,regency") == (GroupKey.VIOLENCE_TYPE, GroupKey.REGENCY)


def test_every_allowed_key_parses() -> None:
    assert parse_group_by(",".join(ALLOWED_GROUP_KEYS)) == tuple(GroupKey)
    assert set(ALLOWED_GROUP_KEYS) == {
        "regency", "province", "violence_type", "victim_sex", "age_group", "channel", "month",
    }


@pytest.mark.parametrize("raw", [None, "", " , "])
def test_no_group_by_means_no_breakdown(raw: str | None) -> None:
    assert parse_group_by(raw) == ()


def test_group_by_tolerates_spaces_empty_items_and_repeats() -> None:
    assert parse_group_by(" regency , ,month,regency,") == (GroupKey.REGENCY, GroupKey.MONTH)


@pytest.mark.parametrize("raw", ["regency,district", "Regency", "case_number", "regency_code", "count"])
def test_unknown_group_key_is_refused_naming_the_field_and_allowed_keys(raw: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by(raw)
    assert caught.value.field == "group_by"
    for allowed in ALLOWED_GROUP_KEYS:
        assert allowed in caught.value.reason


def test_unknown_group_key_is_quoted_but_cut_short() -> None:
    with pytest.raises(StatsQueryError) as caught:
        parse_group_by("x" * 500)
    assert "x" * 40 in caught.value.reason
    assert "x" * 41 not in caught.value.reason


def test_days_are_whole_utc_days() -> None:
    query = CaseStatsQuery(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert query.reported_from == datetime(2026, 3, 1, tzinfo=UTC)
    assert query.reported_before == datetime(2026, 4, 1, tzinfo=UTC)  # exclusive: all of 31 March counts


def test_open_period_has_no_bounds() -> None:
    query = CaseStatsQuery()
    assert query.reported_from is None
    assert query.reported_before is None


def test_period_may_be_one_day_but_not_backwards() -> None:
    CaseStatsQuery(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
    with pytest.raises(StatsQueryError) as caught:
        CaseStatsQuery(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
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
def test_bad_area_codes_are_refused(kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        CaseStatsQuery(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_only_a_violence_type_breakdown_counts_a_case_per_type() -> None:
    assert CaseStatsQuery(group_by=(GroupKey.REGENCY, GroupKey.VIOLENCE_TYPE)).per_violence_type
    assert not CaseStatsQuery(group_by=(GroupKey.REGENCY, GroupKey.MONTH)).per_violence_type


def test_case_facts_name_each_violence_type_once() -> None:
    event = example_case_reported(
        case_id=uuid4(),
        case_number="6213-2026-00001",
        province_code="62",
        regency_code="62.13",
        violence_types=(ViolenceType.FISIK, ViolenceType.PSIKIS, ViolenceType.FISIK),
        victim_sex=Sex.PEREMPUAN,
        victim_age_group=AgeGroup.AGE_6_12,
        channel=Channel.HOTLINE,
        reported_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    facts = CaseFacts.from_event(event)
    assert facts.violence_types == (ViolenceType.FISIK, ViolenceType.PSIKIS)
    assert facts.case_id == event.case_id
    assert facts.regency_code == "62.13"
