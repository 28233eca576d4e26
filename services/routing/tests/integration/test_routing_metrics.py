"""Routing's /metrics against the real Postgres and broker: events consumed and published, the handler's time,
the outbox backlog, the consumer lag, dead letters and SLA breaches, as Prometheus reads them."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from routing.adapters import repository
from routing.app import create_app
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.sla import Deadlines, SlaPolicy
from routing.metrics import FOLLOW_UP_TIMERS, SLA_TIMERS, TIMER_CHECKS
from routing.service_layer.referrals import Routing, fire_due_timers, refer_case
from routing.settings import RoutingSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts import CASES, REFERRALS, dead_letter_topic
from shared.contracts.base import utc_now
from shared.contracts.examples import example_case_reported
from shared.contracts.vocabulary import AgencyType, Priority
from shared.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERED,
    DLQ_DEPTH,
    EVENTS_CONSUMED,
    EVENTS_PUBLISHED,
    HANDLED,
    HANDLER_SECONDS,
    OUTBOX_BACKLOG,
    SLA_BREACHES,
    UNREADABLE,
)
from shared.service import Runtime
from tests.polling import eventually

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
HOUR = timedelta(hours=1)
POLICY = SlaPolicy({p: Deadlines(accept=HOUR, first_service=6 * HOUR) for p in Priority})


@pytest.fixture(scope="module")
async def routing(make_settings: Callable[..., RoutingSettings]) -> AsyncIterator[httpx.AsyncClient]:
    """Routing in process, measuring every 0.2 s, in consumer groups of its own (no other instance shares its
    partitions, so its lag is its own); its timer loop never fires by the real clock while a test moves its own."""
    settings = make_settings(RoutingSettings, "routing", metrics_refresh_seconds=0.2, sla_check_interval_seconds=3600,
                             kafka_consumer_group_prefix=f"metrics-{uuid4().hex[:8]}")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture(scope="module")
async def producer(routing: httpx.AsyncClient) -> AsyncIterator[AIOKafkaProducer]:
    kafka = AIOKafkaProducer(bootstrap_servers=runtime_of(routing).settings.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    yield kafka
    await kafka.stop()


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


async def metrics(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def until(client: httpx.AsyncClient, what: str, holds: Callable[[Samples], bool]) -> Samples:
    async def check() -> Samples | None:
        samples = await metrics(client)
        return samples if holds(samples) else None

    found: Samples = await eventually(check, what, within=60)
    return found


async def add_uptd(client: httpx.AsyncClient, regency: str) -> None:
    agency = Agency(agency_id=f"uptd-{uuid4().hex[:6]}", name=f"UPTD PPA {regency}", agency_type=AgencyType.UPTD_PPA,
                    level=AgencyLevel.REGENCY, province_code=regency[:2], regency_code=regency)
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, [agency])
        await uow.commit()


async def test_events_in_and_out_the_outbox_backlog_and_the_lag(
    routing: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    runtime = runtime_of(routing)
    group = runtime.settings.consumer_group("routing")
    await add_uptd(routing, "21.01")
    event = example_case_reported(province_code="21", regency_code="21.01")
    before = await metrics(routing)
    handled = {"topic": CASES.name, "event_type": "case.reported", "outcome": HANDLED}

    # While something holds the relay's lock (shared.outbox) the referrals wait in the outbox: a backlog.
    relay_lock = zlib.crc32(f"outbox:{runtime.outbox.fullname}".encode())
    async with runtime.engine.connect() as holder:
        await holder.execute(select(func.pg_advisory_lock(relay_lock)))
        try:
            await producer.send_and_wait(CASES.name, event.to_json(), key=event.key)
            waiting = await until(routing, "the case handled and its referral waiting in the outbox", lambda m: (
                value(m, EVENTS_CONSUMED, **handled) > value(before, EVENTS_CONSUMED, **handled)
                and value(m, OUTBOX_BACKLOG) >= 1
            ))
        finally:
            await holder.execute(select(func.pg_advisory_unlock(relay_lock)))
    assert value(waiting, f"{HANDLER_SECONDS}_count", topic=CASES.name) > value(
        before, f"{HANDLER_SECONDS}_count", topic=CASES.name)
    assert value(waiting, f"{HANDLER_SECONDS}_sum", topic=CASES.name) > 0

    published = {"topic": REFERRALS.name}
    await until(routing, "the referral published, the backlog and the lag at 0", lambda m: (
        value(m, EVENTS_PUBLISHED, **published) > value(waiting, EVENTS_PUBLISHED, **published)
        and value(m, OUTBOX_BACKLOG) == 0
        and (CONSUMER_LAG, frozenset({("group", group), ("topic", CASES.name)})) in m
        and value(m, CONSUMER_LAG, group=group, topic=CASES.name) == 0
    ))


async def test_a_poison_message_is_dead_lettered_and_counted(
    routing: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    group = runtime_of(routing).settings.consumer_group("routing")
    dead_letters = dead_letter_topic(CASES.name)
    unreadable = {"topic": CASES.name, "event_type": UNREADABLE, "outcome": DEAD_LETTERED}
    before = await until(routing, "the dead-letter topic measured", lambda m: (
        (DLQ_DEPTH, frozenset({("topic", dead_letters)})) in m
    ))

    await producer.send_and_wait(CASES.name, b"not json", key=b"poison")

    await until(routing, "the poison message dead-lettered, and the consumer past it", lambda m: (
        value(m, EVENTS_CONSUMED, **unreadable) == value(before, EVENTS_CONSUMED, **unreadable) + 1
        and value(m, DLQ_DEPTH, topic=dead_letters) > value(before, DLQ_DEPTH, topic=dead_letters)
        and value(m, CONSUMER_LAG, group=group, topic=CASES.name) == 0
    ))


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


async def test_a_breached_deadline_is_counted(routing: httpx.AsyncClient) -> None:
    runtime = runtime_of(routing)
    clock = Clock()
    # The app's own Routing (its on_breach counts in /metrics), on a clock the test moves.
    app_routing: Routing = routing.app.state.routing  # type: ignore[attr-defined]
    moved = dataclasses.replace(app_routing, sla=POLICY, clock=clock)
    await add_uptd(routing, "21.02")
    assert await refer_case(example_case_reported(province_code="21", regency_code="21.02"),
                            runtime.unit_of_work(SERVICE_CONTEXT), moved)
    before = await metrics(routing)

    clock.now += HOUR + timedelta(seconds=1)
    breached = 0
    while fired := await fire_due_timers(runtime.unit_of_work(SERVICE_CONTEXT), moved):
        breached += fired  # the timers of other tests' referrals may be due by this clock too

    after = await metrics(routing)
    counted = {deadline: value(after, SLA_BREACHES, deadline=deadline)
               - value(before, SLA_BREACHES, deadline=deadline) for deadline in ("accept", "first_service")}
    assert counted["accept"] >= 1
    assert sum(counted.values()) == breached
    assert "21.02" not in (await routing.get("/metrics")).text, "labels name deadlines, never cases or places"


async def test_each_timer_check_that_ran_to_the_end_is_counted(routing: httpx.AsyncClient) -> None:
    """Both timer loops check once at start (then every hour, here): a rate of zero is a loop that stopped."""
    counted = await until(routing, "a check of each timer counted", lambda m: all(
        value(m, f"{TIMER_CHECKS}_total", timer=timer) >= 1 for timer in (SLA_TIMERS, FOLLOW_UP_TIMERS)))
    assert {labels for name, labels in counted if name == f"{TIMER_CHECKS}_total"} == {
        frozenset({("timer", SLA_TIMERS)}), frozenset({("timer", FOLLOW_UP_TIMERS)})}
