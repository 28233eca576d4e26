"""The province admin's form for a new subscription of one of their province's agencies: read and checked here
(each field's own error, what was typed kept); notifications checks it again by its own rules."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from workspace.domain.referrals import FieldError

CHANNELS = ("webhook", "email", "sms", "whatsapp")
LANGUAGES = ("id", "en")
TARGET_MAX = 2048
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = ("agency_id", "channel", "target", "language")


def form_values(form: Mapping[str, str], event_types: Sequence[str]) -> dict[str, Any]:
    """What was typed and chosen, to check and to show again."""
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["event_types"] = [str(value) for value in event_types]
    return values


def _target_error(channel: str, target: str) -> str | None:
    if not target:
        return "target_missing"
    if len(target) > TARGET_MAX:
        return "target_too_long"
    if channel == "webhook":
        parts = urlsplit(target)
        return None if parts.scheme in {"http", "https"} and parts.hostname and " " not in target else "target_url"
    if channel == "email":
        return None if _EMAIL.fullmatch(target) else "target_email"
    if channel in {"sms", "whatsapp"}:
        return None if _E164.fullmatch(target) else "target_phone"
    return None


def check_subscription(
    values: Mapping[str, Any], *, agencies: Collection[str], event_types: Collection[str]
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The body of ``POST /v1/subscriptions`` for an agency of the admin's province, or the fields' errors."""
    errors: list[FieldError] = []
    if values["agency_id"] not in agencies:
        errors.append(FieldError("agency_id", "agency_missing"))
    channel = values["channel"]
    if channel not in CHANNELS:
        errors.append(FieldError("channel", "channel_missing"))
    elif problem := _target_error(channel, values["target"]):
        errors.append(FieldError("target", problem))
    chosen = values["event_types"]
    if not chosen:
        errors.append(FieldError("event_types", "event_types_missing"))
    elif set(chosen) - set(event_types):
        errors.append(FieldError("event_types", "event_types_unknown"))
    if values["language"] not in LANGUAGES:
        errors.append(FieldError("language", "language_missing"))
    if errors:
        return None, errors
    return {"scope": "agency", "agency_id": values["agency_id"], "channel": channel, "target": values["target"],
            "event_types": list(dict.fromkeys(chosen)), "language": values["language"]}, []
