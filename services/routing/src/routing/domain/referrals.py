"""A referral: a case placed in an agency's queue by a routing rule, and its lifecycle.

    created --accept--> accepted --start_service--> in_service --complete--> completed
    created|accepted --decline--> declined        (routing refers the case to the next eligible agency)
    created|accepted|in_service --revoke--> revoked

Any other move is refused with the referral's current status, and in words for the caller: a referral that has
ended (declined, revoked, completed, or its case closed) can no longer be decided on. Closing the case revokes
every referral still open (reason ``case_closed``). Each move is an event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from routing.domain.cases import CaseToRoute
from routing.domain.rules import ReferralDecision
from routing.domain.sla import Deadlines
from shared.contracts import (
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
)
from shared.contracts.routing import CASE_CLOSED_REASON
from shared.contracts.vocabulary import Need

# The words of a status and of a move, for the refusals (English, Bahasa Indonesia).
_STATUS_WORDS: dict[str, tuple[str, str]] = {
    "created": ("waiting in the agency's queue", "menunggu di antrean lembaga"),
    "accepted": ("accepted", "sudah diterima"),
    "in_service": ("in service", "sedang dilayani"),
    "completed": ("completed", "sudah selesai"),
    "declined": ("declined", "sudah ditolak"),
    "revoked": ("revoked", "sudah dicabut"),
}
_ACTION_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("accepted", "diterima"),
    "declined": ("declined", "ditolak"),
    "started": ("started", "dimulai layanannya"),
    "completed": ("completed", "diselesaikan"),
    "revoked": ("revoked", "dicabut"),
}


class ReferralStatus(StrEnum):
    CREATED = "created"  # in the agency's queue
    ACCEPTED = "accepted"  # the agency took the case on
    IN_SERVICE = "in_service"  # the agency started serving the victim
    COMPLETED = "completed"
    DECLINED = "declined"
    REVOKED = "revoked"

    @property
    def is_done(self) -> bool:
        return self in {ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.REVOKED}


class ReferralTransitionError(ValueError):
    """A referral asked to move to a status it cannot reach from where it is. ``code`` says why: the case is
    closed, the referral has ended, or it is not there yet; ``en`` and ``id`` say it to the caller."""

    def __init__(self, status: ReferralStatus, action: str, *, status_reason: str | None = None) -> None:
        self.status = status
        done_en, done_id = _ACTION_WORDS.get(action, (action, action))
        if status is ReferralStatus.REVOKED and status_reason == CASE_CLOSED_REASON:
            self.code = "case_closed"
            self.en = f"The case of this referral is closed, so the referral can no longer be {done_en}."
            self.id = f"Kasus dari rujukan ini sudah ditutup, sehingga rujukan tidak dapat lagi {done_id}."
        elif status.is_done:
            self.code = "referral_ended"
            status_en, status_id = _STATUS_WORDS[status.value]
            self.en = f"This referral has ended ({status_en}), so it can no longer be {done_en}."
            self.id = f"Rujukan ini sudah berakhir ({status_id}), sehingga tidak dapat lagi {done_id}."
        else:
            self.code = "referral_status"
            status_en, status_id = _STATUS_WORDS[status.value]
            self.en = f"A referral that is {status_en} cannot be {done_en}."
            self.id = f"Rujukan yang {status_id} tidak dapat {done_id}."
        super().__init__(f"a referral that is {status} cannot be {action}")


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
    rule_set_version: int = 0
    accept_by: datetime | None = None
    first_service_by: datetime | None = None
    replaces_referral_id: UUID | None = None
    status_reason: str | None = None
    services_given: tuple[Need, ...] = ()
    updated_at: datetime | None = None
    round: int = 0  # the case's round: how many times it had been reopened when the referral was made
    accepted_at: datetime | None = None  # for the median time to accept (None before routing kept it, 0008)
    requested_by: str | None = None  # the supervisor who made it by hand; None for a rule's

    @classmethod
    def create(
        cls, case: CaseToRoute, decision: ReferralDecision, *, referral_id: UUID, created_at: datetime,
        rule_set_version: int, deadlines: Deadlines, replaces: UUID | None = None, round_: int = 0,
        requested_by: str | None = None,
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
            rule_set_version=rule_set_version,
            accept_by=created_at + deadlines.accept,
            first_service_by=created_at + deadlines.first_service,
            replaces_referral_id=replaces,
            round=round_,
            requested_by=requested_by,
        )

    @property
    def region(self) -> dict[str, str]:
        """The case's region, as every referral event names it (no personal field: codes only)."""
        return {"province_code": self.province_code, "regency_code": self.regency_code}

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
            rule_set_version=self.rule_set_version,
            accept_by=self.accept_by,
            first_service_by=self.first_service_by,
            replaces_referral_id=self.replaces_referral_id,
            requested_by=self.requested_by,
        )

    def _move(self, allowed_from: set[ReferralStatus], to: ReferralStatus, action: str, at: datetime,
              **changes: object) -> Referral:
        if self.status not in allowed_from:
            raise ReferralTransitionError(self.status, action, status_reason=self.status_reason)
        return replace(self, status=to, updated_at=at, **changes)  # type: ignore[arg-type]

    def accept(self, *, by: str, at: datetime) -> tuple[Referral, Event]:
        moved = self._move({ReferralStatus.CREATED}, ReferralStatus.ACCEPTED, "accepted", at, accepted_at=at)
        return moved, ReferralAccepted(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id,
            accepted_by=by, **self.region,
        )

    def decline(self, *, by: str, at: datetime, reason: str) -> tuple[Referral, Event]:
        moved = self._move({ReferralStatus.CREATED, ReferralStatus.ACCEPTED}, ReferralStatus.DECLINED, "declined",
                           at, status_reason=reason)
        return moved, ReferralDeclined(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id, actor=by,
            reason=reason, **self.region,
        )

    def start_service(self, *, by: str, at: datetime) -> tuple[Referral, Event]:
        moved = self._move({ReferralStatus.ACCEPTED}, ReferralStatus.IN_SERVICE, "started", at)
        return moved, ReferralServiceStarted(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id, actor=by,
            **self.region,
        )

    def complete(self, *, by: str, at: datetime, services: tuple[Need, ...]) -> tuple[Referral, Event]:
        given = tuple(dict.fromkeys(services))
        if not given:
            raise ValueError("a completed referral names the services given")
        moved = self._move({ReferralStatus.IN_SERVICE}, ReferralStatus.COMPLETED, "completed", at,
                           services_given=given)
        return moved, ReferralCompleted(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id, actor=by,
            services_given=given, **self.region,
        )

    def revoke(self, *, by: str, at: datetime, reason: str) -> tuple[Referral, Event]:
        moved = self._move({ReferralStatus.CREATED, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE},
                           ReferralStatus.REVOKED, "revoked", at, status_reason=reason)
        return moved, ReferralRevoked(
            case_id=self.case_id, occurred_at=at, referral_id=self.referral_id, agency_id=self.agency_id, actor=by,
            reason=reason, **self.region,
        )

    def met(self, deadline: str) -> bool:
        """Whether the SLA ``deadline`` (accept, first_service) was met, or no longer applies."""
        if self.status.is_done and self.status is not ReferralStatus.COMPLETED:
            return True  # declined or revoked: the replacement or nobody carries the clock now
        if deadline == "accept":
            return self.status is not ReferralStatus.CREATED
        return self.status in {ReferralStatus.IN_SERVICE, ReferralStatus.COMPLETED}


def close_case(referrals: list[Referral], *, by: str, at: datetime) -> list[tuple[Referral, Event]]:
    """Each referral of a closed case that is still open, revoked with the reason ``case_closed``: its clocks
    stop and its agency is told; one already ended stays as it is."""
    return [referral.revoke(by=by, at=at, reason=CASE_CLOSED_REASON) for referral in referrals
            if not referral.status.is_done]


def services_completed(referrals: list[Referral]) -> tuple[Need, ...] | None:
    """The services given when every referral of a case is done and at least one completed; else None."""
    if not referrals or not all(r.status.is_done for r in referrals):
        return None
    completed = [r for r in referrals if r.status is ReferralStatus.COMPLETED]
    if not completed:
        return None
    return tuple(dict.fromkeys(service for r in completed for service in r.services_given))
