"""Need to know: who may be told of an event, and which of the case's facts each may see.

Notifications keeps its own view of each case (its non-personal facts, from ``case.reported``/``case.updated``)
and of each referral (from ``referral.*``). From them:

- an agency is told only of the cases it holds, as ``shared.referral_access`` decides from its referral's latest
  state: a live referral; a completed one, or one revoked because the case closed, for the follow-up period
  (it hears that the case was closed or reopened), then nothing; a declined or revoked one no more (it still
  hears of that ending). Of referral events it hears only those about its own referral; and never anything of
  a case whose consent no longer covers its kind;
- a supervisor's region subscription hears of every case of the region, with aggregate fields only;
- each agency type sees only the groups of facts its work needs (``shared.contracts.visibility``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from notifications.domain.subscriptions import Scope, Subscription
from shared.contracts import Event
from shared.contracts.intake import CaseFacts
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.visibility import visible_fact_fields
from shared.referral_access import (
    DEFAULT_FOLLOW_UP,
    ReferralAccess,
    access_after,
    access_now,
)
from shared.referral_access import consent_covers as shared_consent_covers

# A region subscription's aggregate view: where, how urgent, what kind; nothing about any person, and no case
# number (with the region and the date, a number is easy to ask around about).
AGGREGATE_FIELDS: tuple[str, ...] = (
    "province_code", "regency_code", "priority", "reported_at", "channel", "violence_types",
    "child_in_conflict_with_law",
)

class ReferralStatus(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SERVICE_STARTED = "service_started"
    COMPLETED = "completed"
    REVOKED = "revoked"

    @property
    def live(self) -> bool:
        """Not ended by the agency or the case manager (a completed referral may still be in its follow-up)."""
        return self not in (ReferralStatus.DECLINED, ReferralStatus.REVOKED)


# The events that end a referral: its agency still hears of the one that ended its own referral.
ENDING_EVENTS = frozenset({"referral.declined", "referral.revoked"})


@dataclass(frozen=True)
class KnownReferral:
    """A referral as notifications knows it from routing's events."""

    referral_id: UUID
    case_id: UUID
    agency_id: str
    agency_type: str
    is_lead: bool
    status: ReferralStatus
    accept_by: datetime | None = None
    first_service_by: datetime | None = None
    # When the referral entered its status; None: just now (the follow-up period starts with the first look).
    status_since: datetime | None = None
    # Revoked by routing because the case was closed (reason ``case_closed``), not withdrawn from the agency.
    closed_with_case: bool = False

    def access(
        self, now: datetime, *, follow_up: timedelta = DEFAULT_FOLLOW_UP, consented: bool = True
    ) -> ReferralAccess:
        """The access its agency holds at ``now`` (``shared.referral_access``)."""
        reason = CASE_CLOSED_REASON if self.closed_with_case else None
        entered = access_after(f"referral.{self.status.value}", reason=reason) or ReferralAccess.LIVE
        since = now if self.status_since is None else self.status_since
        return access_now(entered, since=since, now=now, follow_up=follow_up, consented=consented)


@dataclass(frozen=True)
class Audience:
    """Who a notification is for: an agency of a type (by its referral), or a region's supervisors."""

    scope: Scope
    referral: KnownReferral | None = None

    def visible_fields(self) -> tuple[str, ...]:
        if self.referral is None:
            return AGGREGATE_FIELDS
        return visible_fact_fields(self.referral.agency_type)


def consent_covers(facts: CaseFacts, agency_type: str) -> bool:
    """Whether the case's consent lets an agency of ``agency_type`` hold it (a kind this build does not know:
    never)."""
    return shared_consent_covers(facts.consent.agency_types, agency_type)


def referral_of(event: Event) -> UUID | None:
    """The referral a ``referral.*`` event is about, or None for a case event."""
    referral_id = getattr(event, "referral_id", None)
    return referral_id if isinstance(referral_id, UUID) else None


def audience(
    subscription: Subscription,
    event: Event,
    facts: CaseFacts,
    referrals: Iterable[KnownReferral],
    *,
    now: datetime,
    follow_up: timedelta = DEFAULT_FOLLOW_UP,
) -> Audience | None:
    """The audience ``subscription`` is told of ``event`` as at ``now``, or None if it must not be told at all.
    ``follow_up`` is the follow-up period (the ``referral_follow_up_days`` setting)."""
    if not subscription.wants(event.event_type, facts.province_code, facts.regency_code, facts.priority):
        return None
    if subscription.scope is Scope.REGION:
        return Audience(Scope.REGION)
    about = referral_of(event)
    following_up: KnownReferral | None = None
    for referral in referrals:
        if referral.agency_id != subscription.agency_id or not consent_covers(facts, referral.agency_type):
            continue
        access = referral.access(now, follow_up=follow_up)
        if about is not None:
            if referral.referral_id == about and (access.may_read or event.event_type in ENDING_EVENTS):
                return Audience(Scope.AGENCY, referral)
        elif access is ReferralAccess.LIVE:
            return Audience(Scope.AGENCY, referral)
        elif access.may_read and following_up is None:
            following_up = referral
    # Told of the case as the referral it still works under, else as the one whose follow-up is running.
    return None if following_up is None else Audience(Scope.AGENCY, following_up)


def visible_facts(facts: CaseFacts, audience: Audience) -> dict[str, object]:
    """The case's facts the audience may see, as JSON values; the rest is left out, not blanked."""
    return facts.model_dump(mode="json", include=set(audience.visible_fields()))
