"""The referral list (``GET /v1/referrals``): whose referrals a caller lists, its order and its cursor.

Most urgent first: overdue before the rest, then priority P1..P3, then the nearest running deadline, then the
referral id. A referral's *running deadline* is the one it must meet next: to accept while it waits in the queue,
to start service once accepted; none once service started or the referral is done. Overdue means that deadline
has passed.

Overdue depends on the time, so the order cannot be one index on its own; it is six ranges of one index instead
(``SEGMENTS``): for overdue and then not, for each priority, the referrals of that priority whose running
deadline is before (or from) the moment of the listing, by deadline and id. Each range is a keyset scan of the
index (scope, priority, running deadline, id); a page reads the ranges in order from the cursor's. The cursor
keeps the moment of its first page, so a referral whose deadline passes while someone pages does not move
between ranges: every referral is listed exactly once.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

from shared.auth import AGENCY_ROLES, Principal, Role
from shared.contracts.vocabulary import Priority

MAX_PAGE = 100
# The running deadline of a referral that has none (stored as Postgres 'infinity': the index keeps one order).
NO_DEADLINE = datetime.max.replace(tzinfo=UTC)

LISTERS = (*AGENCY_ROLES, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN)


class ScopeKind(StrEnum):
    AGENCY = "agency_id"
    REGENCY = "regency_code"
    PROVINCE = "province_code"


class Scope(NamedTuple):
    """Which referrals a caller lists: those whose ``kind`` column equals ``value``."""

    kind: ScopeKind
    value: str


def scope_of(principal: Principal) -> Scope | None:
    """The referrals ``principal`` lists: their agency's (agency staff and supervisors), their regency's (a
    district supervisor), their province's (a province admin); None for anyone else, or a token that lacks the
    claim the role needs."""
    if principal.has_role(*AGENCY_ROLES) and principal.agency_id:
        return Scope(ScopeKind.AGENCY, principal.agency_id)
    if principal.has_role(Role.DISTRICT_SUPERVISOR) and principal.regency_code:
        return Scope(ScopeKind.REGENCY, principal.regency_code)
    if principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code:
        return Scope(ScopeKind.PROVINCE, principal.province_code)
    return None


class Segment(NamedTuple):
    overdue: bool
    priority: Priority


SEGMENTS: tuple[Segment, ...] = tuple(Segment(overdue, p) for overdue in (True, False) for p in Priority)


def segments(*, priority: Priority | None, overdue_only: bool) -> tuple[int, ...]:
    """The indexes into ``SEGMENTS`` a listing with these filters reads, in order."""
    return tuple(
        index for index, segment in enumerate(SEGMENTS)
        if (priority is None or segment.priority is priority) and (segment.overdue or not overdue_only)
    )


def is_overdue(running_deadline: datetime | None, now: datetime) -> bool:
    return running_deadline is not None and running_deadline < now


class InvalidCursorError(ValueError):
    """A cursor this service did not give, or one given for other filters."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the moment of the first page, and the last referral listed (its range, its
    running deadline, its id). ``filters`` ties it to the query it was given for."""

    as_of: datetime
    segment: int
    deadline: datetime
    referral_id: UUID
    filters: str

    def encode(self) -> str:
        document = [self.as_of.isoformat(), self.segment, self.deadline.isoformat(), str(self.referral_id),
                    self.filters]
        return base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, filters: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            as_of, segment, deadline, referral_id, given_for = json.loads(raw)
            cursor = cls(datetime.fromisoformat(as_of), int(segment), datetime.fromisoformat(deadline),
                         UUID(referral_id), str(given_for))
        except (binascii.Error, ValueError, TypeError, AttributeError, UnicodeDecodeError):
            raise InvalidCursorError("not a cursor of this list") from None
        if (cursor.filters != filters or not 0 <= cursor.segment < len(SEGMENTS) or cursor.as_of.tzinfo is None
                or cursor.deadline.tzinfo is None):
            raise InvalidCursorError("a cursor of another query")
        return cursor


def filters_key(*, statuses: tuple[str, ...], priority: Priority | None, overdue_only: bool) -> str:
    """The filters a cursor is valid for, in a canonical form."""
    return f"{','.join(sorted(set(statuses)))}|{priority or ''}|{int(overdue_only)}"
