"""The AsyncAPI document of notifications's events, generated from the code:
`faststream docs gen notifications.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from notifications import SERVICE
from notifications.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import WebhookDelivered

spec = service_spec(
    SERVICE,
    description="Notifications turns referral events into signed webhooks to the agencies concerned, "
    "and records each delivery.",
    consumes=CONSUMES,
    publishes=(WebhookDelivered,),
)
