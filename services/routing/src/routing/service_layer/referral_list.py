"""The referral list use case: whose referrals, which of them, one page after the cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from routing.adapters import referral_list as store
from routing.adapters.referral_list import ListedReferral
from routing.domain.referral_list import NO_DEADLINE, Cursor, filters_key, is_overdue, scope_of, segments
from shared.auth import Principal
from shared.contracts.vocabulary import Priority
from shared.unit_of_work import UnitOfWork


class NotListedError(PermissionError):
    """The caller's role lists no referrals (or their token lacks the agency or region it needs)."""


@dataclass(frozen=True)
class ListItem:
    referral: ListedReferral
    overdue: bool
    next_follow_up: datetime | None

    @property
    def running_deadline(self) -> datetime | None:
        deadline = self.referral.running_deadline
        return None if deadline == NO_DEADLINE else deadline


@dataclass(frozen=True)
class ListPage:
    items: list[ListItem]
    as_of: datetime
    next_cursor: str | None


async def list_referrals(
    principal: Principal, uow: UnitOfWork, *, now: datetime, statuses: tuple[str, ...], priority: Priority | None,
    overdue_only: bool, cursor: str | None, limit: int,
) -> ListPage:
    """One page of the referrals ``principal`` lists, most urgent first. Raises NotListedError, or
    InvalidCursorError for a cursor not given for these filters."""
    scope = scope_of(principal)
    if scope is None:
        raise NotListedError("your role lists no referrals")
    filters = filters_key(statuses=statuses, priority=priority, overdue_only=overdue_only)
    after = Cursor.decode(cursor, filters=filters) if cursor else None
    as_of = after.as_of if after is not None else now
    async with uow:
        rows = await store.page(uow.session, scope, as_of=as_of, after=after, statuses=sorted(set(statuses)),
                                segments=segments(priority=priority, overdue_only=overdue_only), limit=limit + 1)
        follow_ups = await store.next_follow_ups(uow.session, [row.referral_id for row in rows[:limit]])
    more, rows = len(rows) > limit, rows[:limit]
    items = [ListItem(row, is_overdue(row.running_deadline, as_of), follow_ups.get(row.referral_id)) for row in rows]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = Cursor(as_of, last.segment, last.running_deadline, last.referral_id, filters).encode()
    return ListPage(items, as_of, next_cursor)
