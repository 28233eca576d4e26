"""A webhook delivery's life: when to try again, and when to give up."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # the dead-letter record: every attempt failed


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    cap_seconds: float
    max_attempts: int

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.cap_seconds < self.base_seconds:
            raise ValueError("need 0 < base_seconds <= cap_seconds")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def backoff_seconds(
    attempt: int, policy: RetryPolicy, uniform: Callable[[], float] = random.random
) -> float:
    """Delay before the attempt after ``attempt`` (1-based): exponential backoff with full jitter, a uniform
    draw from [0, min(cap, base * 2**(attempt-1))). Jitter spreads the retries of many deliveries to one
    recovering endpoint instead of having them arrive together."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    # Cap the exponent first so a large attempt number cannot overflow the float.
    ceiling: float = min(policy.cap_seconds, policy.base_seconds * 2.0 ** min(attempt - 1, 64))
    return ceiling * uniform()


@dataclass(frozen=True)
class AttemptResult:
    """What one POST came to: the response status, or why there was none (a short, safe reason)."""

    status_code: int | None = None
    error: str | None = None
    # The receiver will never take this message (a gateway refusing the number, say): no point retrying.
    permanent: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def reason(self) -> str | None:
        """Why it failed, never the response body (which is the receiver's and may hold anything)."""
        if self.succeeded:
            return None
        if self.status_code is not None:
            return f"HTTP {self.status_code}"
        return (self.error or "no response")[:200]


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    retry_in_seconds: float | None
    status_code: int | None
    reason: str | None


def outcome_of(
    result: AttemptResult, attempt: int, policy: RetryPolicy, uniform: Callable[[], float] = random.random
) -> Outcome:
    """Attempt ``attempt`` ended with ``result``: delivered, retried later, or dead after the last attempt."""
    if result.succeeded:
        return Outcome(DeliveryStatus.DELIVERED, None, result.status_code, None)
    if attempt >= policy.max_attempts or result.permanent:
        return Outcome(DeliveryStatus.DEAD, None, result.status_code, result.reason)
    return Outcome(DeliveryStatus.PENDING, backoff_seconds(attempt, policy, uniform), result.status_code, result.reason)


@dataclass(frozen=True)
class AttemptLogEntry:
    """One attempt: when, how long, what came back (a status code or a short safe reason), how it ended."""

    attempt: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    outcome: str


@dataclass(frozen=True)
class DeliveryLogEntry:
    """One line of a subscription's delivery log: what was sent when and how it went, never the payload."""

    delivery_id: UUID
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    attempt_log: tuple[AttemptLogEntry, ...] = ()


def abandoned(reason: str) -> Outcome:
    """An attempt that cannot be made at all (the subscription was switched off, its secret is unreadable):
    retrying would not change that, so the delivery goes straight to the dead letters."""
    return Outcome(DeliveryStatus.DEAD, None, None, reason)
