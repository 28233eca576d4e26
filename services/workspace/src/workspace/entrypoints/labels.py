"""The words people read for the services' codes and the workspace's messages. Each is a gettext message id
(marked with ``N_`` for Babel's extraction); pages translate them when they render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

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
DRAFT_KEPT = {
    "expired": N_("Your session had ended, so this was not sent. What you typed is in the form below: check it "
                  "and send it again."),
    "unavailable": N_("A service was not answering, so this was not sent. What you typed is in the form below: "
                      "send it again."),
}
FIELD_ERRORS = {
    "reason_too_short": N_("Write why you decline, in at least 3 characters."),
    "reason_too_long": N_("The reason must be 1000 characters or fewer."),
    "services_missing": N_("Select the services you gave."),
    "services_unknown": N_("Select services from the list."),
    "note_missing": N_("Write the note."),
    "note_too_long": N_("The note must be 20000 characters or fewer."),
    "due_date_invalid": N_("Enter the date as day/month/year, for example 31/12/2026."),
    "due_time_invalid": N_("Enter the time on the 24-hour clock, for example 14:30."),
    "due_date_past": N_("The due time must be in the future."),
    "follow_up_note_missing": N_("Write what is to be done."),
    "follow_up_note_too_long": N_("The follow-up note must be 2000 characters or fewer."),
}
# Why routing referred a case here, by the rule routing names on the referral (``rule``): the lead-agency ladder
# and the escalation are fixed in routing's code, the rest are the ids of routing's default rule set
# (routing/data/rules.yaml). A rule a province added has no words here: its page shows routing's own sentence,
# in English (marked so).
REASONS = {
    "lead-agency/regency-uptd": N_("Case manager: the UPTD PPA of the case's regency."),
    "lead-agency/regency-dinas": N_("Case manager: the regency has no active UPTD PPA, so its Dinas PPA manages "
                                    "the case."),
    "lead-agency/province-uptd": N_("Case manager: the regency has no active UPTD PPA or Dinas PPA, so the "
                                    "province's UPTD PPA manages the case."),
    "lead-agency/province-dinas": N_("Case manager: no UPTD PPA is active in the regency or the province, so the "
                                     "province's Dinas PPA manages the case."),
    "lead-agency/national-fallback": N_("Case manager: no UPTD PPA or Dinas PPA of the regency or the province is "
                                        "active, so the national line SAPA 129 manages the case."),
    "escalation/sla": N_("Escalated: the agency before missed its deadline (to accept, or to start the service)."),
    "police/sexual-violence-and-trafficking": N_("Sexual violence and trafficking are crimes for the police PPA "
                                                 "unit to investigate."),
    "police/law-enforcement": N_("The victim asks for law enforcement."),
    "health/medical-care": N_("The victim needs medical care, or a forensic examination after sexual violence."),
    "health/sexual-violence": N_("Sexual violence needs a medical and forensic examination (visum)."),
    "legal-aid/assistance": N_("The victim asks for legal assistance."),
    "social/rehabilitation-shelter-return": N_("Social rehabilitation, reintegration, a shelter or return home is "
                                               "the Dinas Sosial's work."),
    "social/trafficking-return": N_("Victims of trafficking need return and reintegration."),
    "education/child-victim": N_("A child victim keeps their place in school with the Dinas Pendidikan's help."),
}
REPLACES = N_("It takes over from an agency that declined the case or could not take it.")

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


def referral_reason(referral: Mapping[str, Any], translate: Callable[[str], str]) -> tuple[str, str | None]:
    """Why the case was referred here, in the page's language (``translate``: its gettext) from routing's rule
    id; for a rule without words here, routing's own sentence. The text, and its language when that is not the
    page's (English)."""
    rule = str(referral.get("rule") or "")
    if rule not in REASONS:
        return str(referral.get("reason") or ""), "en"
    text = translate(REASONS[rule])
    if referral.get("replaces_referral_id") and rule != "escalation/sla":
        text = f"{text} {translate(REPLACES)}"
    return text, None


def local_time(value: datetime | str | None, province_code: str) -> str:
    """A moment in the local time of the case's province (WIB, WITA, WIT), as caseworkers read their clocks."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    zone = province_zone(province_code[:2])
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.tzname(None)}"
