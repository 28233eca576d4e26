"""The AsyncAPI document of notifications's events, generated from the code:
`faststream docs gen notifications.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from notifications import SERVICE
from notifications.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import DeliveryDeadLettered, WebhookDelivered

spec = service_spec(
    SERVICE,
    description="Notifications tells the agencies that hold a case (a live referral, or one within its follow-up "
    "period) and the supervisors of its region "
    "of its events, and records each delivery and each dead letter.",
    consumes=CONSUMES,
    publishes=(WebhookDelivered, DeliveryDeadLettered),
)
