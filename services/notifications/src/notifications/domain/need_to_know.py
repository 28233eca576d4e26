"""Need to know: who may be told of an event, and which of the case's facts each may see.

Notifications keeps its own view of each case (its non-personal facts, from ``case.reported``/``case.updated``)
and of each referral (from ``referral.*``). From them:

- an agency is told only of cases referred to it (a live referral: not declined, not revoked), and of
  referral events only about its own referral; never of a case whose consent no longer covers its kind;
- a supervisor's region subscription hears of every case of the region, with aggregate fields only;
- each agency type sees only the groups of facts its work needs (``VISIBLE_FACTS``).
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
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType


class FactGroup(StrEnum):
    """Groups of a case's facts (``shared.contracts.intake.CaseFacts``), shown or withheld together."""

    REFERENCE = "reference"  # case number, region, priority, when and how it was reported
    OFFENCE = "offence"  # violence types, ABH, place, incident date
    VICTIMS = "victims"  # each victim's sex, age group, disability, education, nationality
    PERPETRATORS = "perpetrators"  # each perpetrator's sex, age group, relationship to the victim
    NEEDS = "needs"  # the services the victim needs
    TRIAGE = "triage"  # why the case has its priority
    CONSENT = "consent"  # whom the victim allows the case to be shared with


FACT_FIELDS: dict[FactGroup, tuple[str, ...]] = {
    FactGroup.REFERENCE: ("case_number", "province_code", "regency_code", "priority", "reported_at", "channel"),
    FactGroup.OFFENCE: (
        "violence_types", "child_in_conflict_with_law", "place", "incident_date", "incident_date_precision",
    ),
    FactGroup.VICTIMS: ("victims",),
    FactGroup.PERPETRATORS: ("perpetrators",),
    FactGroup.NEEDS: ("needs",),
    FactGroup.TRIAGE: ("triage_reasons",),
    FactGroup.CONSENT: ("consent",),
}

_ALL = frozenset(FactGroup)
_R, _O, _V, _P, _N, _T = (
    FactGroup.REFERENCE, FactGroup.OFFENCE, FactGroup.VICTIMS, FactGroup.PERPETRATORS, FactGroup.NEEDS,
    FactGroup.TRIAGE,
)

# What each kind of agency needs for its part. Case managers coordinate everything; the police and legal aid
# need the offence and who did it; health needs the victim and the kind of violence (for examination); social
# services, schools and NGOs need the victim and the needs, not the perpetrator; the community only what to do.
VISIBLE_FACTS: dict[AgencyType, frozenset[FactGroup]] = {
    AgencyType.UPTD_PPA: _ALL,
    AgencyType.DINAS_PPA: _ALL,
    AgencyType.NATIONAL_HOTLINE: _ALL,
    AgencyType.POLICE_PPA: frozenset({_R, _O, _V, _P, _N, _T}),
    AgencyType.LEGAL_AID: frozenset({_R, _O, _V, _P, _N}),
    AgencyType.HEALTH: frozenset({_R, _O, _V, _N, _T}),
    AgencyType.KODIM: frozenset({_R, _O, _N}),
    AgencyType.DINAS_SOSIAL: frozenset({_R, _V, _N, _T}),
    AgencyType.DINAS_PENDIDIKAN: frozenset({_R, _V, _N}),
    AgencyType.NGO: frozenset({_R, _V, _N}),
    AgencyType.COMMUNITY: frozenset({_R, _N}),
}

# A region subscription's aggregate view: where, how urgent, what kind; nothing about any person, and no case
# number (with the region and the date, a number is easy to ask around about).
AGGREGATE_FIELDS: tuple[str, ...] = (
    "province_code", "regency_code", "priority", "reported_at", "channel", "violence_types",
    "child_in_conflict_with_law",
)

# Agencies that hold the case whatever consent says: someone has to handle every report, and SAPA 129 is the
# last step of every escalation.
ALWAYS_CONSENTED = CASE_MANAGERS | {AgencyType.NATIONAL_HOTLINE}


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
        kind = _agency_type(self.referral.agency_type)
        # A kind this build does not know sees no more than the reference.
        groups = VISIBLE_FACTS.get(kind, frozenset({FactGroup.REFERENCE})) if kind else {FactGroup.REFERENCE}
        return tuple(name for group in FactGroup if group in groups for name in FACT_FIELDS[group])


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
