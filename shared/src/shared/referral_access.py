"""Access follows the referral: what an agency may still do with a case, from its referral's latest state.

    created, accepted, service_started  -> LIVE       reads what its type may read, and may add to the case
    completed                           -> FOLLOW_UP  reads, read-only, for the follow-up period, then ENDED
    revoked because the case closed     -> FOLLOW_UP  (the work is over, as for completed)
    declined, revoked                   -> ENDED      at once
    consent withdrawn for its type      -> ENDED      (case managers and SAPA 129 hold every case)

Every service that shows or sends case data to an agency (intake's reads and RLS, notifications' payloads,
routing's and reporting's per-agency views) decides with this one module.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType

# The follow-up period's default; each service reads its own setting (``referral_follow_up_days``).
DEFAULT_FOLLOW_UP = timedelta(days=30)

# Agencies that hold the case whatever consent says: someone has to handle every report, and SAPA 129 is the
# last step of every escalation.
ALWAYS_CONSENTED = CASE_MANAGERS | {AgencyType.NATIONAL_HOTLINE}


class ReferralAccess(StrEnum):
    LIVE = "live"
    FOLLOW_UP = "follow_up"
    ENDED = "ended"

    @property
    def may_read(self) -> bool:
        return self is not ReferralAccess.ENDED

    @property
    def may_write(self) -> bool:
        return self is ReferralAccess.LIVE


_AFTER_EVENT: dict[str, ReferralAccess] = {
    "referral.created": ReferralAccess.LIVE,
    "referral.accepted": ReferralAccess.LIVE,
    "referral.service_started": ReferralAccess.LIVE,
    "referral.completed": ReferralAccess.FOLLOW_UP,
    "referral.declined": ReferralAccess.ENDED,
    "referral.revoked": ReferralAccess.ENDED,
}


def access_after(event_type: str, *, reason: str | None = None) -> ReferralAccess | None:
    """The access a referral event leaves its agency with, or None for an event that changes none
    (``referral.sla_breached``: the breached referral stays live until it is revoked or replaced)."""
    if event_type == "referral.revoked" and reason == CASE_CLOSED_REASON:
        return ReferralAccess.FOLLOW_UP
    return _AFTER_EVENT.get(event_type)


def consent_covers(consented_types: frozenset[str] | tuple[str, ...], agency_type: str) -> bool:
    """Whether the case's consent lets an agency of ``agency_type`` hold it."""
    return agency_type in ALWAYS_CONSENTED or agency_type in consented_types


def access_now(
    access: ReferralAccess,
    *,
    since: datetime,
    now: datetime,
    follow_up: timedelta = DEFAULT_FOLLOW_UP,
    consented: bool = True,
) -> ReferralAccess:
    """The access in force at ``now`` for a referral that entered ``access`` at ``since``."""
    if not consented:
        return ReferralAccess.ENDED
    if access is ReferralAccess.FOLLOW_UP and now >= since + follow_up:
        return ReferralAccess.ENDED
    return access
