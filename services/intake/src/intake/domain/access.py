"""Who may see a case, and which of its personal fields.

- Agency staff and supervisors: the cases referred to their agency, with the personal fields their agency type
  needs (``FIELDS_BY_AGENCY_TYPE``; an agency type not listed sees none).
- Whoever recorded a case (an operator, or agency staff taking a walk-in or a school's report): that case, with
  every field they typed.
- District supervisors (their regency), province admins and auditors (their province): the cases of their
  region, without personal fields.
The database enforces the same rules on its own with row-level security (migrations/versions/0002).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.auth import AGENCY_ROLES, Principal, Role
from shared.contracts.vocabulary import CASE_MANAGERS


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


@dataclass(frozen=True)
class CaseScope:
    """What the rules need to know about one case."""

    province_code: str
    regency_code: str
    recorded_by: str | None
    referred_to: Mapping[str, str] = field(default_factory=dict)  # agency id -> agency type

    def _recorded_by(self, principal: Principal) -> bool:
        return principal.has_role(*RECORDERS) and self.recorded_by == principal.user_id

    def _referred_to(self, principal: Principal) -> str | None:
        """The type of the principal's agency if the case is referred to it and they act for it."""
        if principal.agency_id is None or not principal.works_for(principal.agency_id):
            return None
        return self.referred_to.get(principal.agency_id)

    def can_view(self, principal: Principal) -> bool:
        return (
            self._recorded_by(principal)
            or self._referred_to(principal) is not None
            or principal.supervises(self.province_code, self.regency_code)
        )

    def can_update(self, principal: Principal) -> bool:
        """Add information or correct fields: who recorded it, or the agencies handling it."""
        return self._recorded_by(principal) or self._referred_to(principal) is not None

    def can_close(self, principal: Principal) -> bool:
        """Close: who recorded it (a duplicate, a withdrawn report), or a case manager handling it."""
        return self._recorded_by(principal) or self._referred_to(principal) in CASE_MANAGERS

    def readable_fields(self, principal: Principal) -> frozenset[PersonalField]:
        if self._recorded_by(principal):
            return ALL_FIELDS
        agency_type = self._referred_to(principal)
        if agency_type is None:
            return frozenset()
        return FIELDS_BY_AGENCY_TYPE.get(agency_type, frozenset())
