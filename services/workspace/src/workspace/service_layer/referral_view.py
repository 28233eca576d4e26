"""A referral's page, gathered from the services as the signed-in person: the referral (routing), the case with
the personal fields this agency may read (intake, whose read is audited), the notes, the moves it allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from workspace.adapters.services import ServiceError, Services
from workspace.domain.follow_ups import province_zone
from workspace.domain.referrals import Deadline, Move, deadline, moves_from


@dataclass(frozen=True)
class Note:
    update_id: str
    text: str | None  # None: the reader sees who wrote it and when, not the text (a region's supervisor)
    author: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class ReferralView:
    referral: dict[str, Any]
    case: dict[str, Any]
    others: list[dict[str, Any]]
    moves: tuple[Move, ...]
    deadline: Deadline | None
    notes: list[Note] = field(default_factory=list)
    personal: dict[str, str] = field(default_factory=dict)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


def notes_of(updates: list[dict[str, Any]]) -> list[Note]:
    """The case's notes, newest first, from intake's ``GET /v1/cases/{id}/notes``: who wrote each (user, and the
    agency they acted for) and when; the text where the reader may read it."""
    notes = []
    for update in updates:
        author = update.get("author") or {}
        who = str(author.get("user_id") or "")
        if author.get("agency_id"):
            who = f"{who} ({author['agency_id']})"
        if not update.get("note") and not who:
            continue
        notes.append(Note(str(update.get("update_id")), str(update["note"]) if update.get("note") else None,
                          who or None, str(update.get("written_at") or "") or None))
    return sorted(notes, key=lambda note: note.at or "", reverse=True)


async def referral_view(
    services: Services, token: str, lang: str, case_id: UUID, referral_id: UUID, *, now: datetime
) -> ReferralView:
    referrals = await services.case_referrals(token, lang, case_id)
    mine = next((r for r in referrals if r.get("referral_id") == str(referral_id)), None)
    if mine is None:
        raise ServiceError("routing", 404)
    case = await services.case(token, lang, case_id)
    updates = await services.case_notes(token, lang, case_id)
    personal = {k: v for k, v in (case.get("personal") or {}).items() if not k.startswith("notes.")}
    others = [r for r in referrals if r is not mine]
    try:
        follow_ups = await services.follow_ups(token, lang, referral_id)
    except ServiceError as error:
        if error.status not in {403, 404}:
            raise
        follow_ups = []  # routing keeps them for the referral's agency only
    zone = province_zone(str(mine.get("province_code", "")))
    for follow_up in follow_ups:
        due = datetime.fromisoformat(str(follow_up["due_at"]).replace("Z", "+00:00")).astimezone(zone)
        follow_up["due_local"] = f"{due:%Y-%m-%d %H:%M} {zone.tzname(None)}"
    return ReferralView(mine, case, others, moves_from(str(mine.get("status"))), deadline(mine, now),
                        notes_of(updates), personal, follow_ups)
