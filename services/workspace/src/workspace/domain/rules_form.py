"""The province admin's rules page: the rule set as YAML, and a sample case to preview it with ("this sample
case would go to ..."). Saving asks for a preview of exactly the text being saved first, so nobody stores rules
they have not seen at work."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from shared.contracts.vocabulary import AgencyType, Need, ViolenceType
from workspace.domain.referrals import FieldError

VERSION = re.compile(r"^version:[ \t]*(\d+)[ \t]*$", re.MULTILINE)
VIOLENCE_TYPES = tuple(v.value for v in ViolenceType)
NEEDS = tuple(n.value for n in Need)
# The victim always allows the case managers; the rest is asked (intake's consent).
CONSENTABLE = tuple(t.value for t in AgencyType if t not in (AgencyType.UPTD_PPA, AgencyType.DINAS_PPA))
PRIORITIES = ("P1", "P2", "P3")
LISTS = ("violence_types", "needs", "consented")
TEXTS = ("rules_yaml", "regency_code", "district_code", "village_code", "priority", "previewed")


def form_values(form: Mapping[str, Any], lists: Mapping[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXTS}
    values["child_victim"] = bool(form.get("child_victim"))
    values.update({name: list(lists.get(name) or []) for name in LISTS})
    return values


def with_next_version(document: str) -> str:
    """The rules in force as the admin starts editing them: with the version a new one must have (one above)."""
    return VERSION.sub(lambda found: f"version: {int(found.group(1)) + 1}", document, count=1)


def digest(document: str) -> str:
    """What identifies the text that was previewed (line endings as a browser may send them aside)."""
    return hashlib.sha256(document.replace("\r\n", "\n").strip().encode()).hexdigest()


def preview_body(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The body of ``POST /v1/provinces/{code}/rules/preview``, and what is wrong with the form."""
    errors: list[FieldError] = []
    if not values["rules_yaml"].strip():
        errors.append(FieldError("rules_yaml", "rules_missing"))
    if not values["regency_code"]:
        errors.append(FieldError("regency_code", "sample_regency_missing"))
    case: dict[str, Any] = {
        "regency_code": values["regency_code"],
        "violence_types": [v for v in values["violence_types"] if v in VIOLENCE_TYPES],
        "needs": [n for n in values["needs"] if n in NEEDS],
        "consented": [t for t in values["consented"] if t in CONSENTABLE],
        "child_victim": bool(values["child_victim"]),
        "priority": values["priority"] if values["priority"] in PRIORITIES else "P3",
    }
    for optional in ("district_code", "village_code"):
        if values[optional]:
            case[optional] = values[optional]
    return {"rules": values["rules_yaml"].replace("\r\n", "\n"), "case": case}, errors


def preview_errors(detail: Any) -> list[FieldError]:
    """A preview's 422 as errors at the form's fields: the rules' at the text, with where in it the rule set
    breaks (``rules.0.refer``); the sample case's at its field. The messages are routing's, in the page's
    language."""
    items = [item for item in detail if isinstance(item, dict)] if isinstance(detail, list) else []
    errors, in_rules = [], []
    for item in items:
        loc = [str(part) for part in item.get("loc", []) if part != "body"]
        message = str(item.get("msg", ""))
        if loc[:1] == ["case"] and len(loc) > 1 and loc[1] in ("regency_code", "district_code", "village_code"):
            errors.append(FieldError(loc[1], message))
        else:
            where = ".".join(loc[1:]) if loc[:1] == ["rules"] else ".".join(loc)
            in_rules.append(f"{where}: {message}" if where else message)
    if in_rules or not errors:  # one error at the text, naming every place in it that breaks
        errors.insert(0, FieldError("rules_yaml", " ".join(in_rules) or "rules_invalid"))
    return errors
