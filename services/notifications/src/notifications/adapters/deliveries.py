"""Deliveries as a durable work queue, their attempts, and the endpoints' circuit breakers.

The worker claims due rows with ``FOR UPDATE SKIP LOCKED`` (so several workers never take the same row) and
reserves them with a lease instead of holding the transaction open over the request. A worker that dies leaves
its lease to expire, and the delivery is tried again. A paused subscription's deliveries wait, unclaimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.tables import deliveries, delivery_attempts, endpoint_circuits, subscriptions
from notifications.domain.circuit import Circuit, CircuitPolicy, endpoint_key
from notifications.domain.delivery import AttemptLogEntry, DeliveryLogEntry, DeliveryStatus, Outcome
from notifications.domain.subscriptions import Channel
from shared.contracts import Event


async def queue(session: AsyncSession, event: Event, payloads: Sequence[tuple[UUID, str]]) -> int:
    """One pending delivery of ``event`` per (subscription id, payload), due now; one that already exists is
    left alone (the unique (subscription_id, event_id) backs up the inbox against a redelivered event)."""
    if not payloads:
        return 0
    statement = (
        insert(deliveries)
        .values([
            {
                "delivery_id": uuid4(), "subscription_id": subscription_id, "event_id": event.event_id,
                "event_type": event.event_type, "case_id": event.case_id, "payload": payload,
                "status": DeliveryStatus.PENDING.value, "attempts": 0, "next_attempt_at": func.now(),
                "created_at": func.now(),
            }
            for subscription_id, payload in payloads
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
    agency_id: str | None
    channel: Channel
    url: str | None = field(repr=False)
    contact_ciphertext: str | None = field(repr=False)
    secret_ciphertexts: tuple[str, ...] = field(repr=False)  # the current secret, then one still in its grace
    endpoint_key: str
    circuit_open: bool  # the endpoint's breaker is open: fail this attempt without a request


async def claim_due(
    session: AsyncSession, *, limit: int, lease_seconds: float, max_attempts: int
) -> list[ClaimedDelivery]:
    """Reserve up to ``limit`` due deliveries for one attempt each: count the attempt and push
    ``next_attempt_at`` a lease ahead, so no other worker takes them while this one is sending."""
    sendable = select(subscriptions.c.subscription_id).where(
        subscriptions.c.paused.is_(False), subscriptions.c.deleted_at.is_(None)
    )
    due = (
        select(deliveries.c.delivery_id)
        .where(
            deliveries.c.status == DeliveryStatus.PENDING.value,
            deliveries.c.next_attempt_at <= func.now(),
            deliveries.c.attempts < max_attempts,
            deliveries.c.subscription_id.in_(sendable),
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=deliveries)
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
                deliveries.c.delivery_id, deliveries.c.attempts, deliveries.c.event_id, deliveries.c.event_type,
                deliveries.c.case_id, deliveries.c.payload, deliveries.c.subscription_id,
            )
        )
    ).all()
    if not claimed:
        return []
    targets = {
        row.subscription_id: row
        for row in await session.execute(
            select(
                subscriptions.c.subscription_id, subscriptions.c.agency_id, subscriptions.c.channel,
                subscriptions.c.url, subscriptions.c.contact_ciphertext, subscriptions.c.secret_ciphertext,
                subscriptions.c.previous_secret_ciphertext,
                (subscriptions.c.previous_secret_expires_at > func.now()).label("previous_valid"),
            ).where(subscriptions.c.subscription_id.in_({row.subscription_id for row in claimed}))
        )
    }
    keys = {row.delivery_id: _key(targets[row.subscription_id]) for row in claimed}
    blocked, trials = await _blocked_endpoints(session, set(keys.values()), lease_seconds)
    result = []
    for row in claimed:
        target = targets[row.subscription_id]
        key = keys[row.delivery_id]
        secrets = tuple(
            secret for secret in (
                target.secret_ciphertext, target.previous_secret_ciphertext if target.previous_valid else None
            ) if secret
        )
        result.append(ClaimedDelivery(
            delivery_id=row.delivery_id, attempt=row.attempts, event_id=row.event_id, event_type=row.event_type,
            case_id=row.case_id, payload=row.payload, subscription_id=row.subscription_id,
            agency_id=target.agency_id, channel=Channel(target.channel), url=target.url,
            contact_ciphertext=target.contact_ciphertext, secret_ciphertexts=secrets, endpoint_key=key,
            circuit_open=key in blocked,
        ))
        if key in trials:
            blocked.add(key)  # the trial is this delivery's; the endpoint's others fail fast
    return result


def _key(target: Any) -> str:
    return endpoint_key(Channel(target.channel), target.url)


async def _blocked_endpoints(
    session: AsyncSession, keys: set[str], lease_seconds: float
) -> tuple[set[str], set[str]]:
    """(blocked, trials): the endpoints no request may go to now (open circuits, and half-open ones whose single
    trial another attempt holds), and the half-open ones whose trial this claim took (for one delivery)."""
    if not keys:
        return set(), set()
    broken = {
        row.endpoint_key: row
        for row in await session.execute(
            select(endpoint_circuits.c.endpoint_key, endpoint_circuits.c.opened_until)
            .where(endpoint_circuits.c.endpoint_key.in_(keys), endpoint_circuits.c.opened_until.is_not(None))
        )
    }
    if not broken:
        return set(), set()
    trials = set(
        (
            await session.execute(
                update(endpoint_circuits)
                .where(
                    endpoint_circuits.c.endpoint_key.in_(set(broken)),
                    endpoint_circuits.c.opened_until <= func.now(),
                    or_(endpoint_circuits.c.trial_until.is_(None), endpoint_circuits.c.trial_until <= func.now()),
                )
                .values(trial_until=func.now() + timedelta(seconds=lease_seconds))
                .returning(endpoint_circuits.c.endpoint_key)
            )
        ).scalars()
    )
    return {key for key in broken if key not in trials}, trials


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


async def bury_pending(session: AsyncSession, subscription_id: UUID, *, reason: str) -> int:
    """Dead-letter what the subscription still had to send (it was deleted)."""
    result = await session.execute(
        update(deliveries)
        .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == DeliveryStatus.PENDING.value)
        .values(status=DeliveryStatus.DEAD.value, next_attempt_at=None, last_error=reason)
        .returning(deliveries.c.delivery_id)
    )
    return len(result.all())


@dataclass(frozen=True)
class AttemptRecord:
    """How one attempt went, for the delivery log."""

    started_at: datetime
    duration_ms: int
    outcome: str  # delivered, retry, dead, circuit_open


async def record_outcome(
    session: AsyncSession, claimed: ClaimedDelivery, outcome: Outcome, attempt: AttemptRecord
) -> bool:
    """Record how the claimed attempt went. False if the claim was lost meanwhile (the lease ran out and another
    attempt started, or the delivery was settled): then this late result changes only the attempt log."""
    await session.execute(
        delivery_attempts.insert().values(
            attempt_id=uuid4(), delivery_id=claimed.delivery_id, attempt=claimed.attempt,
            started_at=attempt.started_at, duration_ms=attempt.duration_ms, status_code=outcome.status_code,
            error=outcome.reason, outcome=attempt.outcome,
        )
    )
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


async def record_endpoint_result(
    session: AsyncSession, key: str, *, succeeded: bool, now: datetime, policy: CircuitPolicy
) -> Circuit:
    """Move the endpoint's breaker on after a request that went out (``domain.circuit``)."""
    if succeeded:
        # A healthy endpoint has no row, or a closed one: a success writes only if there is something to reset.
        await session.execute(
            update(endpoint_circuits)
            .where(
                endpoint_circuits.c.endpoint_key == key,
                or_(endpoint_circuits.c.consecutive_failures > 0, endpoint_circuits.c.opened_until.is_not(None)),
            )
            .values(consecutive_failures=0, times_opened=0, opened_until=None, trial_until=None, updated_at=now)
        )
        return Circuit()
    await session.execute(
        insert(endpoint_circuits)
        .values(endpoint_key=key, consecutive_failures=0, times_opened=0, updated_at=now)
        .on_conflict_do_nothing()
    )
    row = (
        await session.execute(
            select(endpoint_circuits).where(endpoint_circuits.c.endpoint_key == key).with_for_update()
        )
    ).one()
    circuit = Circuit(row.consecutive_failures, row.opened_until, row.times_opened).after_failure(now, policy)
    await session.execute(
        update(endpoint_circuits)
        .where(endpoint_circuits.c.endpoint_key == key)
        .values(
            consecutive_failures=circuit.consecutive_failures, times_opened=circuit.times_opened,
            opened_until=circuit.opened_until, trial_until=None, updated_at=now,
        )
    )
    return circuit


