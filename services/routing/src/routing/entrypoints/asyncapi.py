"""The AsyncAPI document of routing's events, generated from the code:
`faststream docs gen routing.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from routing import SERVICE
from routing.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import (
    CaseServicesCompleted,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralFollowUpDue,
    ReferralRevoked,
    ReferralServiceStarted,
    ReferralSlaBreached,
)

spec = service_spec(
    SERVICE,
    description="Routing refers every reported case to the right agency queues by its rules and announces each "
    "referral and every move in its lifecycle; it watches each referral's SLA, escalating a breach up the chain "
    "district UPTD PPA, district Dinas, province UPTD PPA, SAPA 129; tells an agency when a follow-up it set falls "
    "due; and says when a case's services are complete.",
    consumes=CONSUMES,
    publishes=(
        ReferralCreated, ReferralAccepted, ReferralDeclined, ReferralServiceStarted, ReferralCompleted,
        ReferralRevoked, ReferralSlaBreached, ReferralFollowUpDue, CaseServicesCompleted,
    ),
)
