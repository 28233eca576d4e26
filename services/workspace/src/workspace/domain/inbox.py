"""The inbox's filters, read from the query string and checked, and its rows' SLA state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workspace.domain.referrals import Deadline, deadline

STATUSES = ("created", "accepted", "in_service", "completed", "declined", "revoked")
PRIORITIES = ("P1", "P2", "P3")
PAGE_SIZE = 25


@dataclass(frozen=True)
class InboxFilters:
    status: str | None = None
    priority: str | None = None
    overdue: bool = False
    cursor: str | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> InboxFilters:
        """Unknown values are dropped, not sent on: the inbox shows everything rather than an error."""
        status = query.get("status") or None
        priority = query.get("priority") or None
        cursor = query.get("cursor") or None
        return cls(
            status=status if status in STATUSES else None,
            priority=priority if priority in PRIORITIES else None,
            overdue=query.get("overdue") in {"1", "true", "on"},
            cursor=cursor if cursor and len(cursor) <= 512 else None,
        )

    def params(self) -> dict[str, str]:
        """The query of routing's ``GET /v1/referrals``."""
        params = {"limit": str(PAGE_SIZE)}
        if self.status:
            params["status"] = self.status
        if self.priority:
            params["priority"] = self.priority
        if self.overdue:
            params["overdue"] = "true"
        if self.cursor:
            params["cursor"] = self.cursor
        return params

    def query(self, cursor: str | None = None) -> dict[str, str]:
        """The inbox's own query string for these filters (and another page's cursor)."""
        query = {k: v for k, v in self.params().items() if k not in {"limit", "cursor"}}
        if self.overdue:
            query["overdue"] = "1"
        if cursor:
            query["cursor"] = cursor
        return query


@dataclass(frozen=True)
class InboxRow:
    referral: dict[str, Any]
    deadline: Deadline | None

    @property
    def overdue(self) -> bool:
        """routing's judgement (as of its list's ``as_of``), else the deadline's."""
        judged = self.referral.get("overdue")
        return bool(judged) if judged is not None else bool(self.deadline and self.deadline.overdue)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None


def inbox_page(answer: Any, now: datetime) -> InboxPage:
    """routing's answer (``{"items": [...], "next_cursor": ...}``, or a bare list) as the inbox's rows."""
    items = answer.get("items", []) if isinstance(answer, dict) else list(answer or [])
    cursor = answer.get("next_cursor") if isinstance(answer, dict) else None
    return InboxPage([InboxRow(item, deadline(item, now)) for item in items if isinstance(item, dict)],
                     str(cursor) if cursor else None)
