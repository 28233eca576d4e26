"""The dashboard's way down through the regions: Indonesia -> province -> regency/city -> kecamatan. At each level
the region chart counts the cases of the level below (by province, regency, kecamatan, then desa), each bar's
region named and, above the desa, a link one level down; breadcrumbs lead back up. Links are plain GET URLs that
keep the period and language, so the walk works without JavaScript. Pure: no database, no request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from reporting.domain.disclosure import OTHER_VILLAGES
from reporting.domain.region_names import district_name, province_name, regency_name, region_name
from reporting.domain.statistics import GroupKey, StatsFilter
from shared.validation_messages import Language

# What the cases are broken down by at each depth of the walk, and the filter a bar's value sets one level down.
_BELOW = {0: GroupKey.PROVINCE, 1: GroupKey.REGENCY, 2: GroupKey.DISTRICT, 3: GroupKey.VILLAGE}
_FILTER = {GroupKey.PROVINCE: "province", GroupKey.REGENCY: "regency", GroupKey.DISTRICT: "district"}
NOT_A_REGION = ("unknown", OTHER_VILLAGES)

WORDS: dict[Language, dict[str, str]] = {
    Language.ID: {
        "unknown": "Tidak disebutkan",
        OTHER_VILLAGES: "Desa/kelurahan lain (digabung)",
        "indonesia": "Seluruh Indonesia",
        "province": "Provinsi {name}",
        "district": "Kecamatan {name}",
    },
    Language.EN: {
        "unknown": "Not stated",
        OTHER_VILLAGES: "Other villages (merged)",
        "indonesia": "All of Indonesia",
        "province": "{name} Province",
        "district": "{name} District",
    },
}


def depth(scope: StatsFilter) -> int:
    """0 for all of Indonesia, 1 for a province, 2 for a regency, 3 for a kecamatan."""
    if scope.district_code:
        return 3
    if scope.regency_code:
        return 2
    return 1 if scope.province_code else 0


def region_key(scope: StatsFilter) -> GroupKey:
    """What the region chart breaks the cases of ``scope`` down by: the level below it."""
    return _BELOW[depth(scope)]


def _filters(scope: StatsFilter) -> dict[str, str]:
    region = {"province": scope.province_code, "regency": scope.regency_code, "district": scope.district_code}
    return {name: code for name, code in region.items() if code}


def url(language: Language, scope: StatsFilter, **region: str) -> str:
    """The dashboard's URL for the period of ``scope`` and the region ``region`` names."""
    period = {"from": scope.date_from.isoformat() if scope.date_from else "",
              "to": scope.date_to.isoformat() if scope.date_to else ""}
    params = {"lang": language.value, **{name: value for name, value in {**period, **region}.items() if value}}
    return "?" + urlencode(params)


def drill_url(language: Language, scope: StatsFilter, key: GroupKey, value: str) -> str | None:
    """Where a bar of the region chart leads: one level down, or nowhere (a desa, ``unknown``, ``other``)."""
    name = _FILTER.get(key)
    if name is None or value in NOT_A_REGION:
        return None
    return url(language, scope, **{**_filters(scope), name: value})


def bar_label(language: Language, key: GroupKey, value: str) -> str:
    """A region bar's label: the region's name, the code of one the catalogue does not hold."""
    if value in NOT_A_REGION:
        return WORDS[language][value]
    return region_name(key, value) or value


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None  # None for where the reader is


def breadcrumbs(language: Language, scope: StatsFilter) -> tuple[Crumb, ...]:
    """The way back up from ``scope``'s region, the last crumb being where the reader is."""
    words = WORDS[language]
    province = scope.province_code or (scope.regency_code or "")[:2] or None
    crumbs: list[tuple[str, dict[str, str]]] = [(words["indonesia"], {})]
    if province:
        crumbs.append((words["province"].format(name=province_name(province) or province), {"province": province}))
    if scope.regency_code:
        crumbs.append((regency_name(scope.regency_code) or scope.regency_code,
                       {"province": province or "", "regency": scope.regency_code}))
    if scope.district_code:
        name = district_name(scope.district_code) or scope.district_code
        crumbs.append((words["district"].format(name=name), {**crumbs[-1][1], "district": scope.district_code}))
    last = len(crumbs) - 1
    return tuple(Crumb(label, None if index == last else url(language, scope, **region))
                 for index, (label, region) in enumerate(crumbs))
