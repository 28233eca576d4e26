"""Two routing processes sharing the cases topic (one consumer group) and the SLA timers: every case is referred
once, and every breached deadline is breached and escalated once, whichever instance saw it.

The SLA to accept a P1 case is two seconds here, so each case climbs the whole chain (district UPTD PPA, district Dinas,
province UPTD PPA, SAPA 129) within seconds, with both instances checking the same timers five times a second.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from routing.adapters import repository
from routing.app import create_app
from routing.domain.agencies import Agency, AgencyLevel
from routing.metrics import SLA_TIMERS, TIMER_CHECKS
from routing.settings import RoutingSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts import CASES
from shared.contracts.examples import example_case_reported
from shared.contracts.vocabulary import AgencyType, Priority, TriageReason
from sinergi_local import processes
from tests.polling import eventually

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
CASE_COUNT = 12
CHAIN_LENGTH = 4  # district UPTD PPA, district Dinas, province UPTD PPA, SAPA 129
INSTANCES = ("routing-a", "routing-b")


@pytest.fixture
def without_other_routing(test_run_dir: Path, request: pytest.FixtureRequest) -> Iterator[None]:
    """The end-to-end platform's routing (session-scoped, when it ran) consumes the same topic in its own group
    and would route some of this test's cases with its own deadlines: paused for this test."""
    if processes.read_pid(test_run_dir / "pids" / "routing.pid") is None:
        yield
        return
    platform = request.getfixturevalue("platform")
    processes.stop("routing", run_dir=test_run_dir)
    try:
        yield
    finally:
        platform.start_service("routing")
        platform.wait_ready("routing")


@pytest.fixture
def two_instances(
    service_env: Callable[[str], dict[str, str]], test_run_dir: Path, without_other_routing: None
) -> Iterator[dict[str, int]]:
    env = {
        **os.environ,
        **service_env("routing"),
        # The session's consumer group: it has read the topic so far, so the instances start near its end. Only
        # P1 deadlines are short, and the cases of this test are P1, so whatever else they route stays quiet.
        "ROUTING_SLA_P1_ACCEPT": "PT2S",
        "ROUTING_SLA_P1_FIRST_SERVICE": "PT1H",
        "ROUTING_SLA_CHECK_INTERVAL_SECONDS": "0.2",
    }
    ports = {name: processes.free_port() for name in INSTANCES}
    for name, port in ports.items():
        processes.start(name, [sys.executable, "-m", "routing", "serve"], run_dir=test_run_dir,
                        env={**env, "ROUTING_HTTP_PORT": str(port)}, cwd=REPO_ROOT)
    try:
        for name, port in ports.items():
            _wait_ready(port, name, test_run_dir)
        yield ports
    finally:
        for name in INSTANCES:
            processes.stop(name, run_dir=test_run_dir)


