"""The auditor's pages, decided here: what a search for a case means (its id, or its number), and what the chain's
verification says. Nothing here reads personal data: a trail shows events, times, services, agencies and users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from workspace.domain.referrals import FieldError

CASE_QUERY_MAX = 64


@dataclass(frozen=True)
class CaseQuery:
    case_id: UUID | None  # typed as an id
    case_number: str | None  # else, typed as the case's number


def parse_case_query(text: str) -> tuple[CaseQuery | None, list[FieldError]]:
    """A case's id (a UUID) or its number, as the auditor typed it."""
    typed = text.strip()
    if not typed:
        return None, [FieldError("case", "case_query_missing")]
    if len(typed) > CASE_QUERY_MAX:
        return None, [FieldError("case", "case_query_too_long")]
    try:
        return CaseQuery(UUID(typed), None), []
    except ValueError:
        return CaseQuery(None, typed), []


@dataclass(frozen=True)
class ChainResult:
    intact: bool
    records_checked: int
    broken_seq: int | None = None  # the first broken record's position in the trail
    broken_event_id: str | None = None
    problem: str | None = None  # altered, removed, added, head missing

    @classmethod
    def of(cls, answer: dict[str, Any]) -> ChainResult:
        broken = answer.get("first_broken") or {}
        return cls(intact=bool(answer.get("intact")), records_checked=int(answer.get("records_checked", 0)),
                   broken_seq=broken.get("seq"), broken_event_id=broken.get("event_id"),
                   problem=broken.get("problem"))
