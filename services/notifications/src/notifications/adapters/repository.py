"""Storing subscriptions and deliveries. Webhook secrets are encrypted here, on the way in.

Deliveries are a durable work queue: the worker claims due rows with ``FOR UPDATE SKIP LOCKED`` (so several
workers never take the same row) and reserves them with a lease instead of holding the transaction open over
the HTTP call. A worker that dies leaves its lease to expire, and the delivery is tried again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.tables import SubscriptionRow, deliveries, subscriptions
from notifications.domain.delivery import DeliveryLogEntry, DeliveryStatus, Outcome
from notifications.domain.subscriptions import Subscription, SubscriptionRequest
from shared.contracts import Event
from shared.crypto import FieldCipher

SECRET_FIELD = "webhook_secret"  # noqa: S105 - the name of the encrypted field, not a secret


def add_subscription(
    session: AsyncSession, request: SubscriptionRequest, cipher: FieldCipher, *, created_at: datetime
) -> Subscription:
    subscription = Subscription(
        subscription_id=uuid4(),
        agency_id=request.agency_id,
        url=request.url,
        event_types=request.event_types,
        active=True,
        created_at=created_at,
        province_code=request.province_code,
    )
    # Bound to this subscription: a ciphertext copied onto another subscription row does not decrypt.
    ciphertext = cipher.encrypt(request.secret, case_id=subscription.subscription_id, field=SECRET_FIELD)
    session.add(
        SubscriptionRow(
            subscription_id=subscription.subscription_id,
            agency_id=subscription.agency_id,
            url=subscription.url,
            event_types=list(subscription.event_types),
            secret_ciphertext=ciphertext,
            active=subscription.active,
            created_at=subscription.created_at,
            province_code=subscription.province_code,
        )
    )
    return subscription


def _subscription(row: Any) -> Subscription:
    return Subscription(
        subscription_id=row.subscription_id,
        agency_id=row.agency_id,
        url=row.url,
        event_types=tuple(row.event_types),
        active=row.active,
        created_at=row.created_at,
        province_code=row.province_code,
    )


_SUBSCRIPTION_COLUMNS = (
    subscriptions.c.subscription_id,
    subscriptions.c.agency_id,
    subscriptions.c.url,
    subscriptions.c.event_types,
    subscriptions.c.active,
    subscriptions.c.created_at,
    subscriptions.c.province_code,
)


async def subscriptions_of_agency(session: AsyncSession, agency_id: str) -> list[Subscription]:
    rows = await session.execute(
        select(*_SUBSCRIPTION_COLUMNS)
        .where(subscriptions.c.agency_id == agency_id)
        .order_by(subscriptions.c.created_at, subscriptions.c.subscription_id)
    )
    return [_subscription(row) for row in rows]


async def get_subscription(session: AsyncSession, subscription_id: UUID) -> Subscription | None:
    row = (
        await session.execute(
            select(*_SUBSCRIPTION_COLUMNS).where(subscriptions.c.subscription_id == subscription_id)
        )
    ).first()
    return None if row is None else _subscription(row)


async def queue_deliveries(session: AsyncSession, event: Event, to: Sequence[Subscription]) -> int:
    """One pending delivery of ``event`` per subscription, due now; a delivery that already exists is left
    alone (the unique (subscription_id, event_id) backs up the inbox against a redelivered event)."""
    if not to:
        return 0
    payload = event.model_dump_json()
    statement = (
        insert(deliveries)
        .values([
            {
                "delivery_id": uuid4(),
                "subscription_id": subscription.subscription_id,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "case_id": event.case_id,
                "payload": payload,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": func.now(),
                "created_at": func.now(),
            }
            for subscription in to
        ])
        .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        .returning(deliveries.c.delivery_id)
    )
    return len((await session.execute(statement)).all())


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery reserved for one attempt, with what is needed to send it."""

    delivery_id: UUID
    attempt: int  # 1-based number of the attempt this claim is for
    event_id: UUID
    event_type: str
    case_id: UUID
    payload: str = field(repr=False)
    subscription_id: UUID
    agency_id: str
    url: str = field(repr=False)
    secret_ciphertext: str = field(repr=False)
    subscription_active: bool


