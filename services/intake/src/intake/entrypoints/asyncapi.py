"""The AsyncAPI document of intake's events, generated from the code:
`faststream docs gen intake.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from intake import SERVICE
from shared.asyncapi import service_spec
from shared.contracts import CaseReported

spec = service_spec(
    SERVICE,
    description="Intake opens a case for every accepted report and announces it, with no personal field, "
    "on sinergi.cases.",
    consumes={},
    publishes=(CaseReported,),
)
