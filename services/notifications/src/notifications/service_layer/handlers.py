"""Notifications' use cases: subscribing, reading the delivery log, and queueing deliveries of an event."""

from __future__ import annotations

from uuid import UUID

from notifications.adapters import repository
from notifications.domain import access
from notifications.domain.delivery import DeliveryLogEntry
from notifications.domain.subscriptions import (
    Subscription,
    SubscriptionRequest,
    addressed_agency,
    subscriptions_for,
)
from shared.auth import Principal
from shared.contracts import Event
from shared.contracts.base import utc_now
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


async def subscribe(request: SubscriptionRequest, uow: UnitOfWork, cipher: FieldCipher) -> Subscription:
    async with uow:
        subscription = repository.add_subscription(uow.session, request, cipher, created_at=utc_now())
        await uow.commit()
    return subscription


async def list_subscriptions(principal: Principal, agency_id: str, uow: UnitOfWork) -> list[Subscription]:
    """The agency's subscriptions the principal may read."""
    async with uow:
        subscriptions = await repository.subscriptions_of_agency(uow.session, agency_id)
    return [subscription for subscription in subscriptions if access.may_read(principal, subscription)]


async def delivery_log(
    principal: Principal, subscription_id: UUID, uow: UnitOfWork, *, limit: int
) -> list[DeliveryLogEntry] | None:
    """The subscription's deliveries, newest first; None if there is no such subscription the principal may
    read."""
    async with uow:
        subscription = await repository.get_subscription(uow.session, subscription_id)
        if subscription is None or not access.may_read(principal, subscription):
            return None
        return await repository.delivery_log(uow.session, subscription_id, limit=limit)


async def queue_deliveries(event: Event, uow: UnitOfWork, *, consumer: str) -> int:
    """Queue ``event`` for every subscription entitled to it; return how many deliveries were queued.

    The inbox record and the deliveries commit together, so an event redelivered by Kafka queues nothing more,
    and one that was never committed is processed in full on its next delivery.
    """
    async with uow:
        if not await uow.first_delivery(event, consumer):
            return 0
        queued = 0
        agency = addressed_agency(event)
        if agency is not None:
            candidates = await repository.subscriptions_of_agency(uow.session, agency)
            queued = await repository.queue_deliveries(uow.session, event, subscriptions_for(event, candidates))
        await uow.commit()
    return queued
