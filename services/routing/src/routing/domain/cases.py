"""A case as routing sees it: where it happened and what kind of case it is, never who is in it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.contracts import AgeGroup, CaseReported, ViolenceType


@dataclass(frozen=True)
class CaseToRoute:
    case_id: UUID
    province_code: str
    regency_code: str
    # Not used by the lead-agency rule; here for the rules that will refer to police, health and schools.
    violence_types: tuple[ViolenceType, ...] = ()
    victim_age_group: AgeGroup = AgeGroup.UNKNOWN

    @classmethod
    def from_event(cls, event: CaseReported) -> CaseToRoute:
        return cls(
            case_id=event.case_id,
            province_code=event.province_code,
            regency_code=event.regency_code,
            violence_types=event.violence_types,
            victim_age_group=event.victim_age_group,
        )
