"""Reporting's Kafka consumers: it learns about cases only from events."""

from __future__ import annotations

from reporting import SERVICE
from reporting.service_layer.handlers import record_case_reported
from shared.contracts import CASES, CaseReported, Event, TopicSpec
from shared.messaging import subscribe
from shared.service import Runtime

# What reporting consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {CASES: (CaseReported,)}


def register_subscribers(runtime: Runtime) -> None:
    async def on_case_reported(event: CaseReported) -> None:
        await record_case_reported(event, runtime.unit_of_work())

    subscribe(
        runtime.broker,
        runtime.settings,
        topic=CASES,
        group_id=runtime.settings.consumer_group(SERVICE),
        events=CONSUMES[CASES],
        handler=on_case_reported,
    )
