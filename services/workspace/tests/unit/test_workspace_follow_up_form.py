from datetime import UTC, date, datetime, time

import pytest

from workspace.domain.follow_ups import WIB, WIT, WITA, parse_date, parse_follow_up, parse_time, province_zone

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_follow_up_is_due_in_the_local_time_of_the_cases_province() -> None:
    due, errors = parse_follow_up("10/12/2026", "09:00", "Kunjungan rumah", province_code="63", now=NOW)
    assert errors == []
    assert due == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 09:00 WITA
    assert (province_zone("62"), province_zone("64"), province_zone("94")) == (WIB, WITA, WIT)


@pytest.mark.parametrize("typed", ["31/12/2026", "31-12-2026", "31.12.2026", " 31/12/2026 ", "2026-12-31"])
def test_a_date_is_read_day_first_as_indonesians_write_it(typed: str) -> None:
    assert parse_date(typed) == date(2026, 12, 31)


def test_day_first_is_not_month_first() -> None:
    assert parse_date("03/04/2027") == date(2027, 4, 3)
    assert parse_date("12/31/2026") is None  # no 31st month: a US-style date is refused, not misread


@pytest.mark.parametrize("typed", ["", "31/02/2026", "31/12/26", "besok", "2026/12/31", "0/1/2027"])
def test_what_is_not_a_date_is_none(typed: str) -> None:
    assert parse_date(typed) is None


def test_a_time_is_on_the_24_hour_clock() -> None:
    assert parse_time("14:30") == parse_time("14.30") == time(14, 30)
    assert parse_time("9:05") == time(9, 5)
    assert [parse_time(t) for t in ("24:00", "12:60", "2pm", "")] == [None, None, None, None]


def test_a_bad_or_past_date_and_a_missing_note_are_named() -> None:
    _, errors = parse_follow_up("12/31/2026", "09:00", " ", province_code="62", now=NOW)
    assert [(e.field, e.code) for e in errors] == [("due_date", "due_date_invalid"),
                                                    ("follow_up_note", "follow_up_note_missing")]
    due, errors = parse_follow_up("01/12/2026", "", "x", province_code="62", now=NOW)
    assert due is None
    assert [e.code for e in errors] == ["due_date_past"]
    _, errors = parse_follow_up("10/12/2026", "25:00", "x", province_code="62", now=NOW)
    assert [(e.field, e.code) for e in errors] == [("due_time", "due_time_invalid")]
