"""Subscriptions, and the need-to-know rule for who is told about an event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from uuid import UUID

from shared.contracts import Event, ReferralCreated

# The events an agency can subscribe to. Each must name the one agency it concerns (see `addressed_agency`).
DELIVERABLE_EVENT_TYPES: frozenset[str] = frozenset({"referral.created"})

MIN_SECRET_LENGTH = 16


class InvalidSubscriptionError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class SubscriptionRequest:
    """What an agency asks for. ``secret`` signs its webhooks; it is kept out of ``repr`` and leaves this
    object only encrypted."""

    agency_id: str
    url: str
    event_types: tuple[str, ...]
    secret: str = field(repr=False)
    # Only referrals of cases in this province (None: wherever the agency is referred cases). A province
    # admin's subscriptions are always limited to their own province.
    province_code: str | None = None

    def __post_init__(self) -> None:
        if not self.agency_id.strip():
            raise InvalidSubscriptionError("agency_id", "must not be empty")
        parts = urlsplit(self.url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise InvalidSubscriptionError("url", "must be an http or https URL with a host")
        if not self.event_types:
            raise InvalidSubscriptionError("event_types", "at least one event type is required")
        unknown = sorted(set(self.event_types) - DELIVERABLE_EVENT_TYPES)
        if unknown:
            raise InvalidSubscriptionError(
                "event_types", f"unknown event type(s) {unknown}; known: {sorted(DELIVERABLE_EVENT_TYPES)}"
            )
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise InvalidSubscriptionError("secret", f"must be at least {MIN_SECRET_LENGTH} characters")
        # The same type twice would mean nothing more; keep the first occurrence's order.
        object.__setattr__(self, "event_types", tuple(dict.fromkeys(self.event_types)))


@dataclass(frozen=True)
class Subscription:
    subscription_id: UUID
    agency_id: str
    url: str
    event_types: tuple[str, ...]
    active: bool
    created_at: datetime
    province_code: str | None = None


def addressed_agency(event: Event) -> str | None:
    """The one agency an event concerns, or None if it names none (and so goes to nobody)."""
    if isinstance(event, ReferralCreated):
        return event.agency_id
    return None


def subscriptions_for(event: Event, candidates: Iterable[Subscription]) -> list[Subscription]:
    """Need to know: an event goes only to the active subscriptions of the agency it names that asked for its
    type. An agency never learns of a referral made to another agency."""
    agency = addressed_agency(event)
    if agency is None:
        return []
    province = event.province_code if isinstance(event, ReferralCreated) else None
    return [
        subscription
        for subscription in candidates
        if subscription.active
        and subscription.agency_id == agency
        and event.event_type in subscription.event_types
        and subscription.province_code in (None, province)
    ]
