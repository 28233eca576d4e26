"""The rule preview: where a sample case would go under a candidate rule set, before the admin stores it.

A sample case is a place (a regency of the province, optionally a kecamatan and a desa of it, checked against
``shared.regions``) and the facts the rules read. Nothing is stored and nobody is referred: the preview is
``route`` on the directory as it is now.
"""

from __future__ import annotations

from uuid import UUID

from routing.domain.cases import CaseToRoute
from routing.domain.rules import RuleSet
from routing.domain.service_areas import district_of
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, Need, Priority, ViolenceType
from shared.regions import load_regions
from shared.validation_messages import Loc, LocalizedValueError

# A preview's case never exists: its id is the nil UUID, so nothing can mistake it for a real one.
SAMPLE_CASE_ID = UUID(int=0)


def _refused(field: str, en: str, indonesian: str) -> LocalizedValueError:
    return LocalizedValueError("invalid_sample_case", en=en, id=indonesian, field=field)


def sample_case(
    province_code: str, regency_code: str, *, district_code: str | None = None, village_code: str | None = None,
    violence_types: tuple[ViolenceType, ...] = (), child_victim: bool = False, needs: tuple[Need, ...] = (),
    priority: Priority = Priority.P3, consented: frozenset[AgencyType] = frozenset(),
) -> CaseToRoute:
    """The case to preview, in ``province_code``; LocalizedValueError names the place field that is not a known
    regency of the province, kecamatan of the regency, or desa of the kecamatan."""
    regions = load_regions()
    if not regions.is_regency(regency_code) or not regency_code.startswith(f"{province_code}."):
        raise _refused("regency_code", "must be a regency or city of the province",
                       "Harus kabupaten/kota di provinsi ini.")
    if village_code is not None and district_code is None:
        district_code = district_of(village_code)
    if district_code is not None and (
        not regions.is_district(district_code) or not district_code.startswith(f"{regency_code}.")
    ):
        raise _refused("district_code", "must be a kecamatan of the regency", "Harus kecamatan di kabupaten/kota ini.")
    if village_code is not None and (
        not regions.is_village(village_code) or not village_code.startswith(f"{district_code}.")
    ):
        raise _refused("village_code", "must be a desa/kelurahan of the kecamatan",
                       "Harus desa/kelurahan di kecamatan ini.")
    return CaseToRoute(
        case_id=SAMPLE_CASE_ID, province_code=province_code, regency_code=regency_code, district_code=district_code,
        village_code=village_code, violence_types=violence_types, has_child_victim=child_victim, needs=needs,
        priority=priority, consented=CASE_MANAGERS | consented,
    )


def unknown_regions(rules: RuleSet) -> list[tuple[Loc, LocalizedValueError]]:
    """Where a rule names a region code that is well formed but in no catalogue (``62.13.99``): such a rule
    would silently never hold. Each as its place in the rule set and a message in both languages."""
    regions = load_regions()
    # By the parts of the code: a province or regency, a kecamatan, a desa (the rule set checked the shapes).
    known = {0: regions.get, 1: regions.get, 2: regions.is_district, 3: regions.is_village}
    found: list[tuple[Loc, LocalizedValueError]] = []
    for index, rule in enumerate(rules.rules):
        for position, code in enumerate(rule.when.regions):
            if not known[code.count(".")](code):
                found.append((("rules", index, "when", "regions", position), LocalizedValueError(
                    "unknown_region", en="is not a known province, regency, kecamatan or desa code",
                    id="Bukan kode provinsi, kabupaten/kota, kecamatan, atau desa yang terdaftar.")))
    return found
