"""A rebuild's batches fold a case's closures and reopenings by the rule the upserts follow: per case the latest
of each stands (the first of equals), in whatever order they are read, so a reopened case stays one case."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from reporting.adapters.projection_batches import ProjectionBatch
from reporting.adapters.projections import PROJECTED
from shared.contracts import CaseClosed, CaseReopened, Event

CASE_ID = uuid4()
T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
PLACE = {"case_id": CASE_ID, "case_number": "6213-2026-00001", "province_code": "62", "regency_code": "62.13"}


def closed(days: int, reason: str = "handled") -> CaseClosed:
    return CaseClosed(**PLACE, reason=reason, closed_by="u", occurred_at=T0 + timedelta(days=days))


def reopened(days: int) -> CaseReopened:
    return CaseReopened(**PLACE, reason="victim_returned", reopened_by="u", occurred_at=T0 + timedelta(days=days))


def fold(events: tuple[Event, ...]) -> ProjectionBatch:
    batch = ProjectionBatch()
    for event in events:
        batch.add(event)
    return batch


def test_case_reopened_is_among_the_events_the_read_models_take() -> None:
    assert CaseReopened in PROJECTED


def test_the_latest_closure_and_reopening_stand_in_any_order() -> None:
    history = (closed(1), reopened(3), closed(5, "withdrawn"), reopened(8))
    for order in itertools.permutations(history):
        batch = fold(order)
        assert list(batch.closures) == list(batch.reopenings) == [CASE_ID]  # one case
        assert batch.closures[CASE_ID] == {"case_id": CASE_ID, "closed_at": T0 + timedelta(days=5),
                                           "reason": "withdrawn"}
        assert batch.reopenings[CASE_ID]["reopened_at"] == T0 + timedelta(days=8)
        assert not batch.facts  # a closure or a reopening states no facts: never a second case


def test_of_two_at_the_same_moment_the_first_read_stands() -> None:
    batch = fold((closed(2, "handled"), closed(2, "withdrawn")))
    assert batch.closures[CASE_ID]["reason"] == "handled"
