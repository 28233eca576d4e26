"""Prometheus metrics of one service, every one defined here: what the service serves on ``GET /metrics``.

Each running service holds its own registry (``ServiceMetrics``, made by ``shared.service.create_runtime``), not
prometheus_client's global one, so that several apps in one process (the tests) never mix their figures.

Labels name topics, event types, consumer groups, deadlines, channels and failure kinds: a handful of values
each, known in advance. None ever holds an id, a case number or anything a person wrote, so the endpoint holds no
personal data by construction.

Counters and the handler histogram are counted where the work happens (``shared.messaging.subscribe``, the
outbox relay, the services); the outbox backlog, consumer lag and dead-letter depths are measured every
``metrics_refresh_seconds`` by ``keep_measuring`` (a worker of every service).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import dead_letter_topic
from shared.kafka_admin import KafkaProbe

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST  # of what ``ServiceMetrics.render`` returns

# How a consumed message ended (``sinergi_events_consumed_total{outcome}``).
HANDLED, SKIPPED, DEAD_LETTERED, RETRIED = "handled", "skipped", "dead_lettered", "retried"
# The event type label of a message that could not be read as an event.
UNREADABLE = "unreadable"

EVENTS_CONSUMED = "sinergi_events_consumed_total"
HANDLER_SECONDS = "sinergi_event_handler_seconds"
EVENTS_PUBLISHED = "sinergi_events_published_total"
OUTBOX_FAILURES = "sinergi_outbox_relay_failures_total"
OUTBOX_BACKLOG = "sinergi_outbox_backlog"
CONSUMER_LAG = "sinergi_consumer_lag"
DLQ_DEPTH = "sinergi_dlq_depth"
OFFSET_COMMITS = "sinergi_offset_commits_total"
SLA_BREACHES = "sinergi_sla_breaches_total"
WEBHOOK_FAILURES = "sinergi_webhook_failures_total"


@dataclass(frozen=True)
class ServiceMetrics:
    registry: CollectorRegistry
    events_consumed: Counter
    handler_seconds: Histogram
    events_published: Counter
    outbox_failures: Counter
    outbox_backlog: Gauge
    consumer_lag: Gauge
    dlq_depth: Gauge
    offset_commits: Counter

    @classmethod
    def create(cls) -> ServiceMetrics:
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)  # CPU, memory, open files of the process
        return cls(
            registry=registry,
            events_consumed=Counter(
                EVENTS_CONSUMED, "Messages consumed, by topic, event type and how they ended "
                "(handled, skipped, dead_lettered, retried)", ("topic", "event_type", "outcome"), registry=registry,
            ),
            handler_seconds=Histogram(
                HANDLER_SECONDS, "Time the handler of a consumed event took, its transaction included", ("topic",),
                registry=registry,
            ),
            events_published=Counter(
                EVENTS_PUBLISHED, "Events the outbox relay published, by topic", ("topic",), registry=registry
            ),
            outbox_failures=Counter(
                OUTBOX_FAILURES, "Tries of the outbox relay that failed (the broker or the database unreachable); "
                "their rows wait for a later try", registry=registry,
            ),
            outbox_backlog=Gauge(OUTBOX_BACKLOG, "Outbox rows not yet published", registry=registry),
            consumer_lag=Gauge(
                CONSUMER_LAG, "Messages not yet committed by the service's consumer group, by group and topic",
                ("group", "topic"), registry=registry,
            ),
            dlq_depth=Gauge(
                DLQ_DEPTH, "Messages in the dead-letter topic of each topic the service consumes", ("topic",),
                registry=registry,
            ),
            offset_commits=Counter(
                OFFSET_COMMITS, "Batched offset commits, by consumer group and outcome (committed, failed)",
                ("group", "outcome"), registry=registry,
            ),
        )

    def render(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)


def sla_breaches(metrics: ServiceMetrics) -> Counter:
    """Routing's: referral deadlines that passed unmet, by deadline (accept, first_service)."""
    return Counter(SLA_BREACHES, "Referral deadlines that passed unmet, by deadline", ("deadline",),
                   registry=metrics.registry)


def webhook_failures(metrics: ServiceMetrics) -> Counter:
    """Notifications': failed delivery attempts, by channel and kind of failure (never the receiver's answer)."""
    return Counter(WEBHOOK_FAILURES, "Failed delivery attempts, by channel and kind of failure",
                   ("channel", "reason"), registry=metrics.registry)


async def measure(
    metrics: ServiceMetrics, *, engine: AsyncEngine, outbox: Table, probe: KafkaProbe,
    groups: Mapping[str, Collection[str]],
) -> None:
    """Set the gauges: the unpublished rows of ``outbox``, the lag of each of ``groups`` (consumer group to the
    topics it consumes) and the depth of those topics' dead-letter topics."""
    async with engine.connect() as connection:
        backlog = await connection.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    metrics.outbox_backlog.set(backlog or 0)
    await probe.refresh()
    for group, topics in groups.items():
        for topic, lag in (await probe.lag(group, topics)).items():
            metrics.consumer_lag.labels(group=group, topic=topic).set(lag)
    dead_letters = sorted({dead_letter_topic(topic) for topics in groups.values() for topic in topics})
    for topic, depth in (await probe.depth(dead_letters)).items():
        metrics.dlq_depth.labels(topic=topic).set(depth)


async def keep_measuring(
    metrics: ServiceMetrics, *, engine: AsyncEngine, outbox: Table, bootstrap_servers: str, client_id: str,
    groups: Callable[[], Mapping[str, Collection[str]]], interval_seconds: float,
) -> None:
    """``measure`` at once and then every ``interval_seconds``, for the app's lifetime; outages of the database
    or the broker are waited out (the gauges keep their last values meanwhile)."""
    while True:
        try:
            async with KafkaProbe(bootstrap_servers, client_id=client_id) as probe:
                while True:
                    await measure(metrics, engine=engine, outbox=outbox, probe=probe, groups=groups())
                    await asyncio.sleep(interval_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - measuring must outlive broker and database outages
            log.warning("measuring the outbox backlog and consumer lag failed (%s); retrying", type(error).__name__)
            await asyncio.sleep(interval_seconds)
