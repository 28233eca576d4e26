"""The AsyncAPI document of reporting's events, generated from the code:
`faststream docs gen reporting.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from reporting import SERVICE
from reporting.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec

spec = service_spec(
    SERVICE,
    description="Reporting builds SIMFONI-PPA statistics from case events, and keeps the audit trail of every "
    "read of personal fields.",
    consumes=CONSUMES,
    publishes=(),
)
