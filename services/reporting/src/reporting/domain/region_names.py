"""Region names beside their Kemendagri codes, from the one catalogue (``shared.regions``): the statistics API
(``names=true``), the SIMFONI export and the dashboard show a row's region by name, not only by code."""

from __future__ import annotations

from reporting.domain.statistics import GroupKey
from shared.regions import RegionKind, load_regions

# The group keys whose values are region codes.
REGION_KEYS = (GroupKey.PROVINCE, GroupKey.REGENCY, GroupKey.DISTRICT, GroupKey.VILLAGE)


def province_name(code: str | None) -> str | None:
    region = load_regions().get(code) if code else None
    return region.name if region is not None and region.kind is RegionKind.PROVINCE else None


def regency_name(code: str | None) -> str | None:
    """The kabupaten's or kota's name as the decree writes it (``Kabupaten Barito Timur``, ``Kota Palangkaraya``)."""
    region = load_regions().get(code) if code else None
    return region.name if region is not None and region.kind is not RegionKind.PROVINCE else None


def district_name(code: str | None) -> str | None:
    return load_regions().district_name(code) if code else None


def village_name(code: str | None) -> str | None:
    return load_regions().village_name(code) if code else None


_BY_KEY = {
    GroupKey.PROVINCE: province_name,
    GroupKey.REGENCY: regency_name,
    GroupKey.DISTRICT: district_name,
    GroupKey.VILLAGE: village_name,
}


def region_name(key: GroupKey, code: str) -> str | None:
    """The name of ``code`` at the level of ``key``; None for a key that is no region, or a code the catalogue
    does not hold (``unknown``, ``other``, a code of a region since renumbered)."""
    name_of = _BY_KEY.get(key)
    return name_of(code) if name_of is not None else None
