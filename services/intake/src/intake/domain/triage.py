"""Triage: how urgently a report needs a response, and why.

P1 (respond now): the victim is still in danger, trafficking, sexual violence against a child, or an injured
child. P2 (within a day): a child victim, sexual violence, injuries, or a child in conflict with the law.
P3: everything else. The reasons name every factor found, most urgent first, so an operator can check them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.domain.record import Report
from shared.contracts.vocabulary import Priority, TriageReason, ViolenceType

_P1 = frozenset(
    {TriageReason.ONGOING_DANGER, TriageReason.TRAFFICKING, TriageReason.CHILD_SEXUAL_VIOLENCE}
)
_ORDER = list(TriageReason)


@dataclass(frozen=True)
class Triage:
    priority: Priority
    reasons: tuple[TriageReason, ...]


def triage(report: Report, on: date) -> Triage:
    """Triage ``report`` with the victims' ages as of ``on`` (the report date)."""
    child = any(group.is_child for group in report.age_groups(on))
    sexual = ViolenceType.SEKSUAL in report.violence_types
    found: set[TriageReason] = set()
    if report.ongoing_danger:
        found.add(TriageReason.ONGOING_DANGER)
    if ViolenceType.PERDAGANGAN_ORANG in report.violence_types:
        found.add(TriageReason.TRAFFICKING)
    if sexual:
        found.add(TriageReason.CHILD_SEXUAL_VIOLENCE if child else TriageReason.SEXUAL_VIOLENCE)
    if report.injuries:
        found.add(TriageReason.INJURIES)
    if child:
        found.add(TriageReason.CHILD_VICTIM)
    if report.child_in_conflict_with_law:
        found.add(TriageReason.CHILD_IN_CONFLICT_WITH_LAW)
    if not found:
        return Triage(Priority.P3, (TriageReason.NO_URGENT_FACTOR,))
    immediate = bool(found & _P1) or (report.injuries and child)
    return Triage(Priority.P1 if immediate else Priority.P2, tuple(sorted(found, key=_ORDER.index)))
