from datetime import UTC, datetime

from workspace.domain.follow_ups import WIB, WIT, WITA, parse_follow_up, province_zone

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_follow_up_is_due_in_the_local_time_of_the_cases_province() -> None:
    due, errors = parse_follow_up("2026-12-10", "09:00", "Kunjungan rumah", province_code="63", now=NOW)
    assert errors == []
    assert due == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 09:00 WITA
    assert (province_zone("62"), province_zone("64"), province_zone("94")) == (WIB, WITA, WIT)


def test_a_bad_or_past_date_and_a_missing_note_are_named() -> None:
    _, errors = parse_follow_up("10/12/2026", "09:00", " ", province_code="62", now=NOW)
    assert [(e.field, e.code) for e in errors] == [("due_date", "due_date_invalid"),
                                                    ("follow_up_note", "follow_up_note_missing")]
    due, errors = parse_follow_up("2026-12-01", "", "x", province_code="62", now=NOW)
    assert due is None
    assert [e.code for e in errors] == ["due_date_past"]
