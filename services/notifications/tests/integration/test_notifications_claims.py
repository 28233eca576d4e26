"""The deliveries table as a work queue, on the real Postgres: concurrent claims never overlap, a late result
from a lost claim changes nothing, a last attempt that never reported back is dead-lettered, a paused
subscription's deliveries wait, and an endpoint's circuit breaker lets one trial through at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from notifications.adapters import deliveries, repository
from notifications.adapters.deliveries import AttemptRecord
from notifications.adapters.tables import inbox, outbox
from notifications.domain.circuit import CircuitPolicy
from notifications.domain.delivery import DeliveryLogEntry, DeliveryStatus, Outcome
from notifications.domain.subscriptions import Channel, Filters, Language, Scope, Subscription
from notifications.settings import NotificationsSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts import ReferralCreated
from shared.crypto import FieldCipher
from shared.db import create_engine
from shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

LEASE = 60.0
CIPHER = FieldCipher({"k": bytes(32)}, "k")
ATTEMPT = AttemptRecord(started_at=datetime.now(UTC), duration_ms=1, outcome="delivered")


@pytest.fixture(scope="module")
async def engine(make_settings: Callable[..., NotificationsSettings]) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(make_settings(NotificationsSettings, "notifications"), "notifications")
    yield engine
    await engine.dispose()


def new_uow(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox)


async def subscription_with_due_deliveries(engine: AsyncEngine, count: int) -> tuple[Subscription, list[UUID]]:
    """A subscription of its own agency with ``count`` deliveries due now. Other tests' rows may be due too, so
    callers look only at this subscription's."""
    agency = f"agency-{uuid4().hex[:8]}"
    now = datetime.now(UTC)
    subscription = Subscription(
        subscription_id=uuid4(), scope=Scope.AGENCY, agency_id=agency, region_code=None,
        event_types=("referral.created",), channel=Channel.WEBHOOK, target=f"http://127.0.0.1:9/{agency}",
        language=Language.INDONESIAN, filters=Filters(), paused=False, created_at=now, updated_at=now,
    )
    async with new_uow(engine) as uow:
        await repository.add_subscription(uow.session, subscription, CIPHER, secret="x" * 16)
        await uow.commit()
    events = [
        ReferralCreated(case_id=uuid4(), referral_id=uuid4(), agency_id=agency, agency_type="uptd_ppa",
                        is_lead=True, province_code="62", regency_code="62.13", rule="r", reason="r")
        for _ in range(count)
    ]
    async with new_uow(engine) as uow:
        payload = [(subscription.subscription_id, "{}")]
        for event in events:
            assert await deliveries.queue(uow.session, event, payload) == 1
        # Queueing again is a no-op: (subscription_id, event_id) is unique.
        assert await deliveries.queue(uow.session, events[0], payload) == 0
        await uow.commit()
    return subscription, [event.event_id for event in events]


async def expire_lease(engine: AsyncEngine, delivery_id: UUID) -> None:
    async with new_uow(engine) as uow:
        await uow.session.execute(
            text("UPDATE deliveries SET next_attempt_at = now() WHERE delivery_id = :id"), {"id": delivery_id}
        )
        await uow.commit()


async def claim(engine: AsyncEngine, limit: int, max_attempts: int = 12) -> list[repository.ClaimedDelivery]:
    async with new_uow(engine) as uow:
        claimed = await deliveries.claim_due(uow.session, limit=limit, lease_seconds=LEASE, max_attempts=max_attempts)
        await uow.commit()
    return claimed


async def test_concurrent_claims_never_take_the_same_delivery(engine: AsyncEngine) -> None:
    subscription, event_ids = await subscription_with_due_deliveries(engine, 40)
    claims = await asyncio.gather(*(claim(engine, 1_000) for _ in range(4)))
    mine = [[c.delivery_id for c in batch if c.subscription_id == subscription.subscription_id] for batch in claims]
    flat = [delivery_id for batch in mine for delivery_id in batch]
    assert len(flat) == len(set(flat)) == 40
    assert {c.event_id for batch in claims for c in batch} >= set(event_ids)
    assert all(c.attempt == 1 for batch in claims for c in batch if c.subscription_id == subscription.subscription_id)
    # Leased: nothing of it is due any more.
    assert not [c for c in await claim(engine, 1_000) if c.subscription_id == subscription.subscription_id]


