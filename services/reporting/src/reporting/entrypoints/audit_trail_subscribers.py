"""The audit trail's Kafka consumer: every event of every topic, whoever produced it, into its case's chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from reporting import SERVICE
from reporting.service_layer.audit_trail import record_in_audit_trail
from shared.contracts import ALL_TOPICS, Event, TopicSpec
from shared.service import Runtime
from shared.unit_of_work import UnitOfWork

AUDIT_TRAIL_GROUP = f"{SERVICE}-audit-trail"


def audited_events() -> dict[TopicSpec, tuple[type[Event], ...]]:
    """Every event contract, by the topic it travels on (read when called: the registry is complete by then)."""
    return {
        topic: tuple(
            event for _, event in sorted(Event.registry.items()) if event.topic == topic.name
        )
        for topic in ALL_TOPICS
    }


def _recorder(topic: str) -> Callable[[Event, UnitOfWork], Awaitable[None]]:
    async def record(event: Event, uow: UnitOfWork) -> None:
        await record_in_audit_trail(event, topic, uow)

    return record


def register_audit_trail_subscriber(runtime: Runtime) -> None:
    """Consumer groups of their own, apart from the statistics consumers: the trail keeps up even when a read
    model is being rebuilt, and a read model's failure never holds the trail back. A group per topic, as a
    group's members should all subscribe to the same topics."""
    for topic, events in audited_events().items():
        group = f"{AUDIT_TRAIL_GROUP}-{topic.name.rsplit('.', 1)[-1]}"
        runtime.consume(topic, events, _recorder(topic.name), consumer=group)
