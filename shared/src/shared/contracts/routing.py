"""Events produced by routing."""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Event
from shared.contracts.topics import REFERRALS


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


class ReferralAccepted(Event):
    """The referred agency took the case on (by a person of that agency, named by user id only)."""

    topic: ClassVar[str] = REFERRALS.name

    event_type: Literal["referral.accepted"] = "referral.accepted"
    schema_version: Literal[1] = 1
    producer: Literal["routing"] = "routing"

    referral_id: UUID
    agency_id: str
    accepted_by: str = Field(description="The `sub` of the token that accepted.")
