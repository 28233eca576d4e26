"""A follow-up's form: a local date and time in the case's province's time zone (WIB, WITA, WIT), in the future,
and a note."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from workspace.domain.referrals import FieldError

NOTE_MAX = 2000
WIB, WITA, WIT = timezone(timedelta(hours=7), "WIB"), timezone(timedelta(hours=8), "WITA"), \
    timezone(timedelta(hours=9), "WIT")
# Kemendagri province codes by time zone: Bali and Nusa Tenggara, South/East/North Kalimantan and Sulawesi are
# WITA; Maluku and Papua WIT; the rest WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


def province_zone(province_code: str) -> timezone:
    if province_code in _WIT:
        return WIT
    return WITA if province_code in _WITA else WIB


def parse_follow_up(
    due_date: str, due_time: str, note: str, *, province_code: str, now: datetime
) -> tuple[datetime | None, list[FieldError]]:
    errors: list[FieldError] = []
    due: datetime | None = None
    try:
        local = datetime.strptime(f"{due_date} {due_time or '09:00'}", "%Y-%m-%d %H:%M")  # noqa: DTZ007
        due = local.replace(tzinfo=province_zone(province_code))
    except ValueError:
        errors.append(FieldError("due_date", "due_date_invalid"))
    if due is not None and due <= now:
        errors.append(FieldError("due_date", "due_date_past"))
    if not note.strip():
        errors.append(FieldError("follow_up_note", "follow_up_note_missing"))
    elif len(note) > NOTE_MAX:
        errors.append(FieldError("follow_up_note", "follow_up_note_too_long"))
    return (due if not errors else None), errors