def _wait_ready(port: int, name: str, run_dir: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes.read_pid(run_dir / "pids" / f"{name}.pid") is None:
            break  # it exited
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{name} not ready:\n{(run_dir / 'logs' / f'{name}.log').read_text()[-3000:]}")


async def _outbox(settings: RoutingSettings, case_ids: list[str]) -> list[dict[str, Any]]:
    app = create_app(settings)
    runtime = app.state.runtime
    try:
        async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
            rows = await uow.session.execute(
                text("SELECT payload FROM routing.outbox WHERE message_key = ANY(:keys)"), {"keys": case_ids}
            )
            return [json.loads(row.payload) for row in rows]
    finally:
        await runtime.engine.dispose()


async def _sla_checks(port: int) -> float:
    """The SLA timer checks the instance on ``port`` finished, from its /metrics."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    response.raise_for_status()
    return sum(sample.value for family in text_string_to_metric_families(response.text) for sample in family.samples
               if sample.name == f"{TIMER_CHECKS}_total" and sample.labels.get("timer") == SLA_TIMERS)


async def _sla_checks_since(port: int, count: float) -> bool:
    return await _sla_checks(port) >= count


async def _committed_past(settings: RoutingSettings, partition: TopicPartition, offset: int) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.consumer_group("routing"),
                                                            partitions=[partition])
    finally:
        await admin.close()
    return partition in committed and committed[partition].offset > offset


async def test_two_instances_refer_and_escalate_each_case_exactly_once(
    two_instances: dict[str, int], make_settings: Callable[..., RoutingSettings], test_run_dir: Path
) -> None:
    settings = make_settings(RoutingSettings, "routing")
    tag = uuid.uuid4().hex[:6]
    province, regency = "17", "17.01"
    agencies = [
        Agency(agency_id=f"uptd-{tag}", name=f"UPTD PPA {tag}", agency_type=AgencyType.UPTD_PPA,
               level=AgencyLevel.REGENCY, province_code=province, regency_code=regency),
        Agency(agency_id=f"dinas-{tag}", name=f"Dinas PPA {tag}", agency_type=AgencyType.DINAS_PPA,
               level=AgencyLevel.REGENCY, province_code=province, regency_code=regency),
        Agency(agency_id=f"uptd-prov-{tag}", name=f"UPTD PPA Provinsi {tag}", agency_type=AgencyType.UPTD_PPA,
               level=AgencyLevel.PROVINCE, province_code=province),
    ]
    app = create_app(settings)
    async with app.state.runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()
    await app.state.runtime.engine.dispose()

    events = [
        example_case_reported(province_code=province, regency_code=regency, priority=Priority.P1,
                              triage_reasons=(TriageReason.ONGOING_DANGER,))
        for _ in range(CASE_COUNT)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(CASES.name, value=event.to_json(), key=event.key)
        redelivered = await producer.send_and_wait(CASES.name, value=events[0].to_json(), key=events[0].key)
    finally:
        await producer.stop()

    case_ids = [str(event.case_id) for event in events]
    expected = {"referral.created": CASE_COUNT * CHAIN_LENGTH, "referral.sla_breached": CASE_COUNT * CHAIN_LENGTH}
    deadline = time.monotonic() + 240
    counts: Counter[str] = Counter()
    while time.monotonic() < deadline:
        counts = Counter(e["event_type"] for e in await _outbox(settings, case_ids))
        if all(counts[kind] >= number for kind, number in expected.items()):
            break
        await asyncio.sleep(0.2)
    # Both instances keep checking: nothing more may come. Proof that they have moved past it: each finished the
    # check it was in (whose commit would have come) and a whole one after, and the group has committed past the
    # redelivered copy of the first case.
    checks = {name: await _sla_checks(port) for name, port in two_instances.items()}
    for name, port in two_instances.items():
        await eventually(functools.partial(_sla_checks_since, port, checks[name] + 2),
                         f"two more SLA timer checks by {name}")
    await eventually(functools.partial(_committed_past, settings, TopicPartition(CASES.name, redelivered.partition),
                                       redelivered.offset), "the redelivered case committed")
    published = await _outbox(settings, case_ids)
    counts = Counter(e["event_type"] for e in published)
    assert {kind: counts[kind] for kind in expected} == expected, counts

    per_case = Counter((e["case_id"], e["agency_id"]) for e in published if e["event_type"] == "referral.created")
    assert set(per_case.values()) == {1}, "no agency is referred the same case twice"
    breaches = Counter((e["case_id"], e["referral_id"], e["deadline"]) for e in published
                       if e["event_type"] == "referral.sla_breached")
    assert set(breaches.values()) == {1}, "no deadline is breached twice"
    for case_id in case_ids:
        chain = [e["escalated_to"] for e in published
                 if e["event_type"] == "referral.sla_breached" and e["case_id"] == case_id]
        assert sorted(chain, key=str) == sorted([f"dinas-{tag}", f"uptd-prov-{tag}", "sapa-129", None], key=str)

    logs = {name: (test_run_dir / "logs" / f"{name}.log").read_text() for name in INSTANCES}
    referred_by = {name: log.count(" referred to ") for name, log in logs.items()}
    print(f"referrals logged per instance: {referred_by}")  # noqa: T201 - how the work was shared
