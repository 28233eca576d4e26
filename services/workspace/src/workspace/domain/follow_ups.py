"""A follow-up's form: a local date and time in the case's province's time zone (WIB, WITA, WIT), in the future,
and a note. The date is typed as Indonesians write it, day first (31/12/2026; also 31-12-2026 or 31.12.2026,
and the ISO 2026-12-31), and the time on the 24-hour clock (14:30 or 14.30): plain text fields, read here, so
the form reads the same in every browser whatever its own language (a date input shows the browser's format,
e.g. mm/dd/yyyy)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

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


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
DEFAULT_TIME = "09:00"


def parse_date(text: str) -> date | None:
    """A date typed day first (31/12/2026, 31-12-2026, 31.12.2026) or as ISO (2026-12-31); None if it is none."""
    text = text.strip()
    day_first, iso = _DAY_FIRST.match(text), _ISO.match(text)
    try:
        if day_first:
            return date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        return None  # 31/02/2026
    return None


def parse_time(text: str) -> time | None:
    """A time on the 24-hour clock (14:30 or 14.30); None if it is none."""
    found = _CLOCK.match(text.strip())
    if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        return None
    return time(int(found.group(1)), int(found.group(2)))


def parse_follow_up(
    due_date: str, due_time: str, note: str, *, province_code: str, now: datetime
) -> tuple[datetime | None, list[FieldError]]:
    errors: list[FieldError] = []
    due: datetime | None = None
    day, clock = parse_date(due_date), parse_time(due_time or DEFAULT_TIME)
    if day is None:
        errors.append(FieldError("due_date", "due_date_invalid"))
    if clock is None:
        errors.append(FieldError("due_time", "due_time_invalid"))
    if day is not None and clock is not None:
        due = datetime.combine(day, clock, tzinfo=province_zone(province_code))
    if due is not None and due <= now:
        errors.append(FieldError("due_date", "due_date_past"))
    if not note.strip():
        errors.append(FieldError("follow_up_note", "follow_up_note_missing"))
    elif len(note) > NOTE_MAX:
        errors.append(FieldError("follow_up_note", "follow_up_note_too_long"))
    return (due if not errors else None), errors
