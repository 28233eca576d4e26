"""Who may see a case, and which of its personal fields.

- Agency staff and supervisors: the cases referred to their agency, with the personal fields their agency type
  needs (``FIELDS_BY_AGENCY_TYPE``; an agency type not listed sees none).
- Whoever recorded a case (an operator, or agency staff taking a walk-in or a school's report): that case, with
  every field they typed.
- District supervisors (their regency), province admins and auditors (their province), and hotline operators
  (their regency, else their province): the cases of their region, without personal fields.

An agency's access follows its referrals (``Grant``, one per referral; the agency holds the best of them):
live while the referral is, read-only for the follow-up period once it is completed (or its case closed), none
once it is declined or revoked, or once the victim's consent no longer covers the agency's type
(``shared.referral_access``). The database enforces the same rules on its own with row-level security
(migrations/versions/0002, 0004, 0005).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from uuid import UUID

from intake.domain.operator_rules import in_region
from shared.auth import AGENCY_ROLES, Principal, Role
from shared.contracts.visibility import visible_fact_fields
from shared.contracts.vocabulary import CASE_MANAGERS
from shared.referral_access import DEFAULT_FOLLOW_UP, ReferralAccess, access_after, consent_covers


class PersonalField(StrEnum):
    """The kinds of personal data in a case. Access is decided per kind; each value is stored encrypted under
    its path in the record (``intake.domain.record``), e.g. ``victims.0.name`` is of kind ``victim_identity``."""

    NARRATIVE = "narrative"  # what happened, and every free-text note added later
    VICTIM_IDENTITY = "victim_identity"  # victims' names and birth dates
    PERPETRATOR_IDENTITY = "perpetrator_identity"
    REPORTER_IDENTITY = "reporter_identity"
    REPORTER_CONTACT = "reporter_contact"  # phone, email
    ADDRESS = "address"


ALL_FIELDS = frozenset(PersonalField)
_STORY = PersonalField.NARRATIVE
_VICTIM = PersonalField.VICTIM_IDENTITY

# Need to know, by the type of the agency a case is referred to. The database holds a copy (intake.
# field_visibility, set by migrations); a test keeps the two equal.
FIELDS_BY_AGENCY_TYPE: Mapping[str, frozenset[PersonalField]] = {
    "uptd_ppa": ALL_FIELDS,  # the case manager
    "dinas_ppa": ALL_FIELDS,
    "national_hotline": ALL_FIELDS,
    "police_ppa": ALL_FIELDS,  # investigates: needs the people and the place
    "legal_aid": ALL_FIELDS - {PersonalField.ADDRESS},
    "dinas_sosial": frozenset({_STORY, _VICTIM, PersonalField.ADDRESS}),
    "health": frozenset({_STORY, _VICTIM}),
    "ngo": frozenset({_STORY, _VICTIM}),
    "dinas_pendidikan": frozenset({_VICTIM}),  # to keep a child in school, not the story
}

# Staff who record reports, and read back what they recorded.
RECORDERS = (Role.OPERATOR, *AGENCY_ROLES)

# Who may call the case-reading endpoints at all; what each one then sees is decided per case below.
CASE_READERS = (Role.OPERATOR, *AGENCY_ROLES, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN, Role.AUDITOR)



# -- one referral's access ------------------------------------------------------------------------------------

_RANK = {ReferralAccess.ENDED: 0, ReferralAccess.FOLLOW_UP: 1, ReferralAccess.LIVE: 2}


@dataclass(frozen=True)
class Grant:
    """What one referral leaves its agency, as intake keeps it (``intake.case_access``, one row per referral)."""

    referral_id: UUID
    agency_id: str
    agency_type: str
    is_lead: bool
    access: ReferralAccess
    since: datetime  # when the referral entered ``access``
    read_until: datetime | None = None  # the end of the follow-up period; None while live
    consented: bool = True  # the case's consent covers the agency's type

    @classmethod
    def referred(
        cls, *, referral_id: UUID, agency_id: str, agency_type: str, is_lead: bool, at: datetime,
        consented_types: frozenset[str] | None,
    ) -> Grant:
        """A new referral: live from ``at``. ``consented_types`` is None for a case intake does not hold."""
        consented = consented_types is None or consent_covers(consented_types, agency_type)
        return cls(referral_id, agency_id, agency_type, is_lead, ReferralAccess.LIVE, at, None, consented)

    def after(
        self, event_type: str, *, reason: str | None, at: datetime, follow_up: timedelta = DEFAULT_FOLLOW_UP
    ) -> Grant:
        """The grant once the referral's ``event_type`` happened at ``at``. A referral's access only narrows
        (live, follow-up, ended): more takes a new referral, so a late or repeated event cannot revive one that
        ended. Staying in the same state keeps when it began: a case closed after its referral was completed does
        not lengthen the follow-up."""
        access = access_after(event_type, reason=reason)
        if access is None or _RANK[access] >= _RANK[self.access]:
            return self
        return self.entering(access, at=at, follow_up=follow_up)

    def entering(self, access: ReferralAccess, *, at: datetime, follow_up: timedelta) -> Grant:
        read_until = {ReferralAccess.LIVE: None, ReferralAccess.FOLLOW_UP: at + follow_up}.get(access, at)
        return replace(self, access=access, since=at, read_until=read_until)

    def closed(self, *, at: datetime, follow_up: timedelta) -> Grant:
        """The grant once intake closes the case: a live referral keeps read-only follow-up access."""
        if self.access is ReferralAccess.LIVE:
            return self.entering(ReferralAccess.FOLLOW_UP, at=at, follow_up=follow_up)
        return self

    def with_consent(self, consented_types: frozenset[str]) -> Grant:
        return replace(self, consented=consent_covers(consented_types, self.agency_type))

    def in_force(self, now: datetime) -> ReferralAccess:
        """The access this referral gives at ``now``."""
        if not self.consented:
            return ReferralAccess.ENDED
        if self.access is ReferralAccess.FOLLOW_UP and (self.read_until is None or now >= self.read_until):
            return ReferralAccess.ENDED
        return self.access


def best_access(grants: tuple[Grant, ...], now: datetime) -> ReferralAccess:
    """An agency's access to a case: the best of its referrals' (ENDED when it has none)."""
    return max((grant.in_force(now) for grant in grants), key=_RANK.__getitem__, default=ReferralAccess.ENDED)


# -- what one principal may do with one case ------------------------------------------------------------------


class Refusal(Enum):
    """Why a change is refused: not visible (404), not allowed (403), or not possible in the case's state
    (409)."""

    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class CaseScope:
    """What the rules need to know about one case, at one moment (``now``: passed in, never read here)."""

    province_code: str
    regency_code: str
    recorded_by: str | None
    now: datetime
    grants: tuple[Grant, ...] = ()
    status: str = "open"

    def _recorded_by(self, principal: Principal) -> bool:
        return principal.has_role(*RECORDERS) and self.recorded_by == principal.user_id

    def _grants_of(self, principal: Principal) -> tuple[Grant, ...]:
        """The referrals of the principal's agency, if they act for it."""
        if principal.agency_id is None or not principal.works_for(principal.agency_id):
            return ()
        return tuple(grant for grant in self.grants if grant.agency_id == principal.agency_id)

    def agency_access(self, principal: Principal) -> tuple[str, ReferralAccess] | None:
        """The type of the principal's agency and the access its referrals give now, if it has any."""
        grants = self._grants_of(principal)
        access = best_access(grants, self.now)
        return (grants[0].agency_type, access) if access.may_read else None

    def _agency_may(self, principal: Principal, *, write: bool) -> str | None:
        found = self.agency_access(principal)
        if found is None or (write and not found[1].may_write):
            return None
        return found[0]

    def _oversees(self, principal: Principal) -> bool:
        """A supervisor of the case's region, or an operator of it: every fact, no personal field."""
        return principal.supervises(self.province_code, self.regency_code) or (
            principal.has_role(Role.OPERATOR) and in_region(principal, self.province_code, self.regency_code)
        )

    def can_view(self, principal: Principal) -> bool:
        return (
            self._recorded_by(principal)
            or self._agency_may(principal, write=False) is not None
            or self._oversees(principal)
        )

    def can_update(self, principal: Principal) -> bool:
        """Add information or correct fields: who recorded it, or the agencies handling it (live referrals)."""
        return self._recorded_by(principal) or self._agency_may(principal, write=True) is not None

    def can_close(self, principal: Principal) -> bool:
        """Close: who recorded it (a duplicate, a withdrawn report), or a case manager handling it."""
        return self._recorded_by(principal) or self._agency_may(principal, write=True) in CASE_MANAGERS

    def can_reopen(self, principal: Principal) -> bool:
        """Reopen: the district supervisor of its regency, or its lead agency while its access still runs."""
        if principal.has_role(Role.DISTRICT_SUPERVISOR) and principal.regency_code == self.regency_code:
            return True
        return any(grant.is_lead and grant.in_force(self.now).may_read for grant in self._grants_of(principal))

    def change_refusal(self, principal: Principal, *, closing: bool) -> Refusal | None:
        """Why ``principal`` may not update (or close) the case now, or None if they may. A closed case is a
        conflict for who handled it (its recorder, its agencies), a refusal for anyone else."""
        if not self.can_view(principal):
            return Refusal.NOT_FOUND
        if self.status == "closed":
            involved = self._recorded_by(principal) or bool(self._grants_of(principal))
            return Refusal.CONFLICT if involved else Refusal.NOT_ALLOWED
        allowed = self.can_close(principal) if closing else self.can_update(principal)
        return None if allowed else Refusal.NOT_ALLOWED

    def reopen_refusal(self, principal: Principal) -> Refusal | None:
        if not self.can_view(principal):
            return Refusal.NOT_FOUND
        if not self.can_reopen(principal):
            return Refusal.NOT_ALLOWED
        return Refusal.CONFLICT if self.status != "closed" else None

    def readable_fields(self, principal: Principal) -> frozenset[PersonalField]:
        if self._recorded_by(principal):
            return ALL_FIELDS
        agency_type = self._agency_may(principal, write=False)
        if agency_type is None:
            return frozenset()
        return FIELDS_BY_AGENCY_TYPE.get(agency_type, frozenset())

    def fact_fields(self, principal: Principal) -> frozenset[str] | None:
        """The non-personal facts (``CaseFacts`` names) the principal may see, or None for all of them: an agency
        sees what its type needs (``shared.contracts.visibility``); who recorded the case and who supervises the
        region see everything."""
        if self._recorded_by(principal) or self._oversees(principal):
            return None
        agency_type = self._agency_may(principal, write=False)
        return frozenset(visible_fact_fields(agency_type)) if agency_type is not None else frozenset()
