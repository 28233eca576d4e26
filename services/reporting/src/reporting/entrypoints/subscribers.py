"""Reporting's Kafka consumers: it learns about cases and referrals only from events."""

from __future__ import annotations

from reporting import SERVICE
from reporting.adapters.projections import PROJECTED
from reporting.service_layer.handlers import project_event, record_personal_data_read
from shared.contracts import AUDIT, CASES, REFERRALS, Event, PersonalDataRead, TopicSpec
from shared.service import Runtime

# What the read models consume, by topic (the audit trail reads everything: audit_trail_subscribers.py).
READ_MODEL_TOPICS: dict[TopicSpec, tuple[type[Event], ...]] = {
    topic: tuple(event for event in PROJECTED if event.topic == topic.name) for topic in (CASES, REFERRALS)
}


def register_subscribers(runtime: Runtime) -> None:
    # A consumer group per topic: a group's members should all subscribe to the same topics.
    runtime.consume(CASES, READ_MODEL_TOPICS[CASES], project_event, consumer=SERVICE)
    runtime.consume(REFERRALS, READ_MODEL_TOPICS[REFERRALS], project_event, consumer=f"{SERVICE}-referrals")
    runtime.consume(AUDIT, (PersonalDataRead,), record_personal_data_read, consumer=f"{SERVICE}-audit")
