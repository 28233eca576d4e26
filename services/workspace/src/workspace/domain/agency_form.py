"""The province admin's agency form: what was typed, checked before it is sent to routing's directory (which
checks again, its messages shown at the field they name), and an agency as the form shows it.

Opening hours are typed per weekday as ranges on the 24-hour clock, several separated by commas
("07:30-11:30, 13:00-16:30"); a day left empty is closed. "Always open" is for a 24-hour desk."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.contracts.vocabulary import AgencyType, Need
from workspace.domain.referrals import FieldError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AGENCY_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
TIME_RANGE = re.compile(r"^(?:[01]\d|2[0-3])[:.][0-5]\d-(?:(?:[01]\d|2[0-3])[:.][0-5]\d|24[:.]00)$")
LEVELS = ("regency", "province")  # a province admin's; national agencies are the national admin's
# The agency types a province admin keeps (the national hotline is national).
AGENCY_TYPES = tuple(t.value for t in AgencyType if t is not AgencyType.NATIONAL_HOTLINE)
SERVICES = tuple(n.value for n in Need)
TEXT_FIELDS = ("agency_id", "name", "alternate_name", "agency_type", "level", "regency_code", "district_code",
               "village_code", "phone", "whatsapp", "email", "address", *(f"hours_{day}" for day in WEEKDAYS))
FLAGS = ("always_open", "active")


def form_values(form: Mapping[str, Any], services: list[str]) -> dict[str, Any]:
    """What was typed, as the form shows it again (text trimmed of nothing: kept as typed)."""
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    values.update({flag: bool(form.get(flag)) for flag in FLAGS})
    values["services"] = services
    return values


def _ranges(text: str) -> list[str] | None:
    """The ranges of one day ("07:30-11:30, 13:00-16:30"), or None when one is not a range."""
    parts = [part.strip().replace(".", ":").replace(" ", "") for part in text.split(",") if part.strip()]
    if not all(TIME_RANGE.match(part) for part in parts):
        return None
    return parts


def agency_body(values: Mapping[str, Any], *, province_code: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The body of ``PUT /v1/agencies/{id}`` for the form's ``values``, and what is wrong with them."""
    errors: list[FieldError] = []
    if not AGENCY_ID.match(values["agency_id"]):
        errors.append(FieldError("agency_id", "agency_id_invalid"))
    if not values["name"].strip():
        errors.append(FieldError("name", "agency_name_missing"))
    if values["agency_type"] not in AGENCY_TYPES:
        errors.append(FieldError("agency_type", "agency_type_missing"))
    level = values["level"]
    if level not in LEVELS:
        errors.append(FieldError("level", "agency_level_missing"))
    regional = level == "regency"
    if regional and not values["regency_code"]:
        errors.append(FieldError("regency_code", "agency_regency_missing"))
    hours: dict[str, Any] = {}
    for day in WEEKDAYS:
        ranges = _ranges(values[f"hours_{day}"])
        if ranges is None:
            errors.append(FieldError(f"hours_{day}", "hours_invalid"))
        elif ranges:
            hours[day] = ranges
    if values["always_open"]:
        if hours:
            errors.append(FieldError("always_open", "hours_both"))
        hours = {"always_open": True}
    if not set(values["services"]) <= set(SERVICES):
        errors.append(FieldError("services", "services_unknown"))
    body: dict[str, Any] = {
        "agency_id": values["agency_id"], "name": values["name"].strip(), "agency_type": values["agency_type"],
        "level": level, "province_code": province_code, "services": list(values["services"]), "hours": hours,
        "active": bool(values["active"]),
        "regency_code": (values["regency_code"] or None) if regional else None,
        # A desa names its kecamatan; the picker sends both, routing keeps them consistent.
        "district_code": (values["district_code"] or None) if regional else None,
        "village_code": (values["village_code"] or None) if regional else None,
    }
    for optional in ("alternate_name", "phone", "whatsapp", "email", "address"):
        body[optional] = values[optional].strip() or None
    return body, errors


def agency_values(agency: Mapping[str, Any]) -> dict[str, Any]:
    """An agency from routing's directory as the form shows it."""
    hours = agency.get("hours") or {}
    values: dict[str, Any] = {name: str(agency.get(name) or "") for name in TEXT_FIELDS if not name.startswith("hours")}
    values.update({f"hours_{day}": ", ".join(hours.get(day) or []) for day in WEEKDAYS})
    values.update(always_open=bool(hours.get("always_open")), active=bool(agency.get("active", True)),
                  services=list(agency.get("services") or []))
    return values


def new_agency_values() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(level="regency", always_open=False, active=True, services=[])
    return values


def field_of(loc: list[Any]) -> str:
    """The form field a service's 422 names (``["body", "hours", "mon", 0]`` is the Monday field)."""
    parts = [str(part) for part in loc if part != "body"]
    if not parts:
        return "form"
    if parts[0] == "hours" and len(parts) > 1 and parts[1] in WEEKDAYS:
        return f"hours_{parts[1]}"
    if parts[0] == "hours" or parts[0] == "time_zone":
        return "hours_mon"
    return parts[0] if parts[0] in (*TEXT_FIELDS, "services") else "form"
