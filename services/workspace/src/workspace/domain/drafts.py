"""Drafts: what a person typed into a referral's form, kept when it could not be sent (a service down, or their
session ended before they sent it) and shown again in the form, for them to send. Never sent for them: the form
is shown filled, with a fresh CSRF token, and the person submits it.

A draft lives in the person's server-side session (encrypted with ``shared.crypto`` like all of it), never in a
URL or a log, and belongs to the person who typed it: after a sign-in, only the drafts of the person who signed
in are kept (``owned_by``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# The fields of a referral page's forms that hold what a person typed (the rest are buttons and tokens).
FIELDS = ("reason", "note", "services_given", "due_date", "due_time", "follow_up_note")
_FORM = re.compile(r"^(/cases/[0-9a-fA-F-]{36}/referrals/([0-9a-fA-F-]{36}))/[a-z-]+(/[0-9a-fA-F-]{36}/done)?$")
SESSION_KEY = "drafts"


def form_page(path: str) -> str | None:
    """The referral page a form posting to ``path`` belongs to, or None for another path."""
    found = _FORM.match(path)
    return found.group(1) if found else None


def referral_of_form(path: str) -> str | None:
    found = _FORM.match(path)
    return found.group(2).lower() if found else None


def typed(form: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed into a referral form's fields (``form``: field -> value, or a list for checkboxes)."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = form.get(name)
        if isinstance(value, list):
            kept = [str(item) for item in value if str(item)]
            if kept:
                values[name] = kept
        elif value:
            values[name] = str(value)
    return values


def draft(values: Mapping[str, Any], *, owner: str | None, why: str) -> dict[str, Any]:
    """A draft as the session keeps it: ``why`` it was kept ("unavailable", "expired") and whose it is."""
    return {"values": dict(values), "owner": owner, "why": why}


def owned_by(drafts: Mapping[str, Any], user_id: str) -> dict[str, Any]:
    """The drafts of ``user_id`` among ``drafts`` (referral id -> draft)."""
    return {referral: kept for referral, kept in drafts.items()
            if isinstance(kept, dict) and kept.get("owner") == user_id}
