"""The area pickers of the admin's forms: province, then regency, kecamatan and desa, each list read from the one
region catalogue (``shared.regions``) and narrowed by the choice above it. The forms are server-rendered: a choice
below one that changed is dropped, never sent for the wrong place."""

from __future__ import annotations

from dataclasses import dataclass

from shared.regions import load_regions


@dataclass(frozen=True)
class Option:
    code: str
    name: str


@dataclass(frozen=True)
class AreaPick:
    """The codes chosen (each inside the one above it, or None) and the options of each level."""

    province_code: str
    regency_code: str | None
    district_code: str | None
    village_code: str | None
    regencies: tuple[Option, ...]
    districts: tuple[Option, ...]
    villages: tuple[Option, ...]


def province_name(province_code: str) -> str:
    region = load_regions().get(province_code)
    return region.name if region is not None else province_code


def pick(province_code: str, regency: str | None, district: str | None, village: str | None) -> AreaPick:
    """The pickers for what was chosen: a regency outside the province, a kecamatan outside the regency or a desa
    outside the kecamatan is dropped (with everything below it)."""
    regions = load_regions()
    regencies = tuple(Option(r.code, r.name) for r in regions.regencies_of(province_code))
    regency = regency if regency in {o.code for o in regencies} else None
    districts = tuple(Option(code, regions.district_name(code) or code)
                      for code in regions.districts_of(regency)) if regency else ()
    district = district if district in {o.code for o in districts} else None
    villages = tuple(Option(code, regions.village_name(code) or code)
                     for code in regions.villages_of(district)) if district else ()
    village = village if village in {o.code for o in villages} else None
    return AreaPick(province_code, regency, district, village, regencies, districts, villages)


def area_name(regency: str | None, district: str | None, village: str | None) -> str:
    """The narrowest area named, with what it lies in: "Pulau Patai, Dusun Timur, Kabupaten Barito Timur"."""
    regions = load_regions()
    parts = []
    if village:
        parts.append(regions.village_name(village) or village)
    if district:
        parts.append(regions.district_name(district) or district)
    if regency:
        found = regions.get(regency)
        parts.append(found.name if found else regency)
    return ", ".join(parts)
