"""AsyncAPI documents generated from the code: what each service consumes and publishes, with the event
contracts as payload schemas. ``faststream docs gen <service>.entrypoints.asyncapi:spec --yaml`` renders one
(``spec`` is a FastStream application that exists only to carry the document; it is never run).

The same declarations drive the real consumers (``shared.messaging.subscribe`` takes the event classes), so the
document cannot drift from what runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Union

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.contracts import Event, TopicSpec, dead_letter_topic


def service_spec(
    service: str,
    *,
    description: str,
    consumes: Mapping[TopicSpec, Sequence[type[Event]]],
    publishes: Sequence[type[Event]],
) -> FastStream:
    broker = KafkaBroker("kafka:9092", description="Apache Kafka (any Kafka-protocol broker)")
    for topic, events in consumes.items():
        payload: Any = events[0] if len(events) == 1 else Union[tuple(events)]  # noqa: UP007 - built at run time

        async def consume(body: Any) -> None:
            """Documentation only: the real consumer is registered by shared.messaging.subscribe."""

        consume.__annotations__["body"] = payload
        names = ", ".join(e.model_fields["event_type"].default for e in events)
        broker.subscriber(
            topic.name,
            group_id=f"sinergi-{service}",
            title=f"{service}:consumes:{topic.name}",
            description=f"{service} consumes {names} from {topic.name}. Unreadable events go to "
            f"{dead_letter_topic(topic.name)} with the reason in the sinergi-dlq-reason header.",
        )(consume)
    for event in publishes:
        event_type = event.model_fields["event_type"].default
        broker.publisher(
            event.topic,
            schema=event,
            title=f"{service}:publishes:{event_type}",
            description=(event.__doc__ or "").strip() + " Keyed by case_id.",
        )
    document = AsyncAPI(broker, title=f"Sinergi {service} events", version="1.0.0", description=description)
    return FastStream(broker, specification=document)
