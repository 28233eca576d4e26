"""The reporter's way back to a public report: a one-time code shown once beside the case number, kept only as a
slow hash, and the little the reporter may learn with both (how far the report has come; nothing about who).

A wrong number and a wrong code must look the same from outside, so an unknown number is checked against a hash
too (``unknown_number_hash``): the answer and the work behind it do not tell them apart."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from enum import StrEnum
from functools import cache

# No 0/O, 1/I/L: the code is read off a screen and typed back, perhaps days later.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 3, 4  # 31**12, about 2**59: beyond guessing under the rate limit

# scrypt's cost: n=2**14, r=8 takes 16 MiB and tens of milliseconds a check (hashlib's own recommended floor).
_N, _R, _P = 2**14, 8, 1
_SCHEME = "scrypt"


def new_code() -> str:
    """A fresh code, as shown: ``ABCD-EFGH-JKMN``."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def normalised(code: str) -> str:
    """The code as typed, without the spaces, dashes and lower case a person may add."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` of the normalised code, with a fresh salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(normalised(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"{_SCHEME}${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def code_matches(code: str, stored: str) -> bool:
    """Whether ``code`` is the one ``stored`` was made from, compared in constant time."""
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != _SCHEME:
        return False
    typed = hashlib.scrypt(
        normalised(code).encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(typed, base64.b64decode(digest))


@cache
def unknown_number_hash() -> str:
    """Checked when no case has the number typed, so that it costs what a wrong code costs. The code it was made
    from is thrown away: nothing matches it. Made on first use, not at import (scrypt takes its time)."""
    return hash_code(new_code())


class ReportStage(StrEnum):
    """How far a report has come, as the reporter may know it."""

    RECEIVED = "received"  # intake has it; not referred yet
    REFERRED = "referred"  # referred to an agency that has not taken it up yet
    IN_HANDLING = "in_handling"  # an agency accepted it or started its service
    CLOSED = "closed"


# Referral events after which the agency is working on the case (or has finished its part of it).
_TAKEN_UP = frozenset({"referral.accepted", "referral.service_started", "referral.completed"})
_ENDED = frozenset({"referral.declined", "referral.revoked"})


def stage_of(case_status: str, referral_stages: Iterable[str | None]) -> ReportStage:
    """The report's stage from its case's status and the last event of each of its referrals (None: a referral
    recorded before intake kept its events, counted as referred). A declined or revoked referral counts for
    nothing: routing refers the case again."""
    if case_status == "closed":
        return ReportStage.CLOSED
    live = [stage for stage in referral_stages if stage not in _ENDED]
    if any(stage in _TAKEN_UP for stage in live):
        return ReportStage.IN_HANDLING
    return ReportStage.REFERRED if live else ReportStage.RECEIVED
