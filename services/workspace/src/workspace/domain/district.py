"""The district supervisor's pages, read from what routing and reporting answer: the checks of the hand forms
(refer to another agency, hand over the lead, revoke), the agencies each form offers, the median time to accept
in words, and the dashboard's rows by kecamatan with their names from the one region catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.regions import load_regions
from workspace.domain.referrals import REASON_MAX, REASON_MIN, FieldError

CASE_MANAGER_TYPES = frozenset({"uptd_ppa", "dinas_ppa"})
OPEN = frozenset({"created", "accepted", "in_service"})


def check_hand(values: Mapping[str, Any], *, offered: Iterable[str], needs_agency: bool = True) -> list[FieldError]:
    """A hand form's errors, field by field: an agency among those offered, a reason, the confirmation."""
    errors = []
    if needs_agency and str(values.get("agency_id") or "") not in set(offered):
        errors.append(FieldError("agency_id", "agency_missing"))
    length = len(str(values.get("hand_reason") or "").strip())
    if length < REASON_MIN:
        errors.append(FieldError("hand_reason", "hand_reason_too_short"))
    elif length > REASON_MAX:
        errors.append(FieldError("hand_reason", "reason_too_long"))
    if not values.get("confirm"):
        errors.append(FieldError("confirm", "confirm_missing"))
    return errors


def offered_agencies(
    agencies: Iterable[Mapping[str, Any]], referrals: Iterable[Mapping[str, Any]], *, lead_only: bool,
) -> list[dict[str, Any]]:
    """The active agencies a case may go to by hand (routing checks consent and reach again): none that holds
    or held a referral of it; for a handover, case managers only. By name."""
    held = {str(r.get("agency_id")) for r in referrals}
    return sorted(
        (dict(a) for a in agencies
         if a.get("active", True) and str(a.get("agency_id")) not in held
         and (not lead_only or a.get("agency_type") in CASE_MANAGER_TYPES)),
        key=lambda a: (str(a.get("name")), str(a.get("agency_id"))))


def open_lead(referrals: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return next((r for r in referrals if r.get("is_lead") and r.get("status") in OPEN), None)


@dataclass(frozen=True)
class Duration:
    hours: int
    minutes: int


def duration(seconds: float | None) -> Duration | None:
    if seconds is None:
        return None
    minutes = round(seconds / 60)
    return Duration(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    count: str  # a number, or "<5" where reporting suppresses it (never for the region's own supervisor)


def by_kecamatan(rows: Iterable[Mapping[str, Any]]) -> list[AreaRow]:
    """Reporting's case counts grouped by ``district`` (kecamatan), named from the region catalogue; a case
    whose report named no kecamatan counts under "unknown" (its name is left to the page)."""
    catalogue = load_regions()
    found = []
    for row in rows:
        code = str(row.get("district") or "unknown")
        name = (catalogue.district_name(code) or "") if code != "unknown" else ""
        found.append(AreaRow(code, name,
                             str(row.get("count", ""))))
    return sorted(found, key=lambda row: (row.code == "unknown", row.name, row.code))


def regency_name(code: str) -> str:
    region = load_regions().get(code)
    return region.name if region is not None else code
