"""Kafka plumbing, built in one place: the broker, topic creation, and consumers that deduplicate, dead-letter
what they cannot read, and commit only after their transaction."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.message import StreamMessage
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import exc as sqlalchemy_exc

from shared.contracts import ALL_TOPICS, Event, EventParseError, TopicSpec, dead_letter_topic, parse_event
from shared.metrics import DEAD_LETTERED, HANDLED, RETRIED, SKIPPED, UNREADABLE, ServiceMetrics
from shared.offsets import OffsetCommitter
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

DLQ_REASON_HEADER = "sinergi-dlq-reason"
DLQ_SOURCE_HEADER = "sinergi-dlq-source"
DLQ_CONSUMER_HEADER = "sinergi-dlq-consumer"

EventHandler = Callable[[Any], Awaitable[None]]


class TogetherStartingBroker(KafkaBroker):
    """A broker whose subscribers join their consumer groups at once. aiokafka's ``start`` waits for the group's
    assignment and FastStream starts subscribers one after another, so a service with seven groups waited for
    seven joins in a row (about 3 s each on Tansu: reporting took 21 s to start, and every test app as long).
    A join that takes longer than ``join_timeout`` is given up and tried again with a fresh member."""

    def __init__(self, *args: Any, join_timeout: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.join_timeout = join_timeout

    async def start(self) -> None:
        await self.connect()
        await join_together(self.subscribers, self.join_timeout)
        for publisher in self.publishers:
            await publisher.start()
        self.running = True


class Startable(Protocol):
    """What ``join_together`` needs of a subscriber: FastStream's Kafka subscribers are these."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def join_together(subscribers: Iterable[Startable], join_timeout: float) -> None:
    """Start every subscriber at once; one not started (its group not joined) within ``join_timeout`` is stopped
    and started again, as often as it takes."""

    async def join(subscriber: Startable) -> None:
        for attempt in itertools.count(1):
            try:
                await asyncio.wait_for(subscriber.start(), join_timeout)
            except TimeoutError:
                log.warning("consumer %s had not joined its group after %.0f s (attempt %d); starting it again",
                            getattr(subscriber, "group_id", None), join_timeout, attempt)
                await subscriber.stop()
            else:
                return

    await asyncio.gather(*(join(subscriber) for subscriber in subscribers))


