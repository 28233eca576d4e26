"""An agency's service area below its regency: one kecamatan (``district_code``) or one desa (``village_code``).

A Puskesmas, a Satgas PPA or a PUSPAGA serves a kecamatan or a desa, not a whole kabupaten. Such an agency is a
regency-level agency whose area is narrowed to a place inside its regency; the codes are checked against the one
region catalogue (``shared.regions``). A desa's kecamatan is part of its code, so it is derived when left out.
The rules look for the nearest agency from the case's place outwards: its desa, its kecamatan, its regency (the
regency-wide agencies), its province (``routing.domain.rules``).
"""

from __future__ import annotations

from shared.regions import DISTRICT_CODE, VILLAGE_CODE, load_regions
from shared.validation_messages import LocalizedValueError


class InvalidAgencyError(LocalizedValueError):
    """A directory entry that breaks a rule of the directory. ``field`` is the dotted path of the culprit
    (``regency_code``, ``services.2``, ``hours.fri.1``); the messages never repeat the rejected value."""

    def __init__(self, field: str, reason: str, indonesian: str) -> None:
        super().__init__("invalid_agency", en=reason, id=indonesian, field=field)
        self.field: str = field
        self.reason = reason


def district_of(village_code: str) -> str:
    """The kecamatan a desa lies in: the first three parts of its code."""
    return village_code.rsplit(".", 1)[0]


def local_area(regency_code: str | None, district_code: str | None, village_code: str | None) -> str | None:
    """The kecamatan of the area (derived from the desa when only that is given), or None for a regency-wide one.
    InvalidAgencyError names the field that is not a known kecamatan or desa of the regency."""
    if district_code is None and village_code is None:
        return None
    regions = load_regions()
    if district_code is not None:
        if not DISTRICT_CODE.fullmatch(district_code) or not regions.is_district(district_code):
            raise InvalidAgencyError(
                "district_code", "must be a known kecamatan code such as 62.13.01",
                "Harus kode kecamatan yang terdaftar, mis. 62.13.01.",
            )
        if regency_code is None or not district_code.startswith(f"{regency_code}."):
            raise InvalidAgencyError(
                "district_code", "must be a kecamatan of the agency's regency",
                "Harus kecamatan di kabupaten/kota lembaga ini.",
            )
    if village_code is not None:
        if not VILLAGE_CODE.fullmatch(village_code) or not regions.is_village(village_code):
            raise InvalidAgencyError(
                "village_code", "must be a known desa/kelurahan code such as 62.13.01.2003",
                "Harus kode desa/kelurahan yang terdaftar, mis. 62.13.01.2003.",
            )
        inside = district_code if district_code is not None else regency_code
        if inside is None or not village_code.startswith(f"{inside}."):
            where = ("the agency's kecamatan", "kecamatan lembaga ini") if district_code is not None else (
                "the agency's regency", "kabupaten/kota lembaga ini")
            raise InvalidAgencyError(
                "village_code", f"must be a desa/kelurahan of {where[0]}", f"Harus desa/kelurahan di {where[1]}.",
            )
        return district_of(village_code)
    return district_code
