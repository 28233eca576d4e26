"""Delivering due webhooks: claim due deliveries, send each, record each outcome.

No transaction is held open across the HTTP calls. The claim commits first (with a lease); each outcome is
recorded in its own transaction, together with its ``webhook.delivered`` event. A crash in between leaves the
lease to expire and the delivery is sent again: at least once, and receivers deduplicate on Sinergi-Event-Id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from notifications.adapters import repository
from notifications.adapters.repository import ClaimedDelivery
from notifications.adapters.webhook_sender import webhook_headers
from notifications.domain.delivery import (
    AttemptResult,
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    abandoned,
    outcome_of,
)
from shared.contracts import WebhookDelivered
from shared.crypto import DecryptionError, FieldCipher
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Send = Callable[[str, bytes, dict[str, str]], Awaitable[AttemptResult]]
UnitOfWorkFactory = Callable[[], UnitOfWork]

_VERDICTS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "failed, will retry",
    DeliveryStatus.DEAD: "failed, dead-lettered",
}


async def claim_due(
    new_uow: UnitOfWorkFactory, *, limit: int, lease_seconds: float, policy: RetryPolicy
) -> list[ClaimedDelivery]:
    """Reserve up to ``limit`` due deliveries for one attempt each, and commit the claim at once: the HTTP
    calls happen outside any transaction."""
    async with new_uow() as uow:
        await repository.bury_abandoned(uow.session, max_attempts=policy.max_attempts)
        claimed = await repository.claim_due(
            uow.session, limit=limit, lease_seconds=lease_seconds, max_attempts=policy.max_attempts
        )
        await uow.commit()
    return claimed


async def attempt_delivery(
    delivery: ClaimedDelivery, new_uow: UnitOfWorkFactory, send: Send, cipher: FieldCipher, policy: RetryPolicy
) -> Outcome:
    """Send a claimed delivery once, then record how it went in a new transaction; on success, together with
    its ``webhook.delivered`` event. Raising leaves the claim to expire, and the delivery to be tried again."""
    outcome = await _send(delivery, send, cipher, policy)
    async with new_uow() as uow:
        recorded = await repository.record_outcome(uow.session, delivery, outcome)
        if recorded and outcome.status is DeliveryStatus.DELIVERED:
            uow.emit(
                WebhookDelivered(
                    case_id=delivery.case_id,
                    subscription_id=delivery.subscription_id,
                    agency_id=delivery.agency_id,
                    delivered_event_id=delivery.event_id,
                    delivered_event_type=delivery.event_type,
                    attempts=delivery.attempt,
                )
            )
        await uow.commit()
    log.info(
        "delivery %s of %s %s to subscription %s: attempt %d %s%s%s",
        delivery.delivery_id, delivery.event_type, delivery.event_id, delivery.subscription_id, delivery.attempt,
        _VERDICTS[outcome.status], f" ({outcome.reason})" if outcome.reason else "",
        "" if recorded else " [claim lost meanwhile; result ignored]",
    )
    return outcome


async def _send(delivery: ClaimedDelivery, send: Send, cipher: FieldCipher, policy: RetryPolicy) -> Outcome:
    if not delivery.subscription_active:
        return abandoned("subscription inactive")
    try:
        secret = cipher.decrypt(delivery.secret_ciphertext, case_id=delivery.subscription_id,
                                field=repository.SECRET_FIELD)
    except DecryptionError:
        # Most likely a key missing from the configuration, which an operator can put back: retry, don't bury.
        return outcome_of(AttemptResult(error="webhook secret cannot be decrypted"), delivery.attempt, policy)
    # The stored payload, byte for byte: what is signed is exactly what is sent.
    body = delivery.payload.encode()
    headers = webhook_headers(secret, body, event_id=delivery.event_id, event_type=delivery.event_type)
    result = await send(delivery.url, body, headers)
    return outcome_of(result, delivery.attempt, policy)
