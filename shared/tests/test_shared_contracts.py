from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.contracts import (
    CaseReported,
    EventParseError,
    ReferralCreated,
    event_class_of,
    parse_event,
    parse_event_as,
)
from shared.contracts.examples import example_case_reported
from shared.contracts.vocabulary import AgeGroup


def case_reported() -> CaseReported:
    return example_case_reported(
        case_id=uuid4(), case_number="6213-2026-00001", province_code="62", regency_code="62.13",
        violence_types=("fisik",), victim_sex="perempuan", victim_age_group="6-12", channel="hotline",
        reported_at=datetime.now(UTC),
    )


def test_an_event_round_trips_through_json() -> None:
    event = case_reported()
    parsed = parse_event(event.to_json())
    assert parsed == event
    assert isinstance(parsed, CaseReported)
    assert event.key == str(event.case_id).encode()


def test_events_are_frozen() -> None:
    event = case_reported()
    with pytest.raises(ValueError, match="frozen"):
        event.case_number = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"event_type": "case.exploded", "schema_version": 1}', "unknown event type"),
        (b'{"event_type": "case.reported", "schema_version": 99}', "unknown event type"),
        (b'{"event_type": "case.reported", "schema_version": 1, "case_id": "nope"}', "case_id"),
        # Past what Python's json reads: refused like any unreadable event, never retried forever.
        (b"[" * 100_000, "nested too deeply"),
        (b'{"event_type": ' + b"1" * 5000 + b"}", "a number too long"),
    ],
)
def test_unreadable_events_are_refused_with_a_safe_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(EventParseError, match=reason):
        parse_event(raw)


def test_the_class_is_named_from_the_type_alone_and_the_rest_is_validated_only_when_asked() -> None:
    # What a reader that wants only some types (the reporting rebuild) relies on: the rest is never validated.
    broken = b'{"event_type": "case.reported", "schema_version": 1, "case_id": "nope"}'
    assert event_class_of(broken) is CaseReported
    with pytest.raises(EventParseError, match="case_id"):
        parse_event_as(broken, CaseReported)
    event = case_reported()
    assert parse_event_as(event.to_json(), event_class_of(event.to_json())) == event
    with pytest.raises(EventParseError, match="not JSON"):
        event_class_of(b'{"event_type": "case.reported", "schema_version": 1,')


def test_the_reason_never_echoes_the_payload() -> None:
    with pytest.raises(EventParseError) as error:
        parse_event(b'{"event_type": "case.reported", "schema_version": 1, "case_number": "Siti Aminah"}')
    assert "Siti" not in str(error.value)


def test_an_unknown_type_is_named_only_if_it_looks_like_a_type_name() -> None:
    with pytest.raises(EventParseError) as error:
        parse_event(b'{"event_type": "Siti Aminah", "schema_version": "Jl. Mawar 7"}')
    assert str(error.value) == "unknown event type (str, not an event type name) with schema version (str)"
    with pytest.raises(EventParseError, match=r"^unknown event type 'case.teleported' with schema version 2$"):
        parse_event(b'{"event_type": "case.teleported", "schema_version": 2}')


def test_every_event_type_is_registered_once() -> None:
    from shared.contracts.base import Event

    assert Event.registry[("case.reported", 1)] is CaseReported
    assert Event.registry[("referral.created", 1)] is ReferralCreated


@pytest.mark.parametrize(
    ("age", "group"),
    [(0, "0-5"), (5, "0-5"), (6, "6-12"), (12, "6-12"), (13, "13-17"), (17, "13-17"), (18, "18-24"),
     (24, "18-24"), (25, "25-44"), (44, "25-44"), (45, "45-59"), (59, "45-59"), (60, "60+"), (None, "unknown")],
)
def test_simfoni_age_groups(age: int | None, group: str) -> None:
    assert AgeGroup.of_age(age) == group
