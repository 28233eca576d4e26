"""Events produced by notifications."""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Event
from shared.contracts.topics import NOTIFICATIONS


class WebhookDelivered(Event):
    """A subscriber was told of an event: its endpoint acknowledged it (2xx), the mail server or the message
    gateway accepted it. For the audit trail."""

    topic: ClassVar[str] = NOTIFICATIONS.name

    event_type: Literal["webhook.delivered"] = "webhook.delivered"
    schema_version: Literal[1] = 1
    producer: Literal["notifications"] = "notifications"

    subscription_id: UUID
    agency_id: str | None = Field(description="The agency told; None for a region's supervisors.")
    delivered_event_id: UUID = Field(description="The event that was delivered.")
    delivered_event_type: str
    attempts: int = Field(ge=1)
    channel: Literal["webhook", "email", "sms", "whatsapp"] = Field(default="webhook", description="How it went.")


class DeliveryDeadLettered(Event):
    """Every attempt to tell a subscriber of an event failed (or it could not be sent at all): the delivery is
    in the dead letters, where an operator can look at it and send it again."""

    topic: ClassVar[str] = NOTIFICATIONS.name

    event_type: Literal["delivery.dead_lettered"] = "delivery.dead_lettered"
    schema_version: Literal[1] = 1
    producer: Literal["notifications"] = "notifications"

    subscription_id: UUID
    agency_id: str | None = Field(description="The agency not told; None for a region's supervisors.")
    undelivered_event_id: UUID
    undelivered_event_type: str
    channel: Literal["webhook", "email", "sms", "whatsapp"]
    attempts: int = Field(ge=0)
    reason: str = Field(description="The last failure, short and without personal data (e.g. `HTTP 503`).")
