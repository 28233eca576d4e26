"""The notification a subscriber receives: built per subscription from the event and what its audience may see.

This is the webhook body (the signed bytes) and what the email and message templates are rendered from. It
never holds a name, a contact, an address or free text: events carry none, and the free-text reasons some
referral events carry (why a referral was declined or revoked) are left out too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from notifications.domain.need_to_know import Audience, KnownReferral, visible_facts
from notifications.domain.subscriptions import Language, Scope, Subscription
from shared.contracts import Event
from shared.contracts.intake import CaseFacts

# The structured, non-personal fields of each event that a notification repeats under ``details``. Anything not
# listed (user ids of staff, free-text reasons) is not sent.
DETAIL_FIELDS: dict[str, tuple[str, ...]] = {
    "case.reported": (),
    "case.updated": ("kind", "changed_fields"),
    "case.closed": ("reason",),
    "case.linked": ("reasons",),
    "case.services_completed": ("services_given", "referral_count"),
    "referral.created": ("rule", "replaces_referral_id"),
    "referral.accepted": (),
    "referral.declined": (),
    "referral.service_started": (),
    "referral.completed": ("services_given",),
    "referral.revoked": (),
    "referral.sla_breached": ("deadline", "due_at", "escalated_to"),
    "referral.follow_up_due": ("follow_up_id", "due_at"),
}


class ReferralSummary(BaseModel):
    """The subscriber's own referral of the case."""

    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    agency_id: str
    agency_type: str
    is_lead: bool = Field(description="True if the agency manages the case.")
    status: str
    accept_by: datetime | None = Field(default=None, description="When the SLA to accept runs out.")
    first_service_by: datetime | None = Field(default=None, description="When the SLA to start service runs out.")

    @classmethod
    def of(cls, referral: KnownReferral) -> ReferralSummary:
        return cls(
            referral_id=referral.referral_id, agency_id=referral.agency_id, agency_type=referral.agency_type,
            is_lead=referral.is_lead, status=referral.status.value, accept_by=referral.accept_by,
            first_service_by=referral.first_service_by,
        )


class Notification(BaseModel):
    """What a subscription is sent for one event (the webhook's JSON body, version 1).

    ``case`` holds only the groups of facts the agency's type may see (a region subscription: aggregate fields
    only); fields it may not see are absent, not null. Receivers deduplicate on ``event_id``, which the
    ``Sinergi-Event-Id`` header repeats: the same event is sent with the same id on every attempt.
    """

    model_config = ConfigDict(frozen=True)

    notification_version: Literal[1] = 1
    event_id: UUID = Field(description="The idempotency key: the same on every attempt.")
    event_type: str
    occurred_at: datetime
    subscription_id: UUID
    scope: Scope
    language: Language
    case_id: UUID
    case: dict[str, Any] = Field(description="The case's facts this subscriber may see (CaseFacts fields).")
    referral: ReferralSummary | None = Field(
        default=None, description="The agency's own referral of the case (agency subscriptions)."
    )
    details: dict[str, Any] = Field(description="Non-personal fields of the event itself; see DETAIL_FIELDS.")
    link: str | None = Field(default=None, description="Where to open the case in Sinergi (sign-in required).")
    summary: str | None = Field(default=None, description="One sentence saying what happened, in `language`.")


def build_notification(
    event: Event, subscription: Subscription, facts: CaseFacts, audience: Audience, *, case_link: str | None
) -> Notification:
    fields = DETAIL_FIELDS.get(event.event_type, ())
    details = event.model_dump(mode="json", include=set(fields))
    if "changed_fields" in details:
        # Even the name of a field the audience may not see says too much ("perpetrators" changed).
        visible = set(audience.visible_fields())
        details["changed_fields"] = [name for name in details["changed_fields"] if name.split(".")[0] in visible]
    return Notification(
        event_id=event.event_id,
        event_type=event.event_type,
        occurred_at=event.occurred_at,
        subscription_id=subscription.subscription_id,
        scope=audience.scope,
        language=subscription.language,
        case_id=event.case_id,
        case=visible_facts(facts, audience),
        referral=None if audience.referral is None else ReferralSummary.of(audience.referral),
        details=details,
        link=case_link if audience.scope is Scope.AGENCY else None,
    )
