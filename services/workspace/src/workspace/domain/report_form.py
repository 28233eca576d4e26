"""The operator's report form, as plain data: what was typed (kept as typed, to show again), the SIMFONI record
intake takes (``record``), and where intake's answers about a field belong on the page (``field_of``).

The form is flat (``victim-0-name``, ``perpetrator-1-relationship``) so it works without JavaScript: "add
another" and the region pickers are buttons that post the form back, and the page is shown again with what was
typed and one more row, or the next level's choices.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAX_ROWS = 20  # victims or perpetrators on one form; intake takes up to 50, a phone call rarely has more than a few
STAFF_CHANNELS = ("hotline", "walk_in", "police", "school", "health", "community")
VICTIM_FIELDS = ("name", "sex", "age", "birth_date", "has_disability", "education", "nationality")
PERPETRATOR_FIELDS = ("name", "sex", "age", "relationship")
LISTS = ("violence_types", "needs", "consent_agency_types")
FLAGS = ("injuries", "ongoing_danger", "child_in_conflict_with_law", "reporter_anonymous")
SINGLE = ("channel", "incident_date", "incident_precision", "province_code", "regency_code", "district_code",
          "village_code", "place", "address", "consent_given_by", "reporter_relation", "reporter_name",
          "reporter_phone", "reporter_email", "narrative", "draft_id")
_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


@dataclass
class ReportForm:
    """What the operator typed. ``victims`` and ``perpetrators`` are rows of field -> text."""

    values: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)  # the checkbox groups
    victims: list[dict[str, str]] = field(default_factory=lambda: [{}])
    perpetrators: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def empty(cls, *, province_code: str | None, regency_code: str | None) -> ReportForm:
        """A new form, in the operator's region, for a phone call."""
        values = {"channel": "hotline", "incident_precision": "day", "consent_given_by": "belum_ditanyakan",
                  "province_code": province_code or "", "regency_code": regency_code or ""}
        return cls(values=values)

    @classmethod
    def posted(cls, form: Mapping[str, Sequence[str]]) -> ReportForm:
        """The form as posted (``form``: name -> every value sent under it)."""

        def one(name: str) -> str:
            sent = form.get(name) or []
            return str(sent[0]).strip() if sent else ""

        def rows(prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
            count = min(_count(one(f"{prefix}s")), MAX_ROWS)
            return [{name: one(f"{prefix}-{i}-{name}") for name in names} for i in range(count)]

        values = {name: one(name) for name in SINGLE}
        values |= {name: "on" for name in FLAGS if one(name)}
        chosen = {name: [str(v) for v in form.get(name) or [] if str(v)] for name in LISTS}
        return cls(values, chosen, rows("victim", VICTIM_FIELDS) or [{}], rows("perpetrator", PERPETRATOR_FIELDS))

    def add_victim(self) -> None:
        if len(self.victims) < MAX_ROWS:
            self.victims.append({})

    def add_perpetrator(self) -> None:
        if len(self.perpetrators) < MAX_ROWS:
            self.perpetrators.append({})

    def keep_regions_nested(self) -> None:
        """A lower level chosen under another parent than the one now chosen is dropped (the province changed:
        its regency, kecamatan and desa go)."""
        levels = ("province_code", "regency_code", "district_code", "village_code")
        for parent, child in itertools.pairwise(levels):
            if self.values.get(child) and not self.values[child].startswith(self.values.get(parent, "") + "."):
                for lower in levels[levels.index(child):]:
                    self.values[lower] = ""


@dataclass(frozen=True)
class FormError:
    """One problem, at the form field ``field`` (its id), in words the page shows (``message``: already in the
    person's language) or a message id of the workspace's catalogue (``code``)."""

    field: str
    message: str = ""
    code: str = ""


def record(form: ReportForm) -> tuple[dict[str, Any], list[FormError]]:
    """The SIMFONI record of the form, as intake's ``POST /v1/reports`` takes it, and what the workspace itself can
    tell is wrong before asking intake (a date or a number that cannot be read). Every other rule is intake's."""
    values, errors = form.values, []
    incident: dict[str, Any] = {"precision": values.get("incident_precision") or "day"}
    if values.get("incident_date"):
        day = parse_day(values["incident_date"])
        if day is None:
            errors.append(FormError("incident_date", code="date_invalid"))
        incident["date"] = day.isoformat() if day else None
    location = {name: values[f"{name}"] for name in ("province_code", "regency_code", "district_code",
                                                      "village_code", "address") if values.get(name)}
    location["place"] = values.get("place") or ""
    victims = [_person(row, f"victim-{i}", VICTIM_FIELDS, errors) for i, row in enumerate(form.victims)]
    perpetrators = [_person(row, f"perpetrator-{i}", PERPETRATOR_FIELDS, errors)
                    for i, row in enumerate(form.perpetrators) if any(row.values())]
    anonymous = bool(values.get("reporter_anonymous"))
    reporter: dict[str, Any] = {"anonymous": anonymous, "relation": values.get("reporter_relation") or ""}
    reporter |= {name: values[f"reporter_{name}"] for name in ("name", "phone", "email")
                 if values.get(f"reporter_{name}")}
    body: dict[str, Any] = {
        "incident": incident, "location": location,
        "violence_types": form.chosen.get("violence_types", []),
        "victims": victims, "perpetrators": perpetrators, "needs": form.chosen.get("needs", []),
        "consent": {"given_by": values.get("consent_given_by") or "belum_ditanyakan",
                    "agency_types": form.chosen.get("consent_agency_types", [])},
        "reporter": reporter, "narrative": values.get("narrative", ""),
        **{name: True for name in ("injuries", "ongoing_danger", "child_in_conflict_with_law") if values.get(name)},
    }
    if not values.get("draft_id"):  # a draft's case takes the draft's channel
        body["channel"] = values.get("channel") or None
    return body, errors


def _person(row: Mapping[str, str], prefix: str, names: tuple[str, ...], errors: list[FormError]) -> dict[str, Any]:
    person: dict[str, Any] = {}
    for name in names:
        text = row.get(name, "")
        if not text:
            continue
        if name == "age":
            if not text.isdigit():
                errors.append(FormError(f"{prefix}-age", code="age_invalid"))
                continue
            person[name] = int(text)
        elif name == "birth_date":
            day = parse_day(text)
            if day is None:
                errors.append(FormError(f"{prefix}-birth_date", code="date_invalid"))
                continue
            person[name] = day.isoformat()
        elif name == "has_disability":
            person[name] = text == "yes"
        else:
            person[name] = text
    if prefix.startswith("perpetrator") and "relationship" not in person:
        person["relationship"] = "tidak_diketahui"
    return person


def parse_day(text: str) -> date | None:
    """A day as written in Indonesia, day first: 31/12/2026."""
    found = _DAY.match(text)
    if found is None:
        return None
    try:
        return datetime(int(found[3]), int(found[2]), int(found[1])).date()  # noqa: DTZ001 - a calendar day
    except ValueError:
        return None


_GROUPS = {"victims": "victim", "perpetrators": "perpetrator"}
_FIRST_OF = {"reporter": "reporter_relation", "consent": "consent_given_by", "location": "province_code"}


def field_of(loc: Sequence[str | int]) -> str:
    """The form field an error of intake's (its ``loc``, e.g. ``["body", "victims", 0, "age"]``) is about."""
    parts = [str(part) for part in loc if part not in {"body", "query"}]
    if not parts:
        return "narrative"
    head = parts[0]
    if head in _GROUPS:
        index = parts[1] if len(parts) > 1 and parts[1].isdigit() else "0"
        leaf = parts[2] if len(parts) > 2 else ("sex" if head == "victims" else "relationship")
        return f"{_GROUPS[head]}-{index}-{leaf}"
    if head == "incident":
        return "incident_precision" if parts[1:2] == ["precision"] else "incident_date"
    if head in _FIRST_OF:
        if len(parts) == 1:
            return _FIRST_OF[head]
        return parts[1] if head == "location" else f"{head}_{parts[1]}"
    return head


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0
