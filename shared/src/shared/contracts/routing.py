"""Events produced by routing."""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.contracts.base import Event
from shared.contracts.topics import CASES, REFERRALS
from shared.contracts.vocabulary import Need

# The reason of a ``referral.revoked`` that routing raises itself when the case is closed: the referral's clocks
# stop, and its agency keeps read-only access for the follow-up period (``shared.referral_access``).
CASE_CLOSED_REASON = "case_closed"


class ReferralCreated(Event):
    """A case was referred to an agency's queue (an agency, never a person)."""

    topic: ClassVar[str] = REFERRALS.name

    event_type: Literal["referral.created"] = "referral.created"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str = Field(description="Directory id of the agency the case is referred to.")
    agency_type: str = Field(description="Kind of agency, e.g. `uptd_ppa`, `dinas_ppa`, `police_ppa`.")
    is_lead: bool = Field(description="True for the case manager agency.")
    province_code: str
    regency_code: str
    rule: str = Field(description="The routing rule that made this referral.")
    reason: str = Field(description="Why the rule chose this agency, in words an operator can check.")
    rule_set_version: int = Field(default=0, description="The version of the rule set the rule belongs to.")
    accept_by: AwareDatetime | None = Field(default=None, description="When the SLA to accept runs out.")
    first_service_by: AwareDatetime | None = Field(default=None, description="When the SLA to start service runs out.")
    replaces_referral_id: UUID | None = Field(
        default=None, description="The declined or breached referral this one follows, if any."
    )
    requested_by: str | None = Field(
        default=None, description="The `sub` of the supervisor who made this referral by hand (rule `manual/...`: "
        "a manual referral or a lead handover); None for a rule's (added later: optional).",
    )


class ReferralAccepted(Event):
    """The referred agency took the case on (by a person of that agency, named by user id only)."""

    topic: ClassVar[str] = REFERRALS.name

    event_type: Literal["referral.accepted"] = "referral.accepted"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str
    accepted_by: str = Field(description="The `sub` of the token that accepted.")
    province_code: str | None = Field(default=None, description="The case's province (added later: optional).")
    regency_code: str | None = Field(default=None, description="The case's regency (added later: optional), so "
                                     "that a region's supervisors can follow its referrals without a lookup.")


class _Transition(Event):
    """A referral moved on in its lifecycle, by a person of the agency (named by user id only)."""

    topic: ClassVar[str] = REFERRALS.name
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str
    actor: str = Field(description="The `sub` of the token that made the change.")
    province_code: str | None = Field(default=None, description="The case's province (added later: optional).")
    regency_code: str | None = Field(default=None, description="The case's regency (added later: optional), so "
                                     "that a region's supervisors can follow its referrals without a lookup.")


class ReferralDeclined(_Transition):
    """The agency cannot take the case; routing refers it to the next eligible agency."""

    event_type: Literal["referral.declined"] = "referral.declined"
    schema_version: Literal[1] = 1

    reason: str = Field(description="Why, in the agency's words (no personal data).")


class ReferralServiceStarted(_Transition):
    event_type: Literal["referral.service_started"] = "referral.service_started"
    schema_version: Literal[1] = 1


class ReferralCompleted(_Transition):
    event_type: Literal["referral.completed"] = "referral.completed"
    schema_version: Literal[1] = 1

    services_given: tuple[Need, ...] = Field(min_length=1)


class ReferralRevoked(_Transition):
    """The case manager or the province withdrew the referral, or the case was closed (reason `case_closed`,
    actor the `sub` that closed the case)."""

    event_type: Literal["referral.revoked"] = "referral.revoked"
    schema_version: Literal[1] = 1

    reason: str


class ReferralSlaBreached(Event):
    """A referral was not accepted, or its service not started, in time. Escalated along the chain district
    UPTD PPA -> district Dinas -> province UPTD PPA -> SAPA 129."""

    topic: ClassVar[str] = REFERRALS.name

    event_type: Literal["referral.sla_breached"] = "referral.sla_breached"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str
    deadline: Literal["accept", "first_service"]
    due_at: AwareDatetime
    escalated_to: str | None = Field(description="The agency the case was escalated to; None past SAPA 129.")
    province_code: str | None = Field(default=None, description="The case's province (added later: optional).")
    regency_code: str | None = Field(default=None, description="The case's regency (added later: optional), so "
                                     "that a region's supervisors can follow its referrals without a lookup.")


class ReferralFollowUpDue(Event):
    """A follow-up the agency set on its referral fell due and is not done. Says only which and when: what to do
    is the agency's working note, kept encrypted by routing and read in Sinergi."""

    topic: ClassVar[str] = REFERRALS.name

    event_type: Literal["referral.follow_up_due"] = "referral.follow_up_due"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str
    follow_up_id: UUID
    due_at: AwareDatetime
    province_code: str | None = Field(default=None, description="The case's province (added later: optional).")
    regency_code: str | None = Field(default=None, description="The case's regency (added later: optional), so "
                                     "that a region's supervisors can follow its referrals without a lookup.")


class CaseServicesCompleted(Event):
    """Every referral of the case is done (completed, declined and replaced, or revoked), at least one completed."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.services_completed"] = "case.services_completed"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    services_given: tuple[Need, ...]
    referral_count: int
