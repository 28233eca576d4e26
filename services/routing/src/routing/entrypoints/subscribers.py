"""Routing's Kafka consumers."""

from __future__ import annotations

from routing import SERVICE
from routing.service_layer.handlers import refer_case
from shared.contracts import CASES, CaseReported, Event, TopicSpec
from shared.service import Runtime

# What routing consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {CASES: (CaseReported,)}


def register_subscribers(runtime: Runtime) -> None:
    """Consume ``case.reported`` from the cases topic; called before the broker starts."""
    runtime.consume(CASES, CONSUMES[CASES], refer_case, consumer=SERVICE)
