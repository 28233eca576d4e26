"""A referral: a case placed in an agency's queue by a routing rule."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from routing.domain.cases import CaseToRoute
from routing.domain.rules import ReferralDecision
from shared.contracts import ReferralAccepted, ReferralCreated


class ReferralStatus(StrEnum):
    CREATED = "created"  # in the agency's queue
    ACCEPTED = "accepted"  # the agency took the case on


class ReferralTransitionError(ValueError):
    """A referral asked to move to a status it cannot reach from where it is."""


@dataclass(frozen=True)
class Referral:
    referral_id: UUID
    case_id: UUID
    agency_id: str
    agency_name: str
    agency_type: str
    is_lead: bool
    rule: str
    reason: str
    status: ReferralStatus
    province_code: str
    regency_code: str
    created_at: datetime

    @classmethod
    def create(
        cls, case: CaseToRoute, decision: ReferralDecision, *, referral_id: UUID, created_at: datetime
    ) -> Referral:
        return cls(
            referral_id=referral_id,
            case_id=case.case_id,
            agency_id=decision.agency.agency_id,
            agency_name=decision.agency.name,
            agency_type=decision.agency.agency_type.value,
            is_lead=decision.is_lead,
            rule=decision.rule,
            reason=decision.reason,
            status=ReferralStatus.CREATED,
            province_code=case.province_code,
            regency_code=case.regency_code,
            created_at=created_at,
        )

    def created_event(self) -> ReferralCreated:
        return ReferralCreated(
            case_id=self.case_id,
            occurred_at=self.created_at,
            referral_id=self.referral_id,
            agency_id=self.agency_id,
            agency_type=self.agency_type,
            is_lead=self.is_lead,
            province_code=self.province_code,
            regency_code=self.regency_code,
            rule=self.rule,
            reason=self.reason,
        )

    def accept(self, *, by: str, at: datetime) -> tuple[Referral, ReferralAccepted]:
        """The agency takes the case on. Accepting an accepted referral is refused, so it is recorded once."""
        if self.status is not ReferralStatus.CREATED:
            raise ReferralTransitionError(f"a referral that is {self.status} cannot be accepted")
        accepted = replace(self, status=ReferralStatus.ACCEPTED)
        event = ReferralAccepted(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id, accepted_by=by
        )
        return accepted, event
