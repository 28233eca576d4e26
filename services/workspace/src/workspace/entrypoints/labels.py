"""The words people read for the services' codes and the workspace's messages. Each is a gettext message id
(marked with ``N_`` for Babel's extraction); pages translate them when they render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from workspace.domain.follow_ups import province_zone


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a message marked, not yet translated
    return message


STATUS = {
    "created": N_("Waiting for acceptance"), "accepted": N_("Accepted"), "in_service": N_("In service"),
    "completed": N_("Completed"), "declined": N_("Declined"), "revoked": N_("Revoked"),
}
PRIORITY = {"P1": N_("P1: immediate danger"), "P2": N_("P2: urgent"), "P3": N_("P3: standard")}
VIOLENCE = {
    "fisik": N_("Physical"), "psikis": N_("Psychological"), "seksual": N_("Sexual"),
    "eksploitasi": N_("Exploitation"), "perdagangan_orang": N_("Trafficking (TPPO)"),
    "penelantaran": N_("Neglect"), "lainnya": N_("Other"),
}
NEEDS = {
    "pengaduan": N_("Complaint handling"), "kesehatan": N_("Health care"), "bantuan_hukum": N_("Legal aid"),
    "penegakan_hukum": N_("Law enforcement"), "rehabilitasi_sosial": N_("Social rehabilitation"),
    "reintegrasi_sosial": N_("Social reintegration"), "pemulangan": N_("Return home"),
    "pendampingan_tokoh_agama": N_("Support by a religious leader"),
    "penampungan_sementara": N_("Temporary shelter"), "mediasi": N_("Mediation"),
}
MOVE_DONE = {
    "accept": N_("You accepted the referral."), "decline": N_("You declined the referral."),
    "start": N_("You started the service."), "complete": N_("You completed the referral."),
    "note": N_("Your note was added to the case."),
    "follow_up": N_("The follow-up was set."), "follow_up_done": N_("The follow-up is marked done."),
}
FIELD_ERRORS = {
    "reason_too_short": N_("Write why you decline, in at least 3 characters."),
    "reason_too_long": N_("The reason must be 1000 characters or fewer."),
    "services_missing": N_("Select the services you gave."),
    "services_unknown": N_("Select services from the list."),
    "note_missing": N_("Write the note."),
    "note_too_long": N_("The note must be 20000 characters or fewer."),
    "due_date_invalid": N_("Enter the date and time it is due."),
    "due_date_past": N_("The due time must be in the future."),
    "follow_up_note_missing": N_("Write what is to be done."),
    "follow_up_note_too_long": N_("The follow-up note must be 2000 characters or fewer."),
}
REFUSED = {
    409: N_("This referral has moved on since you opened it: %(reason)s Nothing was changed."),
    403: N_("Your role may not make this change. Nothing was changed."),
}

PERSONAL_FIELDS = {
    "name": N_("Name"), "birth_date": N_("Date of birth"), "phone": N_("Phone"), "email": N_("Email"),
    "address": N_("Address"), "narrative": N_("What happened"), "nik": N_("National ID number"),
}
PERSONAL_GROUPS = {"victims": N_("Victim %(n)s"), "perpetrators": N_("Perpetrator %(n)s"),
                   "reporter": N_("Reporter"), "location": N_("Place")}


def personal_label(path: str, translate: Callable[[str], str]) -> str:
    """``victims.0.name`` as "Victim 1: Name" in the page's language (``translate``: the page's gettext)."""
    parts = path.split(".")
    field = translate(PERSONAL_FIELDS.get(parts[-1], parts[-1]))
    if len(parts) == 1:
        return str(field)
    group = PERSONAL_GROUPS.get(parts[0])
    if group is None:
        return str(field)
    number = next((int(p) + 1 for p in parts[1:-1] if p.isdigit()), None)
    heading = translate(group) % {"n": number or ""} if "%(n)s" in group else translate(group)
    return f"{str(heading).strip()}: {field}"


def local_time(value: datetime | str | None, province_code: str) -> str:
    """A moment in the local time of the case's province (WIB, WITA, WIT), as caseworkers read their clocks."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    zone = province_zone(province_code[:2])
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.tzname(None)}"
