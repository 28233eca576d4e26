"""What an open inbox is told when a referral event passes: which audiences it concerns and what they are told.
An audience is an agency (``agency:<id>``: its people's inboxes) or a regency (``regency:<code>``: its district
supervisors' inboxes). A notice names the kind of change and the referral, nothing else: no case fact, no
personal field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The referral events an inbox shows: new, moved on, escalated, due.
LIVE_EVENTS = frozenset({
    "referral.created", "referral.accepted", "referral.declined", "referral.service_started",
    "referral.completed", "referral.revoked", "referral.sla_breached", "referral.follow_up_due",
})


@dataclass(frozen=True)
class Notice:
    event: str
    referral_id: str

    def as_dict(self) -> dict[str, str]:
        return {"event": self.event, "referral_id": self.referral_id}


def agency_audience(agency_id: str) -> str:
    return f"agency:{agency_id}"


def regency_audience(regency_code: str) -> str:
    return f"regency:{regency_code}"


def notices(event: Mapping[str, Any]) -> list[tuple[str, Notice]]:
    """(audience, notice) for each audience ``event`` concerns: its referral's agency, for an escalation the
    agency it went to as well, and the case's regency (every referral event names it; one from before routing
    did is heard by the agencies only)."""
    kind = event.get("event_type")
    agency, referral = event.get("agency_id"), event.get("referral_id")
    if kind not in LIVE_EVENTS or not isinstance(agency, str) or not referral:
        return []
    notice = Notice(str(kind), str(referral))
    concerned = [agency_audience(agency)]
    escalated_to = event.get("escalated_to")
    if kind == "referral.sla_breached" and isinstance(escalated_to, str) and escalated_to != agency:
        concerned.append(agency_audience(escalated_to))
    regency = event.get("regency_code")
    if isinstance(regency, str) and regency:
        concerned.append(regency_audience(regency))
    return [(each, notice) for each in concerned]
