"""The delivery worker's loop, with its claims and attempts replaced by fakes: when it claims, and what it does
when an attempt finishes (a freed slot is work only if the worker was full)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from notifications.domain.delivery import DeliveryStatus, Outcome
from notifications.entrypoints import worker as worker_module
from notifications.entrypoints.worker import DeliveryWorker
from notifications.settings import NotificationsSettings
from shared.metrics import ServiceMetrics

DELIVERED = Outcome(DeliveryStatus.DELIVERED, None, 200, None)


class FakeDeliveries:
    """What is due (claimed in order, up to the limit), every claim made, and each started attempt's gate."""

    def __init__(self) -> None:
        self.due: list[str] = []
        self.claims: list[tuple[int, bool]] = []  # (limit, bury) of each claim
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def claim_due(self, _new_uow: Any, *, limit: int, lease_seconds: float, policy: Any,
                        bury: bool = True) -> list[str]:
        self.claims.append((limit, bury))
        taken, self.due = self.due[:limit], self.due[limit:]
        return taken

    async def attempt(self, delivery: str, *_args: Any, **_kwargs: Any) -> Outcome:
        self.started.append(delivery)
        gate = self.gates.setdefault(delivery, asyncio.Event())
        await gate.wait()
        return DELIVERED

    def finish(self, delivery: str) -> None:
        self.gates.setdefault(delivery, asyncio.Event()).set()


@pytest.fixture
async def fakes(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[DeliveryWorker, FakeDeliveries]]:
    fake = FakeDeliveries()
    monkeypatch.setattr(worker_module, "claim_due", fake.claim_due)
    monkeypatch.setattr(worker_module, "attempt_delivery", fake.attempt)
    settings = NotificationsSettings(
        database_url="postgresql+asyncpg://unused:unused@127.0.0.1/unused",
        delivery_batch_size=2, delivery_idle_poll_ms=60_000,  # only wake-ups move it: no poll in the test's time
    )
    runtime = SimpleNamespace(unit_of_work=lambda _access: None, metrics=ServiceMetrics.create())
    worker = DeliveryWorker(runtime, settings, cipher=None)  # type: ignore[arg-type]
    running = asyncio.create_task(worker.run())
    await settle()
    try:
        yield worker, fake
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def settle() -> None:
    """Let the worker's loop and its attempts run until they wait."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_finished_attempt_costs_no_claim_when_the_worker_had_free_slots(
    fakes: tuple[DeliveryWorker, FakeDeliveries],
) -> None:
    worker, fake = fakes
    assert len(fake.claims) == 1  # at start: nothing due
    fake.due = ["a"]
    worker.wake()  # a delivery was queued
    await settle()
    assert fake.started == ["a"]
    assert len(fake.claims) == 2
    fake.finish("a")
    await settle()
    assert len(fake.claims) == 2  # nothing else can be due: no claim until woken or polled


async def test_a_full_worker_claims_as_soon_as_a_slot_frees(fakes: tuple[DeliveryWorker, FakeDeliveries]) -> None:
    worker, fake = fakes
    fake.due = ["a", "b", "c"]
    worker.wake()
    await settle()
    assert fake.started == ["a", "b"]  # two slots
    fake.finish("a")
    await settle()
    assert fake.started == ["a", "b", "c"]  # into the freed slot, without waiting for the poll
    assert fake.claims[-1][0] == 1


async def test_abandoned_deliveries_are_buried_at_most_once_an_interval(
    fakes: tuple[DeliveryWorker, FakeDeliveries],
) -> None:
    worker, fake = fakes
    for delivery in ("a", "b", "c"):
        fake.due = [delivery]
        worker.wake()
        await settle()
        fake.finish(delivery)
        await settle()
    assert [bury for _, bury in fake.claims] == [True, False, False, False]
