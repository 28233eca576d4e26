"""Service levels: how long an agency has to accept a referral and to start serving, by the case's priority.

Both deadlines run from the moment of the referral. A durable timer per deadline (in routing's schema) fires once
when it passes unmet: ``referral.sla_breached`` and an escalation up the chain (``rules.escalation_target``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from shared.contracts.vocabulary import Priority

Deadline = Literal["accept", "first_service"]
DEADLINES: tuple[Deadline, ...] = ("accept", "first_service")


@dataclass(frozen=True)
class Deadlines:
    accept: timedelta
    first_service: timedelta

    def of(self, deadline: Deadline) -> timedelta:
        return self.accept if deadline == "accept" else self.first_service


@dataclass(frozen=True)
class SlaPolicy:
    by_priority: dict[Priority, Deadlines]

    def deadlines(self, priority: Priority) -> Deadlines:
        return self.by_priority[priority]


DEFAULT_POLICY = SlaPolicy({
    Priority.P1: Deadlines(accept=timedelta(hours=1), first_service=timedelta(hours=6)),
    Priority.P2: Deadlines(accept=timedelta(hours=24), first_service=timedelta(hours=72)),
    Priority.P3: Deadlines(accept=timedelta(hours=72), first_service=timedelta(days=7)),
})
