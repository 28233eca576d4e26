"""The deliveries table as a work queue, on the real Postgres: concurrent claims never overlap, a late result
from a lost claim changes nothing, and a last attempt that never reported back is dead-lettered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from notifications.adapters import repository
from notifications.adapters.tables import inbox, outbox
from notifications.domain.delivery import DeliveryLogEntry, DeliveryStatus, Outcome
from notifications.domain.subscriptions import Subscription, SubscriptionRequest
from notifications.settings import NotificationsSettings
from shared.access import SERVICE_CONTEXT
from shared.contracts import ReferralCreated
from shared.crypto import FieldCipher
from shared.db import create_engine
from shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

LEASE = 60.0


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
    cipher = FieldCipher({"k": bytes(32)}, "k")
    agency = f"agency-{uuid4().hex[:8]}"
    async with new_uow(engine) as uow:
        request = SubscriptionRequest(agency, "http://127.0.0.1:9/hook", ("referral.created",), "x" * 16)
        subscription = repository.add_subscription(uow.session, request, cipher, created_at=datetime.now(UTC))
        await uow.commit()
    events = [
        ReferralCreated(case_id=uuid4(), referral_id=uuid4(), agency_id=agency, agency_type="uptd_ppa",
                        is_lead=True, province_code="62", regency_code="62.13", rule="r", reason="r")
        for _ in range(count)
    ]
    async with new_uow(engine) as uow:
        for event in events:
            assert await repository.queue_deliveries(uow.session, event, [subscription]) == 1
        # Queueing again is a no-op: (subscription_id, event_id) is unique.
        assert await repository.queue_deliveries(uow.session, events[0], [subscription]) == 0
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
        claimed = await repository.claim_due(uow.session, limit=limit, lease_seconds=LEASE, max_attempts=max_attempts)
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
        assert not await repository.record_outcome(uow.session, first, delivered)  # too late
        assert await repository.record_outcome(uow.session, second, delivered)
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
        assert await repository.bury_abandoned(uow.session, max_attempts=1) >= 1
        await uow.commit()
    [entry] = await _log(engine, subscription.subscription_id)
    assert entry.status is DeliveryStatus.DEAD
    assert entry.last_error == "no outcome for the last attempt"


async def _log(engine: AsyncEngine, subscription_id: UUID) -> list[DeliveryLogEntry]:
    async with new_uow(engine) as uow:
        return await repository.delivery_log(uow.session, subscription_id, limit=10)
