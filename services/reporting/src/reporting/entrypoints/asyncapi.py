"""The AsyncAPI document of reporting's events, generated from the code:
`faststream docs gen reporting.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from reporting import SERVICE
from reporting.entrypoints.audit_trail_subscribers import audited_events
from shared.asyncapi import service_spec

spec = service_spec(
    SERVICE,
    description="Reporting builds SIMFONI-PPA statistics from case and referral events (the read models), and "
    "keeps every case's hash-chained audit trail of every event of every topic, reads of personal fields included.",
    # The audit trail reads every event; the read models a part of them (entrypoints/subscribers.py).
    consumes=audited_events(),
    publishes=(),
)
