"""Delivering due notifications: claim due deliveries, send each through its channel, record each outcome.

No transaction is held open across a request. The claim commits first (with a lease); each outcome is recorded
in its own transaction, with its attempt, its endpoint's breaker and its audit event. A crash in between leaves
the lease to expire and the delivery is sent again: at least once, and receivers deduplicate on the event id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from notifications.adapters import deliveries
from notifications.adapters.deliveries import AttemptRecord, ClaimedDelivery
from notifications.adapters.repository import CONTACT_FIELD, SECRET_FIELD
from notifications.adapters.templates import render
from notifications.adapters.webhook_sender import webhook_headers
from notifications.domain.circuit import CircuitPolicy
from notifications.domain.delivery import AttemptResult, DeliveryStatus, Outcome, RetryPolicy, abandoned, outcome_of
from notifications.domain.notification import Notification
from notifications.domain.subscriptions import Channel
from shared.contracts import DeliveryDeadLettered, WebhookDelivered
from shared.contracts.base import utc_now
from shared.crypto import DecryptionError, FieldCipher
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UnitOfWorkFactory = Callable[[], UnitOfWork]
FailureCounter = Callable[[Channel, str], None]
CIRCUIT_OPEN = "circuit open"


class SendWebhook(Protocol):
    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Awaitable[AttemptResult]: ...


class SendEmail(Protocol):
    def __call__(self, to: str, subject: str, text: str, *, message_id: str) -> Awaitable[AttemptResult]: ...


class SendMessage(Protocol):
    def __call__(self, channel: Channel, to: str, text: str, *, idempotency_key: str) -> Awaitable[AttemptResult]: ...


@dataclass(frozen=True)
class Senders:
    """The way out for each channel; None where this deployment has no mail server or message gateway."""

    webhook: SendWebhook
    email: SendEmail | None = None
    messages: Mapping[Channel, SendMessage] = field(default_factory=dict)  # SMS, WhatsApp

    @property
    def channels(self) -> frozenset[Channel]:
        """The channels a subscription may use here."""
        return frozenset({Channel.WEBHOOK, *([Channel.EMAIL] if self.email else []), *self.messages})


@dataclass(frozen=True)
class DeliveryPolicy:
    retry: RetryPolicy
    circuit: CircuitPolicy


async def claim_due(
    new_uow: UnitOfWorkFactory, *, limit: int, lease_seconds: float, policy: RetryPolicy, bury: bool = True
) -> list[ClaimedDelivery]:
    """Reserve up to ``limit`` due deliveries for one attempt each, and commit the claim at once: the requests
    happen outside any transaction. With ``bury``, first dead-letter the deliveries whose last attempt never
    reported back (they are never claimed again either way; burying only settles them)."""
    async with new_uow() as uow:
        if bury:
            await deliveries.bury_abandoned(uow.session, max_attempts=policy.max_attempts)
        claimed = await deliveries.claim_due(
            uow.session, limit=limit, lease_seconds=lease_seconds, max_attempts=policy.max_attempts
        )
        await uow.commit()
    return claimed


def _uncounted(_channel: Channel, _kind: str) -> None:
    pass


async def attempt_delivery(
    delivery: ClaimedDelivery, new_uow: UnitOfWorkFactory, senders: Senders, cipher: FieldCipher,
    policy: DeliveryPolicy, *, on_failure: FailureCounter = _uncounted,
) -> Outcome:
    """Send a claimed delivery once (unless its endpoint's breaker is open), then record how it went in a new
    transaction. Raising leaves the claim to expire, and the delivery to be tried again. A failed attempt is
    also told to ``on_failure`` with its channel and kind (``failure_kind``): the app counts them in /metrics."""
    started_at, clock = utc_now(), time.monotonic()
    if delivery.circuit_open:
        outcome, requested = outcome_of(AttemptResult(error=CIRCUIT_OPEN), delivery.attempt, policy.retry), False
    else:
        outcome, requested = await _send(delivery, senders, cipher, policy.retry)
    if outcome.status is not DeliveryStatus.DELIVERED:
        on_failure(delivery.channel, failure_kind(outcome, requested=requested, circuit_open=delivery.circuit_open))
    record = AttemptRecord(
        started_at=started_at, duration_ms=round((time.monotonic() - clock) * 1000),
        outcome=CIRCUIT_OPEN.replace(" ", "_") if delivery.circuit_open else _OUTCOMES[outcome.status],
    )
    async with new_uow() as uow:
        recorded = await deliveries.record_outcome(uow.session, delivery, outcome, record)
        if requested:
            await deliveries.record_endpoint_result(
                uow.session, delivery.endpoint_key, succeeded=outcome.status is DeliveryStatus.DELIVERED,
                now=utc_now(), policy=policy.circuit,
            )
        if recorded:
            _emit_audit(uow, delivery, outcome)
        await uow.commit()
    log.info(
        "delivery %s of %s %s to subscription %s (%s): attempt %d %s%s%s",
        delivery.delivery_id, delivery.event_type, delivery.event_id, delivery.subscription_id,
        delivery.channel.value, delivery.attempt, _VERDICTS[outcome.status],
        f" ({outcome.reason})" if outcome.reason else "",
        "" if recorded else " [claim lost meanwhile; result ignored]",
    )
    return outcome


def failure_kind(outcome: Outcome, *, requested: bool, circuit_open: bool) -> str:
    """What kind of failure a failed attempt was, from a short fixed list (a metric label, never the receiver's
    answer): circuit_open, not_sent (no request could go out), http_4xx, http_5xx, ..., timeout, smtp, no_response."""
    if circuit_open:
        return "circuit_open"
    if not requested:
        return "not_sent"
    if outcome.status_code is not None:
        return f"http_{outcome.status_code // 100}xx"
    if outcome.reason == "timed out":
        return "timeout"
    if (outcome.reason or "").startswith("SMTP "):
        return "smtp"
    return "no_response"


_OUTCOMES = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.PENDING: "retry", DeliveryStatus.DEAD: "dead"}
_VERDICTS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "failed, will retry",
    DeliveryStatus.DEAD: "failed, dead-lettered",
}


def _emit_audit(uow: UnitOfWork, delivery: ClaimedDelivery, outcome: Outcome) -> None:
    if outcome.status is DeliveryStatus.DELIVERED:
        uow.emit(WebhookDelivered(
            case_id=delivery.case_id, subscription_id=delivery.subscription_id, agency_id=delivery.agency_id,
            delivered_event_id=delivery.event_id, delivered_event_type=delivery.event_type,
            attempts=delivery.attempt, channel=delivery.channel.value,
        ))
    elif outcome.status is DeliveryStatus.DEAD:
        uow.emit(DeliveryDeadLettered(
            case_id=delivery.case_id, subscription_id=delivery.subscription_id, agency_id=delivery.agency_id,
            undelivered_event_id=delivery.event_id, undelivered_event_type=delivery.event_type,
            channel=delivery.channel.value, attempts=delivery.attempt, reason=outcome.reason or "failed",
        ))


async def _send(
    delivery: ClaimedDelivery, senders: Senders, cipher: FieldCipher, policy: RetryPolicy
) -> tuple[Outcome, bool]:
    """(outcome, whether a request went out)."""
    try:
        result = await _dispatch(delivery, senders, cipher)
    except DecryptionError:
        # Most likely a key missing from the configuration, which an operator can put back: retry, don't bury.
        return outcome_of(AttemptResult(error="cannot decrypt the subscription's secret or contact"),
                          delivery.attempt, policy), False
    except _UnsendableError as reason:
        return abandoned(str(reason)), False
    if result is None:
        return outcome_of(AttemptResult(error=f"no {delivery.channel.value} channel configured"),
                          delivery.attempt, policy), False
    return outcome_of(result, delivery.attempt, policy), True


class _UnsendableError(Exception):
    """The delivery can never be sent (its subscription lost its target): straight to the dead letters."""


async def _dispatch(delivery: ClaimedDelivery, senders: Senders, cipher: FieldCipher) -> AttemptResult | None:
    if delivery.channel is Channel.WEBHOOK:
        if not delivery.url or not delivery.secret_ciphertexts:
            raise _UnsendableError("subscription has no URL or secret")
        secrets = [
            cipher.decrypt(token, case_id=delivery.subscription_id, field=SECRET_FIELD)
            for token in delivery.secret_ciphertexts
        ]
        # The stored payload, byte for byte: what is signed is exactly what is sent.
        body = delivery.payload.encode()
        headers = webhook_headers(secrets, body, event_id=delivery.event_id, event_type=delivery.event_type)
        return await senders.webhook(delivery.url, body, headers)
    if delivery.contact_ciphertext is None:
        raise _UnsendableError("subscription has no contact")
    to = cipher.decrypt(delivery.contact_ciphertext, case_id=delivery.subscription_id, field=CONTACT_FIELD)
    message = render(Notification.model_validate_json(delivery.payload), delivery.channel)
    if delivery.channel is Channel.EMAIL:
        if senders.email is None:
            return None
        return await senders.email(to, message.subject or "", message.text, message_id=str(delivery.delivery_id))
    send = senders.messages.get(delivery.channel)
    if send is None:
        return None
    return await send(delivery.channel, to, message.text, idempotency_key=str(delivery.delivery_id))
