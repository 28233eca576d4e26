"""The referral list's pure parts: who lists what, the ranges a filter reads, and the cursor."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from routing.adapters import referral_list as store
from routing.domain.referral_list import (
    NO_DEADLINE,
    SEGMENTS,
    Cursor,
    InvalidCursorError,
    Scope,
    ScopeKind,
    filters_key,
    is_overdue,
    scope_of,
    segments,
)
from shared.auth import Principal, Role
from shared.contracts.vocabulary import Priority

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _principal(*roles: Role, **claims: str) -> Principal:
    return Principal("u", frozenset(roles), **claims)


def test_each_role_lists_its_own_audience_and_no_one_else_lists() -> None:
    assert scope_of(_principal(Role.AGENCY_STAFF, agency_id="a")) == Scope(ScopeKind.AGENCY, "a")
    assert scope_of(_principal(Role.AGENCY_SUPERVISOR, agency_id="a")) == Scope(ScopeKind.AGENCY, "a")
    assert scope_of(_principal(Role.DISTRICT_SUPERVISOR, province_code="62", regency_code="62.13")) == Scope(
        ScopeKind.REGENCY, "62.13")
    assert scope_of(_principal(Role.PROVINCE_ADMIN, province_code="62")) == Scope(ScopeKind.PROVINCE, "62")
    for principal in (_principal(Role.AUDITOR, province_code="62"), _principal(Role.OPERATOR),
                      _principal(Role.NATIONAL_ADMIN), _principal(Role.PUBLIC), _principal(Role.AGENCY_STAFF),
                      _principal(Role.PROVINCE_ADMIN)):
        assert scope_of(principal) is None, principal.roles


def test_overdue_ranges_come_first_then_priority() -> None:
    assert [(s.overdue, s.priority) for s in SEGMENTS] == [
        (True, Priority.P1), (True, Priority.P2), (True, Priority.P3),
        (False, Priority.P1), (False, Priority.P2), (False, Priority.P3)]
    assert segments(priority=None, overdue_only=False) == (0, 1, 2, 3, 4, 5)
    assert segments(priority=Priority.P2, overdue_only=False) == (1, 4)
    assert segments(priority=None, overdue_only=True) == (0, 1, 2)
    assert segments(priority=Priority.P3, overdue_only=True) == (2,)


def test_overdue_is_a_running_deadline_passed() -> None:
    assert is_overdue(NOW - timedelta(seconds=1), NOW)
    assert not is_overdue(NOW, NOW)
    assert not is_overdue(NO_DEADLINE, NOW)
    assert not is_overdue(None, NOW)


def test_a_cursor_round_trips_and_is_refused_for_other_filters() -> None:
    filters = filters_key(statuses=("accepted", "created", "created"), priority=None, overdue_only=True)
    assert filters == filters_key(statuses=("created", "accepted"), priority=None, overdue_only=True)
    cursor = Cursor(NOW, 2, NO_DEADLINE, uuid4(), filters)
    assert Cursor.decode(cursor.encode(), filters=filters) == cursor
    with pytest.raises(InvalidCursorError):
        Cursor.decode(cursor.encode(), filters=filters_key(statuses=(), priority=None, overdue_only=True))
    crafted = [  # well-formed JSON of the wrong shapes
        [NOW.isoformat(), 0, NOW.isoformat(), [1], filters], [NOW.isoformat(), [0], NOW.isoformat(), "x", filters],
        [NOW.isoformat(), 0, "2026-12-07T12:00:00", str(uuid4()), filters], {"as_of": 1}, 7,
    ]
    encoded = [base64.urlsafe_b64encode(json.dumps(c).encode()).decode() for c in crafted]
    for text in ("", "bm90IGEgY3Vyc29y", "%%%", Cursor(NOW, 9, NOW, uuid4(), filters).encode(), *encoded):
        with pytest.raises(InvalidCursorError):
            Cursor.decode(text, filters=filters)


def test_pages_of_one_shape_share_one_statement_and_bind_their_values() -> None:
    """The page's statement is built once for each shape (scope kind, ranges, number of statuses, the cursor's
    range): building it took longer than running it. Everything else is a bound value."""
    def page(
        scope: Scope, as_of: datetime, after: Cursor | None = None, statuses: tuple[str, ...] = ()
    ) -> tuple[Any, dict[str, Any]]:
        return store.page_parts(scope, as_of=as_of, segments=range(len(SEGMENTS)), after=after, statuses=statuses,
                           limit=26)

    first, first_values = page(Scope(ScopeKind.AGENCY, "uptd-ppa-62.13"), NOW)
    other, other_values = page(Scope(ScopeKind.AGENCY, "police-ppa-62.13"), NOW + timedelta(hours=1))
    assert other is first
    assert first_values == {"scope": "uptd-ppa-62.13", "as_of": NOW, "limit": 26}
    assert other_values["scope"] == "police-ppa-62.13"
    # A filter by status, a cursor, another audience: other statements, each built once too.
    waiting, values = page(Scope(ScopeKind.AGENCY, "uptd-ppa-62.13"), NOW, statuses=("created",))
    assert waiting is not first
    assert values["status_0"] == "created"
    assert page(Scope(ScopeKind.AGENCY, "dinsos-62.13"), NOW, statuses=("accepted",))[0] is waiting
    after = Cursor(NOW, 4, NOW + timedelta(hours=3), uuid4(), "")
    resumed, values = page(Scope(ScopeKind.AGENCY, "uptd-ppa-62.13"), NOW, after=after)
    assert resumed not in (first, waiting)
    assert (values["after_deadline"], values["after_id"]) == (after.deadline, after.referral_id)
    done = Cursor(NOW, 4, NO_DEADLINE, uuid4(), "")  # past the last running deadline: 'infinity' in the statement
    assert "after_deadline" not in page(Scope(ScopeKind.AGENCY, "uptd-ppa-62.13"), NOW, after=done)[1]
    assert page(Scope(ScopeKind.REGENCY, "62.13"), NOW)[0] is not first
