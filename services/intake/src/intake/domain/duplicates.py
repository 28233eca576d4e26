"""Telling when two reports are about the same incident, without keeping anything readable to compare.

Each report leaves fingerprints: keyed hashes (HMAC-SHA256 under intake's own linking key) of its normalised
identifying fields. Without the key a fingerprint cannot be matched against a guessed name or phone number; with
it, two reports of the same victim, the same contact, or the same place give the same fingerprint whatever the
channel, spelling of case and spaces, or phone prefix. A place matches only within a few days of the incident.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from intake.domain.record import Report
from shared.contracts.vocabulary import LinkReason

# Reports of one place this many days apart or less may be the same incident.
PLACE_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class Fingerprint:
    reason: LinkReason
    digest: str
    day: date | None = None  # for a place: the incident (or report) day the window is measured from


def normalise_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", folded).split())


def normalise_phone(phone: str) -> str:
    """Indonesian numbers in one form: ``0812-3456-789``, ``+62 812 3456 789`` and ``62812...`` are equal."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def fingerprints(report: Report, key: bytes, *, reported_on: date) -> list[Fingerprint]:
    found: list[Fingerprint] = []
    for victim in report.victims:
        if victim.name is None:
            continue
        # With a birth date the name and date identify; without one, name, sex and regency narrow it enough to
        # be worth a look by the agency, which decides.
        born = (
            victim.birth_date.isoformat() if victim.birth_date
            else f"{victim.sex.value}|{report.location.regency_code}"
        )
        found.append(Fingerprint(LinkReason.SAME_VICTIM, _digest(key, "victim", normalise_name(victim.name), born)))
    contacts = []
    if report.reporter.phone:
        contacts.append(("phone", normalise_phone(report.reporter.phone)))
    if report.reporter.email:
        contacts.append(("email", report.reporter.email.strip().casefold()))
    found += [Fingerprint(LinkReason.SAME_CONTACT, _digest(key, "contact", kind, value)) for kind, value in contacts]
    place = _place(report)
    if place is not None:
        day = report.incident.date if report.incident.precision == "day" else None
        found.append(Fingerprint(LinkReason.SAME_PLACE_AND_TIME, _digest(key, "place", *place), day or reported_on))
    return found


def _place(report: Report) -> tuple[str, ...] | None:
    """A place precise enough to say "the same": an address, or a village and the kind of place. A regency
    alone is not."""
    location = report.location
    if location.address:
        return ("address", location.regency_code, normalise_name(location.address))
    if location.village_code:
        return ("village", location.village_code, location.place.value)
    return None


def within_window(a: date | None, b: date | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= PLACE_WINDOW