async def delivery_log(
    session: AsyncSession, subscription_id: UUID, *, limit: int, status: DeliveryStatus | None = None
) -> list[DeliveryLogEntry]:
    """The subscription's deliveries, newest first, each with its attempts in order."""
    query = select(
        deliveries.c.delivery_id, deliveries.c.event_id, deliveries.c.event_type, deliveries.c.status,
        deliveries.c.attempts, deliveries.c.last_status_code, deliveries.c.last_error, deliveries.c.created_at,
        deliveries.c.last_attempt_at, deliveries.c.next_attempt_at, deliveries.c.delivered_at,
    ).where(deliveries.c.subscription_id == subscription_id)
    if status is not None:
        query = query.where(deliveries.c.status == status.value)
    rows = (
        await session.execute(query.order_by(deliveries.c.created_at.desc(), deliveries.c.delivery_id).limit(limit))
    ).all()
    attempts: dict[UUID, list[AttemptLogEntry]] = {row.delivery_id: [] for row in rows}
    if attempts:
        for attempt in await session.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id.in_(set(attempts)))
            .order_by(delivery_attempts.c.started_at, delivery_attempts.c.attempt)
        ):
            attempts[attempt.delivery_id].append(AttemptLogEntry(
                attempt=attempt.attempt, started_at=attempt.started_at, duration_ms=attempt.duration_ms,
                status_code=attempt.status_code, error=attempt.error, outcome=attempt.outcome,
            ))
    return [
        DeliveryLogEntry(
            delivery_id=row.delivery_id, event_id=row.event_id, event_type=row.event_type,
            status=DeliveryStatus(row.status), attempts=row.attempts, last_status_code=row.last_status_code,
            last_error=row.last_error, created_at=row.created_at, last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at, delivered_at=row.delivered_at,
            attempt_log=tuple(attempts[row.delivery_id]),
        )
        for row in rows
    ]


async def redeliver(session: AsyncSession, delivery_id: UUID, subscription_id: UUID) -> bool:
    """Give a dead-lettered delivery a fresh set of attempts, due now (after the endpoint was fixed)."""
    result = await session.execute(
        update(deliveries)
        .where(
            deliveries.c.delivery_id == delivery_id,
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.status == DeliveryStatus.DEAD.value,
        )
        .values(status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=func.now(), last_error=None)
        .returning(deliveries.c.delivery_id)
    )
    return result.first() is not None
