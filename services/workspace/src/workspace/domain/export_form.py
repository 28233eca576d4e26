"""The province admin's SIMFONI export form: a period (days typed day first, as in Indonesia), the whole
province or one of its regencies, and CSV or XLSX; read into reporting's query here."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from workspace.domain.follow_ups import parse_date
from workspace.domain.referrals import FieldError

FORMATS = ("csv", "xlsx")
FIELDS = ("date_from", "date_to", "regency", "format")


@dataclass(frozen=True)
class ExportRequest:
    format: str
    params: dict[str, str]  # reporting's query: from, to, province, regency


def form_values(form: Mapping[str, str]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in FIELDS}


def check_export(
    values: Mapping[str, str], *, province_code: str, regencies: Collection[str]
) -> tuple[ExportRequest | None, list[FieldError]]:
    errors: list[FieldError] = []
    first, last = parse_date(values["date_from"]), parse_date(values["date_to"])
    if first is None:
        errors.append(FieldError("date_from", "date_from_invalid"))
    if last is None:
        errors.append(FieldError("date_to", "date_to_invalid"))
    if first is not None and last is not None and last < first:
        errors.append(FieldError("date_to", "date_to_before_from"))
    if values["regency"] and values["regency"] not in regencies:
        errors.append(FieldError("regency", "regency_outside"))
    if values["format"] not in FORMATS:
        errors.append(FieldError("format", "format_missing"))
    if errors or first is None or last is None:
        return None, errors
    params = {"from": first.isoformat(), "to": last.isoformat(), "province": province_code}
    if values["regency"]:
        params["regency"] = values["regency"]
    return ExportRequest(values["format"], params), []
