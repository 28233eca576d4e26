"""Reporting's Kafka consumers: it learns about cases only from events."""

from __future__ import annotations

from reporting import SERVICE
from reporting.service_layer.handlers import record_case_reported, record_personal_data_read
from shared.contracts import AUDIT, CASES, CaseReported, Event, PersonalDataRead, TopicSpec
from shared.service import Runtime

# What reporting consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {CASES: (CaseReported,), AUDIT: (PersonalDataRead,)}


def register_subscribers(runtime: Runtime) -> None:
    runtime.consume(CASES, CONSUMES[CASES], record_case_reported, consumer=SERVICE)
    runtime.consume(AUDIT, CONSUMES[AUDIT], record_personal_data_read, consumer=f"{SERVICE}-audit")
