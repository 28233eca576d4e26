"""Poison events, for every consumer group of every service on every topic it reads (the four services in
process, the real Postgres and broker).

On each topic, keyed like one good event so that they share its partition and come before it: bad JSON, JSON
nested deeper than Python reads, an unknown event type, a value where the type's name should be, a known type in
a schema version this build does not know, and a known type and version that breaks its schema. Then the good
event. Every consumer group parks each poison message on ``<topic>.dlq`` byte for byte, with its original key,
a reason naming what is wrong and never a payload value, where it came from and which group parked it; and then
handles the good event (its inbox holds the event_id, committed with the event's effects). A consumer group
that is not in ``CONSUMERS`` fails ``test_every_consumer_group_is_covered``.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text

from shared.access import SERVICE_CONTEXT
from shared.contracts import (
    AUDIT,
    CASES,
    NOTIFICATIONS,
    REFERRALS,
    CaseUpdated,
    Event,
    PersonalDataRead,
    ReferralCreated,
    TopicSpec,
    WebhookDelivered,
    dead_letter_topic,
)
from shared.contracts.examples import example_case_reported
from shared.messaging import DLQ_CONSUMER_HEADER, DLQ_REASON_HEADER, DLQ_SOURCE_HEADER
from sinergi_local.dlq import DeadLetter, read_dead_letters
from sinergi_local.infrastructure import Infrastructure
from tests.apps import four_apps
from tests.polling import eventually

pytestmark = pytest.mark.integration

MARKER = f"POISON-MARKER-{uuid.uuid4().hex}"  # in every poison message; in no header, ever


@dataclass(frozen=True)
class Consumer:
    service: str
    topic: TopicSpec
    consumer: str  # the consumer group is ``settings.consumer_group(consumer)``
    inbox: str  # the consumer name its inbox records event_ids under


CONSUMERS = (
    Consumer("intake", REFERRALS, "intake", "intake"),
    Consumer("routing", CASES, "routing", "routing"),
    Consumer("notifications", CASES, "notifications-cases", "notifications.cases"),
    Consumer("notifications", REFERRALS, "notifications", "notifications.referrals"),
    Consumer("reporting", CASES, "reporting", "reporting"),
    Consumer("reporting", REFERRALS, "reporting-referrals", "reporting"),
    Consumer("reporting", AUDIT, "reporting-audit", "reporting.audit"),
    *(Consumer("reporting", topic, f"reporting-audit-trail-{topic.name.rsplit('.', 1)[-1]}", "reporting.audit-trail")
      for topic in (CASES, REFERRALS, AUDIT, NOTIFICATIONS)),
)


@dataclass(frozen=True)
class Poison:
    kind: str
    make: Callable[[Event], bytes]  # from the good event it comes before
    reason: Callable[[Event], str]  # a regular expression the whole reason matches


def _document(event: Event, **changes: Any) -> dict[str, Any]:
    return {**json.loads(event.to_json()), "note": MARKER, **changes}


def _without(document: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != name}


def _teleported(event: Event) -> str:
    return f"{event.event_type.split('.')[0]}.teleported"


POISONS = (
    Poison("bad JSON", lambda e: f'{{"event_type": "{e.event_type}", "note": "{MARKER}"'.encode(),
           lambda e: r"not JSON: .+"),
    Poison("JSON nested too deeply",
           lambda e: f'{{"event_type": "{e.event_type}", "note": "{MARKER}", "x": '.encode() + b"[" * 100_000,
           lambda e: "not JSON this build reads: nested too deeply"),
    Poison("unknown event type", lambda e: json.dumps(_document(e, event_type=_teleported(e))).encode(),
           lambda e: re.escape(f"unknown event type '{_teleported(e)}' with schema version 1")),
    Poison("a value for the event type", lambda e: json.dumps(_document(e, event_type=MARKER)).encode(),
           lambda e: re.escape("unknown event type (str, not an event type name) with schema version 1")),
    Poison("unknown schema version", lambda e: json.dumps(_document(e, schema_version=99)).encode(),
           lambda e: re.escape(f"unknown event type '{e.event_type}' with schema version 99")),
    Poison("schema violation", lambda e: json.dumps(_without(_document(e, occurred_at=MARKER), "case_id")).encode(),
           lambda e: r"occurred_at: Input should be a valid datetime.*; case_id: Field required"),
)


@dataclass(frozen=True)
class Sent:
    value: bytes
    key: bytes
    source: str  # topic/partition/offset


@dataclass
class Outcome:
    apps: dict[str, FastAPI]
    good: dict[str, Event]  # by topic
    sent: dict[tuple[str, str], Sent]  # by (topic, poison kind)
    dead: list[DeadLetter]

    def group(self, consumer: Consumer) -> str:
        return str(self.apps[consumer.service].state.runtime.settings.consumer_group(consumer.consumer))


def _good_events(case_id: uuid.UUID) -> dict[str, Event]:
    """One event each consumer of the topic handles; the referral is of a case intake has (its access table
    refers to its cases)."""
    reported = example_case_reported(regency_code="81.04", case_number="8104-2026-90001")
    facts = reported.model_dump(exclude={"event_id", "event_type", "schema_version", "occurred_at", "producer"})
    return {
        CASES.name: CaseUpdated(**facts, update_id=uuid.uuid4(), kind="corrected", changed_fields=("place",),
                                updated_by="poison-test"),
        REFERRALS.name: ReferralCreated(
            case_id=case_id, referral_id=uuid.uuid4(), agency_id="poison-test-agency", agency_type="ngo",
            is_lead=False, province_code="81", regency_code="81.04", rule="poison-test", reason="poison test",
        ),
        AUDIT.name: PersonalDataRead(case_id=uuid.uuid4(), actor_user_id="poison-test", actor_agency_id=None,
                                     actor_roles=("operator",), fields=("narrative",),
                                     endpoint="GET /v1/cases/{case_id}"),
        NOTIFICATIONS.name: WebhookDelivered(case_id=uuid.uuid4(), subscription_id=uuid.uuid4(), agency_id=None,
                                             delivered_event_id=uuid.uuid4(), delivered_event_type="case.reported",
                                             attempts=1),
    }


async def _handled(app: FastAPI, consumer: Consumer, event: Event) -> bool:
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return bool(await uow.session.scalar(
            text("SELECT count(*) FROM inbox WHERE consumer = :consumer AND event_id = :event_id"),
            {"consumer": consumer.inbox, "event_id": event.event_id},
        ))


@pytest.fixture(scope="module")
async def outcome(infra: Infrastructure, make_settings: Callable[..., Any]) -> AsyncIterator[Outcome]:
    apps = four_apps(make_settings, only={"intake": {"http_public_rate_limit": "1000/minute"}})
    async with contextlib.AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        intake = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["intake"]), base_url="http://intake"))
        reported = await intake.post("/v1/reports", json={
            "incident": {"precision": "unknown"}, "channel": "web", "violence_types": ["psikis"],
            "location": {"province_code": "81", "regency_code": "81.04", "place": "lainnya"},
            "victims": [{"sex": "perempuan", "age": 30}], "reporter": {"anonymous": True, "relation": "lainnya"},
            "narrative": "Laporan uji pesan beracun.",
        })
        assert reported.status_code == 201, reported.text
        good = _good_events(uuid.UUID(reported.json()["case_id"]))

        sent: dict[tuple[str, str], Sent] = {}
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers, acks="all",
                                    max_request_size=1024 * 1024)
        await producer.start()
        try:
            for topic, event in good.items():
                for poison in POISONS:
                    value = poison.make(event)
                    record = await producer.send_and_wait(topic, value, key=event.key)
                    sent[topic, poison.kind] = Sent(value, event.key, f"{topic}/{record.partition}/{record.offset}")
                await producer.send_and_wait(topic, event.to_json(), key=event.key)
        finally:
            await producer.stop()

        for consumer in CONSUMERS:
            event = good[consumer.topic.name]
            await eventually(lambda c=consumer, e=event: _handled(apps[c.service], c, e),
                             f"{consumer.consumer} handles the good event on {consumer.topic.name}", within=120)
        # Each group parked the poison before it handled the good event behind it on the same partition; the
        # letters are read until all are there (a bounded wait: a missing one fails its own test below).
        dead_letter_topics = [dead_letter_topic(topic) for topic in good]
        expected = {
            (str(apps[c.service].state.runtime.settings.consumer_group(c.consumer)), sent[c.topic.name, p.kind].value)
            for c in CONSUMERS for p in POISONS
        }

        async def every_letter() -> list[DeadLetter] | None:
            letters = await read_dead_letters(infra.kafka_bootstrap_servers, dead_letter_topics)
            return letters if expected <= {(d.headers.get(DLQ_CONSUMER_HEADER), d.value) for d in letters} else None

        try:
            dead = await eventually(every_letter, "every group's dead letters", within=30)
        except AssertionError:
            dead = await read_dead_letters(infra.kafka_bootstrap_servers, dead_letter_topics)
        yield Outcome(apps, good, sent, dead)


def _ids(consumer: Consumer) -> str:
    return f"{consumer.service}:{consumer.consumer}:{consumer.topic.name}"


async def test_every_consumer_group_is_covered(outcome: Outcome) -> None:
    registered = {
        (service, topic, subscriber.group_id)
        for service, app in outcome.apps.items()
        for subscriber in app.state.runtime.broker.subscribers
        for topic in subscriber.topic_names
    }
    assert registered == {(c.service, c.topic.name, outcome.group(c)) for c in CONSUMERS}


@pytest.mark.parametrize("poison", POISONS, ids=lambda p: p.kind)
@pytest.mark.parametrize("consumer", CONSUMERS, ids=_ids)
async def test_each_group_dead_letters_each_poison_byte_for_byte_with_a_safe_reason(
    outcome: Outcome, consumer: Consumer, poison: Poison
) -> None:
    topic, group = consumer.topic.name, outcome.group(consumer)
    sent = outcome.sent[topic, poison.kind]
    parked = [d for d in outcome.dead if d.value == sent.value and d.headers.get(DLQ_CONSUMER_HEADER) == group]
    # Once per group, unless a rebalance between parking and committing made the group read it twice.
    assert parked, (
        f"{group} did not dead-letter the {poison.kind} on {topic}; it parked "
        f"{[d.headers.get(DLQ_SOURCE_HEADER) for d in outcome.dead if d.headers.get(DLQ_CONSUMER_HEADER) == group]} "
        f"(this one was {sent.source}); other groups parked it "
        f"{sorted(str(d.headers.get(DLQ_CONSUMER_HEADER)) for d in outcome.dead if d.value == sent.value)}"
    )
    for letter in parked:
        assert letter.topic == dead_letter_topic(topic)
        assert letter.key == sent.key
        assert letter.headers[DLQ_SOURCE_HEADER] == sent.source
        assert re.fullmatch(poison.reason(outcome.good[topic]), letter.headers[DLQ_REASON_HEADER]), letter.reason
        assert not [name for name, value in letter.headers.items() if MARKER in value]


@pytest.mark.parametrize("consumer", CONSUMERS, ids=_ids)
async def test_each_group_carries_on_with_the_good_event_after_the_poison(
    outcome: Outcome, consumer: Consumer
) -> None:
    event = outcome.good[consumer.topic.name]
    assert await _handled(outcome.apps[consumer.service], consumer, event)
    assert not [d for d in outcome.dead if d.value == event.to_json()], "the good event was dead-lettered"


async def test_one_poison_message_is_parked_once_per_group_that_reads_its_topic(outcome: Outcome) -> None:
    ours = {outcome.group(c) for c in CONSUMERS}  # other tests' services may share the broker and park it too
    for (topic, kind), sent in outcome.sent.items():
        groups = {d.headers.get(DLQ_CONSUMER_HEADER) for d in outcome.dead
                  if d.value == sent.value and d.topic == dead_letter_topic(topic)}
        assert groups & ours == {outcome.group(c) for c in CONSUMERS if c.topic.name == topic}, (topic, kind)