async def test_a_result_from_a_lost_claim_changes_nothing(engine: AsyncEngine) -> None:
    subscription, _ = await subscription_with_due_deliveries(engine, 1)
    [first] = [c for c in await claim(engine, 1_000) if c.subscription_id == subscription.subscription_id]
    await expire_lease(engine, first.delivery_id)  # the lease runs out ...
    [second] = [c for c in await claim(engine, 1_000) if c.subscription_id == subscription.subscription_id]
    assert second.attempt == 2  # ... and another worker starts attempt 2

    delivered = Outcome(DeliveryStatus.DELIVERED, None, 200, None)
    async with new_uow(engine) as uow:
        assert not await deliveries.record_outcome(uow.session, first, delivered, ATTEMPT)  # too late
        assert await deliveries.record_outcome(uow.session, second, delivered, ATTEMPT)
        await uow.commit()
    [entry] = await _log(engine, subscription.subscription_id)
    assert entry.status is DeliveryStatus.DELIVERED
    assert entry.attempts == 2


async def test_a_last_attempt_that_never_reported_back_is_dead_lettered(engine: AsyncEngine) -> None:
    subscription, _ = await subscription_with_due_deliveries(engine, 1)
    [claimed] = [c for c in await claim(engine, 1_000, max_attempts=1)
                 if c.subscription_id == subscription.subscription_id]
    await expire_lease(engine, claimed.delivery_id)  # its worker died; the lease has run out
    assert not [c for c in await claim(engine, 1_000, max_attempts=1)
                if c.subscription_id == subscription.subscription_id]
    async with new_uow(engine) as uow:
        assert await deliveries.bury_abandoned(uow.session, max_attempts=1) >= 1
        await uow.commit()
    [entry] = await _log(engine, subscription.subscription_id)
    assert entry.status is DeliveryStatus.DEAD
    assert entry.last_error == "no outcome for the last attempt"


async def _log(engine: AsyncEngine, subscription_id: UUID) -> list[DeliveryLogEntry]:
    async with new_uow(engine) as uow:
        return await deliveries.delivery_log(uow.session, subscription_id, limit=10)


async def _set(engine: AsyncEngine, statement: str, **params: object) -> None:
    async with new_uow(engine) as uow:
        await uow.session.execute(text(statement), params)
        await uow.commit()


async def test_a_paused_subscriptions_deliveries_wait_until_it_resumes(engine: AsyncEngine) -> None:
    subscription, _ = await subscription_with_due_deliveries(engine, 2)
    mine = subscription.subscription_id
    await _set(engine, "UPDATE subscriptions SET paused = true WHERE subscription_id = :id", id=mine)
    assert not [c for c in await claim(engine, 1_000) if c.subscription_id == mine]
    await _set(engine, "UPDATE subscriptions SET paused = false WHERE subscription_id = :id", id=mine)
    assert len([c for c in await claim(engine, 1_000) if c.subscription_id == mine]) == 2
    assert {entry.status for entry in await _log(engine, mine)} == {DeliveryStatus.PENDING}


async def test_an_open_circuit_fails_fast_and_a_half_open_one_lets_one_trial_through(engine: AsyncEngine) -> None:
    subscription, _ = await subscription_with_due_deliveries(engine, 6)
    mine = subscription.subscription_id
    policy = CircuitPolicy(failure_threshold=2)
    [key] = {c.endpoint_key for c in await claim(engine, 1_000) if c.subscription_id == mine}
    for _ in range(2):
        async with new_uow(engine) as uow:
            circuit = await deliveries.record_endpoint_result(uow.session, key, succeeded=False,
                                                              now=datetime.now(UTC), policy=policy)
            await uow.commit()
    assert circuit.opened_until is not None  # open after the second failure in a row
    await _set(engine, "UPDATE deliveries SET next_attempt_at = now() WHERE subscription_id = :id", id=mine)
    open_claims = [c for c in await claim(engine, 1_000) if c.subscription_id == mine]
    assert len(open_claims) == 6
    assert all(c.circuit_open for c in open_claims)

    # The cool-down is over: of every delivery to the endpoint, across concurrent claims, one is the trial.
    await _set(engine, "UPDATE endpoint_circuits SET opened_until = now() - interval '1 second' "
               "WHERE endpoint_key = :key", key=key)
    await _set(engine, "UPDATE deliveries SET next_attempt_at = now() WHERE subscription_id = :id", id=mine)
    batches = await asyncio.gather(*(claim(engine, 2) for _ in range(3)), claim(engine, 1_000))
    half_open = [c for batch in batches for c in batch if c.subscription_id == mine]
    assert len(half_open) == 6
    assert sum(not c.circuit_open for c in half_open) == 1

    async with new_uow(engine) as uow:
        circuit = await deliveries.record_endpoint_result(uow.session, key, succeeded=True,
                                                          now=datetime.now(UTC), policy=policy)
        await uow.commit()
    await _set(engine, "UPDATE deliveries SET next_attempt_at = now() WHERE subscription_id = :id", id=mine)
    closed = [c for c in await claim(engine, 1_000) if c.subscription_id == mine]
    assert len(closed) == 6
    assert not any(c.circuit_open for c in closed)
