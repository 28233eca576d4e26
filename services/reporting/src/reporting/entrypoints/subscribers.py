"""Reporting's Kafka consumers: it learns about cases only from events."""

from __future__ import annotations

from reporting import SERVICE
from reporting.service_layer.handlers import record_case_reported, record_personal_data_read
from shared.access import SERVICE_CONTEXT
from shared.contracts import AUDIT, CASES, CaseReported, Event, PersonalDataRead, TopicSpec
from shared.messaging import subscribe
from shared.service import Runtime

# What reporting consumes; also its AsyncAPI document (entrypoints/asyncapi.py).
CONSUMES: dict[TopicSpec, tuple[type[Event], ...]] = {CASES: (CaseReported,), AUDIT: (PersonalDataRead,)}


def register_subscribers(runtime: Runtime) -> None:
    async def on_case_reported(event: CaseReported) -> None:
        await record_case_reported(event, runtime.unit_of_work(SERVICE_CONTEXT))

    async def on_personal_data_read(event: PersonalDataRead) -> None:
        await record_personal_data_read(event, runtime.unit_of_work(SERVICE_CONTEXT))

    subscribe(
        runtime.broker,
        runtime.settings,
        topic=CASES,
        group_id=runtime.settings.consumer_group(SERVICE),
        events=CONSUMES[CASES],
        handler=on_case_reported,
    )
    subscribe(
        runtime.broker,
        runtime.settings,
        topic=AUDIT,
        group_id=runtime.settings.consumer_group(f"{SERVICE}-audit"),
        events=CONSUMES[AUDIT],
        handler=on_personal_data_read,
    )
