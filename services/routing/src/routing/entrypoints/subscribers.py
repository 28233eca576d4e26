"""Routing's Kafka consumers."""

from __future__ import annotations

from routing import SERVICE
from routing.service_layer.handlers import refer_case
from shared.access import SERVICE_CONTEXT
from shared.contracts import CASES, CaseReported, Event, TopicSpec
from shared.messaging import subscribe
from shared.service import Runtime

# What routing consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {CASES: (CaseReported,)}


def register_subscribers(runtime: Runtime) -> None:
    """Consume ``case.reported`` from the cases topic; called before the broker starts."""

    async def on_case_reported(event: CaseReported) -> None:
        await refer_case(event, runtime.unit_of_work(SERVICE_CONTEXT))

    subscribe(
        runtime.broker,
        runtime.settings,
        topic=CASES,
        group_id=runtime.settings.consumer_group(SERVICE),
        events=CONSUMES[CASES],
        handler=on_case_reported,
    )
