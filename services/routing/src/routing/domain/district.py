"""A district's referrals as its supervisor oversees them: the open ones, overdue and escalated first, and the
workload of each agency (open referrals, overdue ones, the median time to accept).

Overdue: the referral's running deadline (to accept while in the queue, to start service once accepted) has
passed. Escalated: one of its deadlines passed unmet and routing escalated the case (``referral.sla_breached``),
or it is itself the referral an escalation made. The median time to accept is over every referral of the agency
in the district that was accepted (from its creation to its acceptance), exact: the middle one, or the mean of the
two middle ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from routing.domain.referrals import ReferralStatus
from shared.contracts.vocabulary import Priority

RULE_ESCALATION = "escalation/sla"


@dataclass(frozen=True)
class DistrictReferral:
    referral_id: UUID
    case_id: UUID
    case_number: str | None
    agency_id: str
    agency_name: str
    priority: Priority
    status: ReferralStatus
    is_lead: bool
    rule: str
    created_at: datetime
    running_deadline: datetime | None  # None once service started, or the referral is done
    breached: bool  # one of its SLA timers fired unmet
    accepted_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        return self.running_deadline is not None and self.running_deadline < now

    @property
    def escalated(self) -> bool:
        return self.breached or self.rule == RULE_ESCALATION


def urgency(item: DistrictReferral, now: datetime) -> tuple[int, int, datetime, str]:
    """The list's order: overdue first, then escalated, then the rest; within each by priority P1..P3, the
    nearest running deadline, then the id (a stable order)."""
    group = 0 if item.overdue(now) else 1 if item.escalated else 2
    deadline = item.running_deadline or datetime.max.replace(tzinfo=now.tzinfo)
    return group, list(Priority).index(item.priority), deadline, str(item.referral_id)


def district_list(items: Iterable[DistrictReferral], now: datetime) -> list[DistrictReferral]:
    """The open referrals of ``items``, most urgent first."""
    return sorted((i for i in items if not i.status.is_done), key=lambda item: urgency(item, now))


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The exact median; None of nothing."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class AgencyLoad:
    agency_id: str
    agency_name: str
    open: int
    overdue: int
    accepted: int  # how many referrals the median is over
    median_to_accept: timedelta | None


def workload(items: Iterable[DistrictReferral], now: datetime) -> list[AgencyLoad]:
    """Each agency that holds or held a referral of the district: most overdue first, then most open, then by
    name."""
    by_agency: dict[str, list[DistrictReferral]] = {}
    for item in items:
        by_agency.setdefault(item.agency_id, []).append(item)
    loads = []
    for agency_id, held in by_agency.items():
        waits = [i.accepted_at - i.created_at for i in held if i.accepted_at is not None]
        open_ = [i for i in held if not i.status.is_done]
        loads.append(AgencyLoad(
            agency_id=agency_id, agency_name=max(held, key=lambda i: i.created_at).agency_name, open=len(open_),
            overdue=sum(1 for i in open_ if i.overdue(now)), accepted=len(waits), median_to_accept=median(waits),
        ))
    return sorted(loads, key=lambda load: (-load.overdue, -load.open, load.agency_name, load.agency_id))