def create_broker(settings: ServiceSettings, *, service: str, tracer_provider: TracerProvider) -> KafkaBroker:
    """The service's one broker: producer settings for durability, W3C trace context in Kafka headers, and its
    consumer groups joined together."""
    return TogetherStartingBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"sinergi-{service}",
        acks="all",
        # Topics are declared with their partition counts (ensure_topics, deploy/k8s); a topic auto-created by a
        # producer would get the broker's defaults and could scatter a case's events.
        allow_auto_create_topics=False,
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=settings.kafka_linger_ms,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=tracer_provider)],
        logger=logging.getLogger(f"sinergi.{service}.kafka"),
        # Handlers get the raw body only (``subscribe`` takes the message from the context): FastDepends would
        # resolve the message argument in a worker thread, a thread hop per event.
        apply_types=False,
        join_timeout=settings.kafka_group_join_timeout_seconds,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[TopicSpec] = ALL_TOPICS, *, replication_factor: int = 1
) -> None:
    """Create every topic and its dead-letter topic if missing. In production the topics are declared by
    the deployment (deploy/k8s); this only fills in what is missing."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="sinergi-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(t.name, t.partitions, replication_factor) for t in topics if t.name not in existing]
        wanted += [
            NewTopic(dead_letter_topic(t.name), 1, replication_factor)
            for t in topics
            if dead_letter_topic(t.name) not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service created it first
                await admin.create_topics(wanted)
    finally:
        await admin.close()


async def _raw_body(message: StreamMessage[object]) -> bytes:
    """Hand handlers the raw bytes: the event contract, not the framework, decides what they mean."""
    return message.body


# Failures no retry can mend: the event breaks a constraint or carries a value the column cannot hold.
PERMANENT_FAILURES: tuple[type[Exception], ...] = (sqlalchemy_exc.IntegrityError, sqlalchemy_exc.DataError)


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    *,
    topic: TopicSpec,
    group_id: str,
    events: Sequence[type[Event]],
    handler: EventHandler,
    committer: OffsetCommitter,
    retry_delay: float = 1.0,
    metrics: ServiceMetrics | None = None,
) -> None:
    """Consume the ``events`` classes from ``topic`` in consumer group ``group_id``, at least once. Other event
    types on the topic are skipped, as is a version of a type this build does not handle. The same ``events``
    declaration documents the consumer in the service's AsyncAPI document (``shared.asyncapi``).

    - an offset is committed only after ``handler`` returned (its transaction committed), in batches by
      ``committer`` (``shared.offsets``);
    - an event that cannot be read goes to the topic's dead-letter topic with the reason in headers, and the
      consumer carries on;
    - an event the database refuses for good (a constraint it breaks, a value it cannot hold) goes there too;
    - any other failure (database down, ...) rewinds the partition to the event and retries it after
      ``retry_delay``.

    Each message counts in ``metrics`` (``sinergi_events_consumed_total`` by how it ended, and the handler's
    time in ``sinergi_event_handler_seconds``).
    """

    wanted = tuple(events)
    metrics = metrics or ServiceMetrics.create()
    latency = metrics.handler_seconds.labels(topic=topic.name)

    offsets = committer.track(group_id)

    def count(event_type: str, outcome: str) -> None:
        metrics.events_consumed.labels(topic=topic.name, event_type=event_type, outcome=outcome).inc()

    async def consume(body: bytes) -> None:
        message: KafkaMessage = broker.context.get_local("message")
        try:
            done = await handle(body, message)
        except Exception as error:  # noqa: BLE001 - dead-lettering failed (broker unreachable): never skip it
            log.warning("%s could not dead-letter a message (%s); will retry", group_id, type(error).__name__)
            await asyncio.sleep(retry_delay)
            done = False
        if done:
            offsets.handled(message)
        else:
            await message.nack()  # seek back: the partition's next read is this event again

    async def handle(body: bytes, message: KafkaMessage) -> bool:
        """Whether the event is done with (handled, skipped or dead-lettered) rather than to be retried."""
        try:
            event = parse_event(body)
        except EventParseError as error:
            await dead_letter(broker, message, group_id=group_id, reason=str(error))
            count(UNREADABLE, DEAD_LETTERED)
            return True
        if not isinstance(event, wanted):
            count(event.event_type, SKIPPED)
            return True
        try:
            with latency.time():
                await handler(event)
        except PERMANENT_FAILURES as error:
            # Retrying cannot help and would hold back every later event of the partition.
            await dead_letter(broker, message, group_id=group_id,
                              reason=f"refused by the handler for good ({type(error).__name__})")
            count(event.event_type, DEAD_LETTERED)
            return True
        except Exception as error:  # noqa: BLE001 - anything else may mend: retried, never skipped
            log.warning(
                "%s failed on %s %s (%s); will retry", group_id, event.event_type, event.event_id,
                type(error).__name__,
            )
            count(event.event_type, RETRIED)
            await asyncio.sleep(retry_delay)
            return False
        count(event.event_type, HANDLED)
        return True

    broker.subscriber(
        topic.name,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,  # ``offsets`` commits; ``consume`` rewinds
        listener=offsets,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        decoder=_raw_body,
        title=f"{group_id}:{topic.name}",
        description=f"{group_id} consumes {topic.description}",
    )(consume)


async def dead_letter(broker: KafkaBroker, message: KafkaMessage, *, group_id: str, reason: str) -> None:
    """Park an unreadable message, byte for byte, with why and where it came from."""
    record = message.raw_message
    source = f"{record.topic}/{record.partition}/{record.offset}"  # type: ignore[union-attr]
    log.warning("dead-lettering %s for %s: %s", source, group_id, reason)
    await broker.publish(
        message.body,
        dead_letter_topic(record.topic),  # type: ignore[union-attr]
        key=record.key,  # type: ignore[union-attr]
        headers={
            DLQ_REASON_HEADER: reason[:1000],
            DLQ_SOURCE_HEADER: source,
            DLQ_CONSUMER_HEADER: group_id,
        },
    )
