"""What a referral's page offers, read from what routing answers: the moves its status allows, its SLA deadline
and the time left, and the checks of the forms before they are sent (the services check again)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.contracts.vocabulary import Need

PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2}
REASON_MIN, REASON_MAX = 3, 1000
NOTE_MAX = 20_000


class Move(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    START = "start"
    COMPLETE = "complete"


# routing's lifecycle (routing.domain.referrals): the moves an agency may make from each status.
MOVES: dict[str, tuple[Move, ...]] = {
    "created": (Move.ACCEPT, Move.DECLINE),
    "accepted": (Move.START, Move.DECLINE),
    "in_service": (Move.COMPLETE,),
}


def moves_from(status: str) -> tuple[Move, ...]:
    return MOVES.get(status, ())


@dataclass(frozen=True)
class Deadline:
    """The SLA deadline a referral is working to now: accepting by ``accept_by`` while it waits, the first
    service by ``first_service_by`` once accepted."""

    due: datetime
    left: timedelta

    @property
    def overdue(self) -> bool:
        return self.left <= timedelta(0)

    @property
    def hours_left(self) -> int:
        return int(abs(self.left).total_seconds() // 3600)

    @property
    def minutes_left(self) -> int:
        return int(abs(self.left).total_seconds() // 60 % 60)


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return None


def deadline(referral: Mapping[str, Any], now: datetime) -> Deadline | None:
    field = {"created": "accept_by", "accepted": "first_service_by"}.get(str(referral.get("status")))
    due = _when(referral.get(field)) if field else None
    return Deadline(due, due - now) if due else None


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # a message id of the workspace's catalogue, e.g. "reason_too_short"


def check_decline(reason: str) -> list[FieldError]:
    length = len(reason.strip())
    if length < REASON_MIN:
        return [FieldError("reason", "reason_too_short")]
    if length > REASON_MAX:
        return [FieldError("reason", "reason_too_long")]
    return []


def check_completion(services: list[str]) -> list[FieldError]:
    known = {need.value for need in Need}
    if not services:
        return [FieldError("services_given", "services_missing")]
    if any(service not in known for service in services):
        return [FieldError("services_given", "services_unknown")]
    return []


def check_note(note: str) -> list[FieldError]:
    if not note.strip():
        return [FieldError("note", "note_missing")]
    if len(note) > NOTE_MAX:
        return [FieldError("note", "note_too_long")]
    return []