async def claim_due(
    session: AsyncSession, *, limit: int, lease_seconds: float, max_attempts: int
) -> list[ClaimedDelivery]:
    """Reserve up to ``limit`` due deliveries for one attempt each: count the attempt and push
    ``next_attempt_at`` a lease ahead, so no other worker takes them while this one is sending."""
    due = (
        select(deliveries.c.delivery_id)
        .where(
            deliveries.c.status == DeliveryStatus.PENDING.value,
            deliveries.c.next_attempt_at <= func.now(),
            deliveries.c.attempts < max_attempts,
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    claimed = (
        await session.execute(
            update(deliveries)
            .where(deliveries.c.delivery_id == due.c.delivery_id)
            .values(
                attempts=deliveries.c.attempts + 1,
                last_attempt_at=func.now(),
                next_attempt_at=func.now() + timedelta(seconds=lease_seconds),
            )
            .returning(
                deliveries.c.delivery_id,
                deliveries.c.attempts,
                deliveries.c.event_id,
                deliveries.c.event_type,
                deliveries.c.case_id,
                deliveries.c.payload,
                deliveries.c.subscription_id,
            )
        )
    ).all()
    if not claimed:
        return []
    targets = {
        row.subscription_id: row
        for row in await session.execute(
            select(
                subscriptions.c.subscription_id,
                subscriptions.c.agency_id,
                subscriptions.c.url,
                subscriptions.c.secret_ciphertext,
                subscriptions.c.active,
            ).where(subscriptions.c.subscription_id.in_({row.subscription_id for row in claimed}))
        )
    }
    return [
        ClaimedDelivery(
            delivery_id=row.delivery_id,
            attempt=row.attempts,
            event_id=row.event_id,
            event_type=row.event_type,
            case_id=row.case_id,
            payload=row.payload,
            subscription_id=row.subscription_id,
            agency_id=targets[row.subscription_id].agency_id,
            url=targets[row.subscription_id].url,
            secret_ciphertext=targets[row.subscription_id].secret_ciphertext,
            subscription_active=targets[row.subscription_id].active,
        )
        for row in claimed
    ]


async def bury_abandoned(session: AsyncSession, *, max_attempts: int) -> int:
    """Dead-letter deliveries whose last allowed attempt never reported back (its worker died and the lease
    ran out): they will not be claimed again, and must not stay pending for ever."""
    result = await session.execute(
        update(deliveries)
        .where(
            deliveries.c.status == DeliveryStatus.PENDING.value,
            deliveries.c.attempts >= max_attempts,
            deliveries.c.next_attempt_at <= func.now(),
        )
        .values(status=DeliveryStatus.DEAD.value, next_attempt_at=None, last_error="no outcome for the last attempt")
        .returning(deliveries.c.delivery_id)
    )
    return len(result.all())


async def record_outcome(session: AsyncSession, claimed: ClaimedDelivery, outcome: Outcome) -> bool:
    """Record how the claimed attempt went. False if the claim was lost meanwhile (the lease ran out and another
    attempt started, or the delivery was settled): then this late result changes nothing."""
    values: dict[str, Any] = {
        "status": outcome.status.value,
        "last_status_code": outcome.status_code,
        "last_error": outcome.reason,
        "next_attempt_at": None,
    }
    if outcome.status is DeliveryStatus.DELIVERED:
        values["delivered_at"] = func.now()
    elif outcome.retry_in_seconds is not None:
        values["next_attempt_at"] = func.now() + timedelta(seconds=outcome.retry_in_seconds)
    result = await session.execute(
        update(deliveries)
        .where(
            deliveries.c.delivery_id == claimed.delivery_id,
            deliveries.c.status == DeliveryStatus.PENDING.value,
            deliveries.c.attempts == claimed.attempt,
        )
        .values(**values)
        .returning(deliveries.c.delivery_id)
    )
    return result.first() is not None


async def delivery_log(session: AsyncSession, subscription_id: UUID, *, limit: int) -> list[DeliveryLogEntry]:
    rows = await session.execute(
        select(
            deliveries.c.delivery_id,
            deliveries.c.event_id,
            deliveries.c.event_type,
            deliveries.c.status,
            deliveries.c.attempts,
            deliveries.c.last_status_code,
            deliveries.c.last_error,
            deliveries.c.created_at,
            deliveries.c.last_attempt_at,
            deliveries.c.next_attempt_at,
            deliveries.c.delivered_at,
        )
        .where(deliveries.c.subscription_id == subscription_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.delivery_id)
        .limit(limit)
    )
    return [
        DeliveryLogEntry(
            delivery_id=row.delivery_id,
            event_id=row.event_id,
            event_type=row.event_type,
            status=DeliveryStatus(row.status),
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
        )
        for row in rows
    ]
