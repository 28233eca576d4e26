"""A circuit breaker per endpoint, so that one dead endpoint costs the others nothing.

Closed: every attempt goes out. After ``failure_threshold`` failures in a row the circuit opens for a cool-down;
while open, attempts to that endpoint fail at once without a request ("circuit open"), which counts as a failed
attempt so that deliveries still reach their dead letter in time. When the cool-down is over, one trial attempt
goes out (half-open): success closes the circuit, failure opens it again for twice as long, up to a cap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from notifications.domain.subscriptions import Channel


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"  # the cool-down is over; one trial attempt may go out


@dataclass(frozen=True)
class CircuitPolicy:
    failure_threshold: int = 5
    cool_down: timedelta = timedelta(seconds=30)
    max_cool_down: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if not timedelta(0) < self.cool_down <= self.max_cool_down:
            raise ValueError("need 0 < cool_down <= max_cool_down")


@dataclass(frozen=True)
class Circuit:
    """One endpoint's breaker, as stored."""

    consecutive_failures: int = 0
    opened_until: datetime | None = None
    times_opened: int = 0  # in a row, without a success between: sets the length of the next cool-down

    def state(self, now: datetime) -> CircuitState:
        if self.opened_until is None:
            return CircuitState.CLOSED
        return CircuitState.OPEN if now < self.opened_until else CircuitState.HALF_OPEN

    def after_success(self) -> Circuit:
        return Circuit()

    def after_failure(self, now: datetime, policy: CircuitPolicy) -> Circuit:
        failures = self.consecutive_failures + 1
        state = self.state(now)
        if state is CircuitState.OPEN or (state is CircuitState.CLOSED and failures < policy.failure_threshold):
            # Open: a request that was already on its way when the circuit opened; it changes nothing more.
            return Circuit(failures, self.opened_until, self.times_opened)
        # Capped in seconds, before a timedelta is made, so that a long outage cannot overflow it.
        seconds = policy.cool_down.total_seconds() * 2.0 ** min(self.times_opened, 32)
        cool_down = timedelta(seconds=min(seconds, policy.max_cool_down.total_seconds()))
        return Circuit(failures, now + cool_down, self.times_opened + 1)


def endpoint_key(channel: Channel, url: str | None) -> str:
    """What a breaker guards: each webhook URL on its own (by hash, so the key says nothing), and for email and
    messages the one server or gateway all of them go through."""
    if channel is Channel.WEBHOOK and url:
        return "webhook:" + hashlib.sha256(url.encode()).hexdigest()[:32]
    return channel.value
