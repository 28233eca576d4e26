"""Indonesia's provinces and regencies/cities, by their official Kemendagri codes.

The Ministry of Home Affairs (Kemendagri) numbers every administrative region: a province is ``NN`` (``62``
Kalimantan Tengah), a regency (kabupaten, ``NN.01``-``NN.69``) or city (kota, ``NN.71``-``NN.99``) is ``NN.NN``
(``62.03`` Kabupaten Kapuas), a district (kecamatan) ``NN.NN.NN`` and a village (desa/kelurahan) ``NN.NN.NN.NNNN``.

The provinces and regencies/cities ship with this package in ``shared/regions/regions.csv``, taken from the list of
Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025 (38 provinces, 416 kabupaten, 98 kota); the comment
lines at the top of that file name the decree, where the list was taken from, when, and its licence.
``load_regions()`` reads it once and answers from memory; the file is static package data, so reading it is not
I/O in the sense the rest of the domain avoids.

The districts (kecamatan, 7,285) and villages (desa/kelurahan, 83,762) of the same decree ship beside it, from the
same package, in ``districts.csv.gz`` and ``villages.csv.gz``; ``shared.regions.subregions`` reads them on the
first ask and keeps their codes as sorted integer arrays (about 0.7 MB), their names apart and only when asked.
The catalogue answers for every level: ``is_district``, ``villages_of``, ``village_name`` and so on.
``district_belongs_to`` and ``village_belongs_to`` check only a code's shape and prefix.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from shared.regions.subregions import (
    DISTRICT_CODE,
    REGENCY_CODE,
    VILLAGE_CODE,
    district_codes,
    district_names,
    village_codes,
    village_names,
)

PROVINCE_CODE = re.compile(r"^\d{2}$", re.ASCII)

_HEADER = ["code", "name", "kind"]
_DECREE_PREFIX = "# decree:"


class RegionKind(StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"  # kabupaten
    CITY = "city"  # kota


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kind: RegionKind

    @property
    def province_code(self) -> str:
        """The province this region lies in; a province's own code for a province."""
        return self.code[:2]


class RegionCatalogue:
    """The provinces and regencies/cities of one Kemendagri decree, looked up by code.

    "Regency" in the method names means the second level as a whole: a kabupaten (``RegionKind.REGENCY``)
    or a kota (``RegionKind.CITY``).
    """

    def __init__(self, regions: Iterable[Region], source: str) -> None:
        self.source = source
        self._by_code: dict[str, Region] = {}
        for region in regions:
            if region.code in self._by_code:
                raise ValueError(f"region code {region.code} appears twice")
            pattern = PROVINCE_CODE if region.kind is RegionKind.PROVINCE else REGENCY_CODE
            if not pattern.fullmatch(region.code):
                raise ValueError(f"region code {region.code!r} is not a {region.kind} code")
            self._by_code[region.code] = region
        children: dict[str, list[Region]] = {}
        for region in self._by_code.values():
            if region.kind is RegionKind.PROVINCE:
                children.setdefault(region.code, [])
            elif not self.is_province(region.province_code):
                raise ValueError(f"{region.code} {region.name} has no province {region.province_code}")
            else:
                children.setdefault(region.province_code, []).append(region)
        self._children = {code: tuple(sorted(found, key=_code)) for code, found in children.items()}
        self._provinces = tuple(sorted((r for r in self._by_code.values() if r.kind is RegionKind.PROVINCE), key=_code))

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def is_province(self, code: str) -> bool:
        region = self._by_code.get(code)
        return region is not None and region.kind is RegionKind.PROVINCE

    def is_regency(self, code: str) -> bool:
        """Whether ``code`` is a known regency or city (kabupaten/kota)."""
        region = self._by_code.get(code)
        return region is not None and region.kind is not RegionKind.PROVINCE

    def province_of(self, regency_code: str) -> Region | None:
        """The province of a known regency or city; None for any other code."""
        if not self.is_regency(regency_code):
            return None
        return self._by_code[regency_code[:2]]

    def provinces(self) -> tuple[Region, ...]:
        return self._provinces

    def regencies_of(self, province_code: str) -> tuple[Region, ...]:
        """The regencies and cities of a province, by code; empty for an unknown province."""
        return self._children.get(province_code, ())

    def __len__(self) -> int:
        return len(self._by_code)

    # Districts and villages: read from their own files on the first call (see shared.regions.subregions).
    def is_district(self, code: str) -> bool:
        """Whether ``code`` is a known district (kecamatan)."""
        return code in district_codes()

    def is_village(self, code: str) -> bool:
        """Whether ``code`` is a known village (desa/kelurahan)."""
        return code in village_codes()

    def districts_of(self, regency_code: str) -> tuple[str, ...]:
        """The codes of a regency's districts, sorted; empty for an unknown regency."""
        return district_codes().under(regency_code)

    def villages_of(self, district_code: str) -> tuple[str, ...]:
        """The codes of a district's villages, sorted; empty for an unknown district."""
        return village_codes().under(district_code)

    def district_name(self, code: str) -> str | None:
        return district_names().name_of(code)

    def village_name(self, code: str) -> str | None:
        return village_names().name_of(code)


def _code(region: Region) -> str:
    return region.code


def district_belongs_to(district_code: str, regency_code: str) -> bool:
    """Whether ``district_code`` is shaped like a kecamatan code (``NN.NN.NN``) under ``regency_code``.

    Only the shape and the prefix are checked: districts are not shipped, so an unassigned number passes.
    """
    return (
        DISTRICT_CODE.fullmatch(district_code) is not None
        and REGENCY_CODE.fullmatch(regency_code) is not None
        and district_code.startswith(regency_code + ".")
    )


def village_belongs_to(village_code: str, district_code: str) -> bool:
    """Whether ``village_code`` is shaped like a desa/kelurahan code (``NN.NN.NN.NNNN``) under ``district_code``.

    Only the shape and the prefix are checked: villages are not shipped, so an unassigned number passes.
    """
    return (
        VILLAGE_CODE.fullmatch(village_code) is not None
        and DISTRICT_CODE.fullmatch(district_code) is not None
        and village_code.startswith(district_code + ".")
    )


@cache
def load_regions() -> RegionCatalogue:
    """The catalogue shipped with shared (``shared/regions/regions.csv``), read once."""
    text = (files("shared.regions") / "regions.csv").read_text(encoding="utf-8")
    return _parse(text)


def _parse(text: str) -> RegionCatalogue:
    lines = text.splitlines()
    decree = [line.removeprefix(_DECREE_PREFIX).strip() for line in lines if line.startswith(_DECREE_PREFIX)]
    if len(decree) != 1 or not decree[0]:
        raise ValueError(f"regions.csv must name its decree on exactly one {_DECREE_PREFIX!r} line")
    rows = csv.reader(line for line in lines if not line.startswith("#"))
    if next(rows, None) != _HEADER:
        raise ValueError(f"regions.csv must start with the header {','.join(_HEADER)}")
    regions = []
    for row in rows:
        if len(row) != len(_HEADER):
            raise ValueError(f"regions.csv row {row!r} does not have {len(_HEADER)} fields")
        code, name, kind = row
        regions.append(Region(code=code, name=name, kind=RegionKind(kind)))
    return RegionCatalogue(regions, source=decree[0])
