"""Events produced by notifications."""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Event
from shared.contracts.topics import NOTIFICATIONS


class WebhookDelivered(Event):
    """A subscribed endpoint acknowledged an event (2xx), for the audit trail."""

    topic: ClassVar[str] = NOTIFICATIONS.name

    event_type: Literal["webhook.delivered"] = "webhook.delivered"
    schema_version: Literal[1] = 1
    producer: Literal["notifications"] = "notifications"

    subscription_id: UUID
    agency_id: str
    delivered_event_id: UUID = Field(description="The event that was delivered.")
    delivered_event_type: str
    attempts: int = Field(ge=1)
