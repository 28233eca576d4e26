"""The public form's fields: what was typed, turned into the report the API takes, and the report's errors put
back at the fields they are about, in the page's language.

The form posts plain ``application/x-www-form-urlencoded`` fields, so it works without JavaScript; the rules are
``Report``'s own, the same as ``POST /v1/reports``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from intake.domain.record import Report
from intake.entrypoints.public_texts import TEXTS
from shared.contracts.vocabulary import PlaceCategory, ReporterRelation, Sex, ViolenceType
from shared.regions import load_regions
from shared.validation_messages import Language, localize_errors

PLACES = tuple(PlaceCategory)
VIOLENCE_TYPES = tuple(ViolenceType)
SEXES = tuple(Sex)
RELATIONS = tuple(ReporterRelation)

# Where each of the report's fields is on the page (the id of its control), most specific first: an error on a
# record (``reporter``) goes to the control that fixes it.
FIELD_OF_LOC: Mapping[str, str] = {
    "incident.date": "tanggal",
    "incident": "tanggal",
    "location.province_code": "provinsi",
    "location.regency_code": "kabupaten",
    "location.district_code": "kecamatan",
    "location.village_code": "desa",
    "location.place": "tempat",
    "location.address": "alamat",
    "location": "kabupaten",
    "violence_types": f"jenis-{VIOLENCE_TYPES[0].value}",
    "victims.0.name": "korban_nama",
    "victims.0.sex": f"korban_jk-{SEXES[0].value}",
    "victims.0.age": "korban_usia",
    "victims.0": "korban_nama",
    "narrative": "cerita",
    "reporter.relation": "hubungan",
    "reporter.anonymous": "anonim",
    "reporter.name": "pelapor_nama",
    "reporter.phone": "pelapor_telepon",
    "reporter": "pelapor_telepon",
}


# The words (``public_texts``) naming each control, for the error summary: "Tempat kejadian: Wajib diisi."
LABEL_OF_FIELD: Mapping[str, str] = {
    "tanggal": "date", "provinsi": "province", "kabupaten": "regency", "kecamatan": "district", "desa": "village",
    "tempat": "place", "alamat": "address", f"jenis-{VIOLENCE_TYPES[0].value}": "violence",
    "korban_nama": "victim_name", f"korban_jk-{SEXES[0].value}": "sex", "korban_usia": "age",
    "cerita": "narrative", "hubungan": "relation", "anonim": "anonymous", "pelapor_nama": "reporter_name",
    "pelapor_telepon": "reporter_phone",
}


@dataclass
class TypedForm:
    """What was typed, by field name (checkbox groups as lists)."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, body: bytes) -> TypedForm:
        typed = cls()
        for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
            typed.lists.setdefault(name, []).append(value)
            typed.values.setdefault(name, value.strip())
        return typed

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def checked(self, name: str, value: str = "on") -> bool:
        return value in self.lists.get(name, [])


@dataclass(frozen=True)
class FieldError:
    field: str  # the id of the control on the page
    message: str
    label: str = ""  # what the control is called, for the error summary


def report_payload(form: TypedForm) -> dict[str, Any]:
    """The ``Report`` the form describes. A choice not made is left out, so the rule says "Wajib diisi." rather
    than describing a code's format; an unknown date is said so."""

    def given(name: str) -> str | None:
        return form.get(name) or None

    date = None if form.checked("tanggal_tidak_tahu") else given("tanggal")
    location = {
        key: value for key, value in {
            "province_code": given("provinsi"), "regency_code": given("kabupaten"),
            "district_code": given("kecamatan"), "village_code": given("desa"), "place": given("tempat"),
            "address": given("alamat"),
        }.items() if value is not None
    }
    victim: dict[str, Any] = {"name": given("korban_nama"), "age": given("korban_usia"),
                              "has_disability": True if form.checked("korban_disabilitas") else None}
    if given("korban_jk"):
        victim["sex"] = form.get("korban_jk")
    anonymous = form.checked("anonim")
    reporter: dict[str, Any] = {"anonymous": anonymous, "relation": given("hubungan") or "lainnya"}
    if not anonymous:
        reporter |= {"name": given("pelapor_nama"), "phone": given("pelapor_telepon")}
    return {
        "incident": {"date": date, "precision": "day"} if date else {"precision": "unknown"},
        "location": location,
        "violence_types": form.lists.get("jenis", []),
        "ongoing_danger": form.checked("bahaya"),
        "injuries": form.checked("luka"),
        "victims": [victim],
        "narrative": form.get("cerita"),
        "reporter": reporter,
        "channel": "web",
    }


def field_of(loc: Sequence[str | int]) -> str:
    path = [str(part) for part in loc if part != "body"]
    for end in range(len(path), 0, -1):
        found = FIELD_OF_LOC.get(".".join(path[:end]))
        if found is not None:
            return found
    return "cerita"  # never expected: every field of the form is mapped; the narrative is where a reporter writes


def checked_report(form: TypedForm, language: Language) -> Report | list[FieldError]:
    """The report, or its errors at their fields (one per field, the first said), in ``language``."""
    try:
        return Report.model_validate(report_payload(form))
    except ValidationError as error:
        errors: dict[str, FieldError] = {}
        for item in localize_errors(error.errors(), language):
            where = field_of(item["loc"])
            label = TEXTS[language][LABEL_OF_FIELD[where]]
            errors.setdefault(where, FieldError(where, str(item["msg"]), label))
        return list(errors.values())


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class RegionChoices:
    """The regions the form offers, each level under the one chosen above it (down to the desa)."""

    provinces: list[Choice]
    regencies: list[Choice]
    districts: list[Choice]
    villages: list[Choice]


def region_choices(form: TypedForm) -> RegionChoices:
    regions = load_regions()
    province, regency, district = form.get("provinsi"), form.get("kabupaten"), form.get("kecamatan")
    regencies = [Choice(r.code, r.name) for r in regions.regencies_of(province)] if province else []
    in_province = any(choice.code == regency for choice in regencies)
    districts = [
        Choice(code, regions.district_name(code) or code) for code in regions.districts_of(regency)
    ] if in_province else []
    in_regency = any(choice.code == district for choice in districts)
    villages = [
        Choice(code, regions.village_name(code) or code) for code in regions.villages_of(district)
    ] if in_regency else []
    return RegionChoices(
        provinces=[Choice(p.code, p.name) for p in regions.provinces()],
        regencies=regencies, districts=districts, villages=villages,
    )
