"""Follow-ups: what an agency plans to do on its referral, and by when (after Primero's tasks, which are derived
from follow-up dates). The note is the agency's working note and may name people, so it is stored encrypted and
never leaves routing in an event or a log; ``referral.follow_up_due`` says only which follow-up fell due.

Who: the people of the referral's agency. They set follow-ups and mark them done while the referral is live
(created, accepted, in service), and read them while their access to the referral lasts
(``shared.referral_access``: the follow-up period after completion or the case's closure).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from routing.domain.referrals import Referral, ReferralStatus
from shared.auth import Principal
from shared.referral_access import DEFAULT_FOLLOW_UP, ReferralAccess, access_after, access_now

MAX_NOTE = 2000

# The event that leaves a referral in each status (shared.referral_access decides from events).
_EVENT_OF_STATUS = {
    ReferralStatus.CREATED: "referral.created",
    ReferralStatus.ACCEPTED: "referral.accepted",
    ReferralStatus.IN_SERVICE: "referral.service_started",
    ReferralStatus.COMPLETED: "referral.completed",
    ReferralStatus.DECLINED: "referral.declined",
    ReferralStatus.REVOKED: "referral.revoked",
}


def agency_access(referral: Referral, now: datetime, *, follow_up: timedelta = DEFAULT_FOLLOW_UP) -> ReferralAccess:
    """The access the referral's state leaves its agency at ``now``."""
    access = access_after(_EVENT_OF_STATUS[referral.status], reason=referral.status_reason) or ReferralAccess.ENDED
    return access_now(access, since=referral.updated_at or referral.created_at, now=now, follow_up=follow_up)


def of_its_agency(principal: Principal, referral: Referral) -> bool:
    return principal.works_for(referral.agency_id)


class FollowUpNotAllowedError(PermissionError):
    """Not one of the referral's agency's people, or their access to it ended."""


class ReferralNotLiveError(RuntimeError):
    """The referral's work is over (completed, declined, revoked): no follow-up is set or changed."""

    def __init__(self, status: ReferralStatus) -> None:
        super().__init__(f"the referral is {status}: follow-ups are set and done only while it is live")
        self.status = status


def check_read(principal: Principal, referral: Referral, now: datetime, *, follow_up: timedelta) -> None:
    if not of_its_agency(principal, referral) or not agency_access(referral, now, follow_up=follow_up).may_read:
        raise FollowUpNotAllowedError("only the referral's agency reads its follow-ups, while its access lasts")


def check_write(principal: Principal, referral: Referral, now: datetime, *, follow_up: timedelta) -> None:
    if not of_its_agency(principal, referral):
        raise FollowUpNotAllowedError("only the referral's agency sets its follow-ups")
    if not agency_access(referral, now, follow_up=follow_up).may_write:
        raise ReferralNotLiveError(referral.status)


@dataclass(frozen=True)
class FollowUp:
    follow_up_id: UUID
    referral_id: UUID
    agency_id: str
    due_at: datetime
    note: str
    created_by: str
    created_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def mark_done(self, *, by: str, at: datetime) -> FollowUp:
        """Done once: marking it again keeps who and when it was first done."""
        return self if self.done else replace(self, done_at=at, done_by=by)


# A note's ciphertext is bound to its follow-up's id and this field name, so it cannot be moved to another row.
NOTE_FIELD = "note"
