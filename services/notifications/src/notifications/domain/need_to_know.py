"""Need to know: who may be told of an event, and which of the case's facts each may see.

Notifications keeps its own view of each case (its non-personal facts, from ``case.reported``/``case.updated``)
and of each referral (from ``referral.*``). From them:

- an agency is told only of cases referred to it (a live referral: not declined, not revoked), and of
  referral events only about its own referral; never of a case whose consent no longer covers its kind;
- a supervisor's region subscription hears of every case of the region, with aggregate fields only;
- each agency type sees only the groups of facts its work needs (``shared.contracts.visibility``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from notifications.domain.subscriptions import Scope, Subscription
from shared.contracts import Event
from shared.contracts.intake import CaseFacts
from shared.contracts.visibility import visible_fact_fields
from shared.contracts.vocabulary import AgencyType
from shared.referral_access import ALWAYS_CONSENTED

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
        """The agency still holds the case (a completed referral still hears of the case being closed)."""
        return self not in (ReferralStatus.DECLINED, ReferralStatus.REVOKED)


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


@dataclass(frozen=True)
class Audience:
    """Who a notification is for: an agency of a type (by its referral), or a region's supervisors."""

    scope: Scope
    referral: KnownReferral | None = None

    def visible_fields(self) -> tuple[str, ...]:
        if self.referral is None:
            return AGGREGATE_FIELDS
        return visible_fact_fields(self.referral.agency_type)


def _agency_type(value: str) -> AgencyType | None:
    try:
        return AgencyType(value)
    except ValueError:
        return None


def consent_covers(facts: CaseFacts, agency_type: str) -> bool:
    kind = _agency_type(agency_type)
    return kind is not None and (kind in ALWAYS_CONSENTED or kind in facts.consent.agency_types)


def referral_of(event: Event) -> UUID | None:
    """The referral a ``referral.*`` event is about, or None for a case event."""
    referral_id = getattr(event, "referral_id", None)
    return referral_id if isinstance(referral_id, UUID) else None


def audience(
    subscription: Subscription, event: Event, facts: CaseFacts, referrals: Iterable[KnownReferral]
) -> Audience | None:
    """The audience ``subscription`` is told of ``event`` as, or None if it must not be told at all."""
    if not subscription.wants(event.event_type, facts.province_code, facts.regency_code, facts.priority):
        return None
    if subscription.scope is Scope.REGION:
        return Audience(Scope.REGION)
    about = referral_of(event)
    for referral in referrals:
        if referral.agency_id != subscription.agency_id or not consent_covers(facts, referral.agency_type):
            continue
        if about is not None and referral.referral_id == about:
            # Its own referral, in whatever state (it hears that it was declined or revoked, too).
            return Audience(Scope.AGENCY, referral)
        if about is None and referral.status.live:
            return Audience(Scope.AGENCY, referral)
    return None


def visible_facts(facts: CaseFacts, audience: Audience) -> dict[str, object]:
    """The case's facts the audience may see, as JSON values; the rest is left out, not blanked."""
    return facts.model_dump(mode="json", include=set(audience.visible_fields()))
