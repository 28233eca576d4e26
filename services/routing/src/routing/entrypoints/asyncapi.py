"""The AsyncAPI document of routing's events, generated from the code:
`faststream docs gen routing.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from routing import SERVICE
from routing.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import ReferralAccepted, ReferralCreated

spec = service_spec(
    SERVICE,
    description="Routing refers every reported case to the right agency queue and announces each referral.",
    consumes=CONSUMES,
    publishes=(ReferralCreated, ReferralAccepted),
)
