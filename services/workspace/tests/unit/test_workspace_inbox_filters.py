from datetime import UTC, datetime, timedelta

from workspace.domain.inbox import InboxFilters, inbox_page

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_filters_are_checked_before_they_reach_routing() -> None:
    filters = InboxFilters.parse({"status": "accepted", "priority": "P9", "overdue": "1", "cursor": "abc"})
    assert filters.params() == {"limit": "25", "status": "accepted", "overdue": "true", "cursor": "abc"}
    assert filters.query("next") == {"status": "accepted", "overdue": "1", "cursor": "next"}
    assert InboxFilters.parse({"status": "<script>", "cursor": "x" * 600}).params() == {"limit": "25"}


def test_a_page_of_routings_answer_with_each_rows_deadline() -> None:
    answer = {"items": [
        {"referral_id": "a", "status": "created", "accept_by": (NOW - timedelta(hours=1)).isoformat(),
         "overdue": True},
        {"referral_id": "b", "status": "accepted", "first_service_by": (NOW + timedelta(hours=5)).isoformat()},
    ], "next_cursor": "c2"}
    page = inbox_page(answer, NOW)
    assert page.next_cursor == "c2"
    first, second = page.rows
    assert first.overdue
    assert first.deadline is not None
    assert first.deadline.hours_left == 1
    assert not second.overdue
    assert second.deadline is not None
    assert second.deadline.hours_left == 5


def test_times_are_shown_in_the_cases_local_time() -> None:
    from workspace.entrypoints.labels import local_time

    assert local_time("2026-12-08T01:00:00Z", "62.13") == "2026-12-08 08:00 WIB"
    assert local_time(datetime(2026, 12, 8, 1, 0, tzinfo=UTC), "64.74") == "2026-12-08 09:00 WITA"
    assert local_time(None, "62") == ""
