"""Service areas below the regency (issue 23): an agency serving one kecamatan or desa, checked against
``shared.regions``, and the rules reaching it for a case from there, falling back to the regency's otherwise."""

from __future__ import annotations

from uuid import uuid4

import pytest

from routing.directory_data import demo_directory
from routing.domain.agencies import Agency, AgencyLevel, InvalidAgencyError
from routing.domain.cases import CaseToRoute
from routing.domain.directory_changes import regencies_left_without_lead
from routing.domain.rule_preview import sample_case, unknown_regions
from routing.domain.rules import Condition, Rule, RuleSet, Target, route
from routing.entrypoints.directory_models import DirectoryIn
from routing.rules_data import packaged_rules
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, Need
from shared.validation_messages import LocalizedValueError

DUSUN_TIMUR = "62.13.01"  # a kecamatan of Kabupaten Barito Timur
PULAU_PATAI = "62.13.01.2003"  # a desa of Dusun Timur
AWANG = "62.13.04"  # another kecamatan of Barito Timur
PAHANDUT = "62.71.01"  # a kecamatan of Kota Palangka Raya


def agency(agency_id: str, agency_type: AgencyType = AgencyType.HEALTH, **kw: object) -> Agency:
    fields: dict[str, object] = {
        "agency_id": agency_id, "name": f"Agency {agency_id}", "agency_type": agency_type,
        "level": AgencyLevel.REGENCY, "province_code": "62", "regency_code": "62.13", "services": (Need.KESEHATAN,),
    }
    return Agency(**{**fields, **kw})  # type: ignore[arg-type]


def case(**fields: object) -> CaseToRoute:
    defaults: dict[str, object] = {
        "case_id": uuid4(), "province_code": "62", "regency_code": "62.13", "needs": (Need.KESEHATAN,),
        "consented": CASE_MANAGERS | {AgencyType.HEALTH, AgencyType.COMMUNITY},
    }
    return CaseToRoute(**{**defaults, **fields})  # type: ignore[arg-type]


UPTD = agency("uptd-ppa-62.13", AgencyType.UPTD_PPA, services=())
RSUD = agency("rsud-62.13")
PUSKESMAS = agency("puskesmas-dusun-timur", district_code=DUSUN_TIMUR)
POSKESDES = agency("poskesdes-pulau-patai", village_code=PULAU_PATAI)
HEALTH = RuleSet(version=1, rules=(Rule(id="health/care", description="Medical care", when=Condition(
    needs_any=(Need.KESEHATAN,)), refer=(Target(agency_type=AgencyType.HEALTH, service=Need.KESEHATAN),)),))


def referred(decisions: tuple[object, ...]) -> list[str]:
    return [d.agency.agency_id for d in decisions]  # type: ignore[attr-defined]


# -- the directory ------------------------------------------------------------------------------------------


def test_an_agency_may_serve_one_kecamatan_of_its_regency() -> None:
    assert PUSKESMAS.district_code == DUSUN_TIMUR
    assert PUSKESMAS.local_area == DUSUN_TIMUR
    assert RSUD.local_area is None


def test_a_desa_agency_keeps_the_kecamatan_its_code_names() -> None:
    assert (POSKESDES.district_code, POSKESDES.village_code) == (DUSUN_TIMUR, PULAU_PATAI)
    assert POSKESDES.local_area == PULAU_PATAI


@pytest.mark.parametrize(("fields", "field"), [
    ({"district_code": "62.13.99"}, "district_code"),  # shaped like one, but no such kecamatan
    ({"district_code": "62.13.1"}, "district_code"),
    ({"district_code": PAHANDUT}, "district_code"),  # a kecamatan of Palangka Raya, not of Barito Timur
    ({"village_code": "62.13.01.2999"}, "village_code"),
    ({"village_code": "62.71.01.1001"}, "village_code"),  # a kelurahan of Palangka Raya
    ({"district_code": AWANG, "village_code": PULAU_PATAI}, "village_code"),  # a desa of another kecamatan
])
def test_an_area_that_is_not_a_kecamatan_or_desa_of_the_regency_is_refused_naming_the_field(
    fields: dict[str, str], field: str,
) -> None:
    with pytest.raises(InvalidAgencyError) as refused:
        agency("puskesmas-x", **fields)
    assert refused.value.field == field
    assert refused.value.en
    assert refused.value.id
    assert refused.value.en != refused.value.id
    rejected = fields[field]
    if rejected != DUSUN_TIMUR:  # the example a message gives; a rejected code is never repeated
        assert rejected not in refused.value.en
        assert rejected not in refused.value.id


@pytest.mark.parametrize("level", [AgencyLevel.PROVINCE, AgencyLevel.NATIONAL])
def test_only_a_regency_agency_narrows_its_area(level: AgencyLevel) -> None:
    with pytest.raises(InvalidAgencyError) as refused:
        agency("satgas-x", AgencyType.COMMUNITY, level=level, province_code=None if level == "national" else "62",
               regency_code=None, district_code=DUSUN_TIMUR)
    assert refused.value.field == "district_code"


def test_a_kecamatan_case_manager_does_not_keep_a_regency_from_losing_its_lead() -> None:
    local_uptd = agency("uptd-ppa-dusun-timur", AgencyType.UPTD_PPA, district_code=DUSUN_TIMUR)
    retired = agency("uptd-ppa-62.13", AgencyType.UPTD_PPA, services=(), active=False)
    assert regencies_left_without_lead([UPTD, local_uptd], [retired]) == ("62.13",)


# -- routing ------------------------------------------------------------------------------------------------


def test_a_case_from_the_kecamatan_reaches_the_agency_serving_it() -> None:
    decisions = route(case(district_code=DUSUN_TIMUR), [UPTD, RSUD, PUSKESMAS], HEALTH)
    assert referred(decisions) == ["uptd-ppa-62.13", "puskesmas-dusun-timur"]
    assert f"kecamatan {DUSUN_TIMUR}" in decisions[1].reason


def test_a_case_from_another_kecamatan_falls_back_to_the_regency_agency() -> None:
    decisions = route(case(district_code=AWANG), [UPTD, RSUD, PUSKESMAS], HEALTH)
    assert referred(decisions) == ["uptd-ppa-62.13", "rsud-62.13"]
    assert "regency 62.13" in decisions[1].reason


def test_a_case_without_a_kecamatan_goes_to_the_regency_agency() -> None:
    assert referred(route(case(), [UPTD, RSUD, PUSKESMAS], HEALTH)) == ["uptd-ppa-62.13", "rsud-62.13"]


def test_the_desa_agency_comes_before_its_kecamatan_agency() -> None:
    place = case(district_code=DUSUN_TIMUR, village_code=PULAU_PATAI)
    decisions = route(place, [UPTD, RSUD, PUSKESMAS, POSKESDES], HEALTH)
    assert referred(decisions) == ["uptd-ppa-62.13", "poskesdes-pulau-patai"]
    assert f"desa {PULAU_PATAI}" in decisions[1].reason
    # The neighbouring desa of the same kecamatan gets the kecamatan's Puskesmas.
    neighbour = case(district_code=DUSUN_TIMUR, village_code="62.13.01.2004")
    assert referred(route(neighbour, [UPTD, RSUD, PUSKESMAS, POSKESDES], HEALTH))[1] == "puskesmas-dusun-timur"


def test_an_inactive_local_agency_is_passed_over_for_the_regency_one() -> None:
    closed = agency("puskesmas-dusun-timur", district_code=DUSUN_TIMUR, active=False)
    assert referred(route(case(district_code=DUSUN_TIMUR), [UPTD, RSUD, closed], HEALTH))[1] == "rsud-62.13"


def test_a_local_agency_is_never_the_lead_of_its_regency() -> None:
    local_uptd = agency("uptd-ppa-dusun-timur", AgencyType.UPTD_PPA, district_code=DUSUN_TIMUR)
    decisions = route(case(district_code=DUSUN_TIMUR), [local_uptd], RuleSet(version=1))
    assert decisions[0].rule != "lead-agency/regency-uptd"


def test_a_rule_may_hold_for_one_kecamatan_or_desa_only() -> None:
    satgas = agency("satgas-ppa-pulau-patai", AgencyType.COMMUNITY, village_code=PULAU_PATAI, services=())
    rules = RuleSet(version=1, rules=(Rule(
        id="community/satgas", description="Satgas PPA of the desa", when=Condition(regions=(DUSUN_TIMUR,)),
        refer=(Target(agency_type=AgencyType.COMMUNITY),)),))
    inside = case(district_code=DUSUN_TIMUR, village_code=PULAU_PATAI)
    assert referred(route(inside, [UPTD, satgas], rules)) == ["uptd-ppa-62.13", "satgas-ppa-pulau-patai"]
    assert Condition(regions=(PULAU_PATAI,)).holds(inside)
    assert not Condition(regions=(AWANG,)).holds(inside)
    assert not Condition(regions=(DUSUN_TIMUR,)).holds(case())


def test_routing_keeps_the_case_kecamatan_and_desa() -> None:
    kept = case(district_code=DUSUN_TIMUR, village_code=PULAU_PATAI)
    assert CaseToRoute.from_document(kept.to_document()) == kept
    older = case().to_document()
    assert "district_code" not in older
    assert "village_code" not in older
    assert CaseToRoute.from_document(older).district_code is None


# -- the demo directory -------------------------------------------------------------------------------------


def demo() -> list[Agency]:
    return [entry.to_domain() for entry in DirectoryIn.model_validate({"agencies": demo_directory()}).agencies]


def test_the_demo_directory_has_kecamatan_and_desa_agencies_in_the_seed_regencies() -> None:
    local = {(a.regency_code, a.agency_type, "desa" if a.village_code else "kecamatan")
             for a in demo() if a.local_area is not None}
    for regency in ("62.13", "62.71"):
        assert (regency, AgencyType.HEALTH, "kecamatan") in local  # a Puskesmas
        assert (regency, AgencyType.COMMUNITY, "desa") in local  # a Satgas PPA
    assert ("62.71", AgencyType.COMMUNITY, "kecamatan") in local  # a PUSPAGA


@pytest.mark.parametrize(("district_code", "health_agency"), [
    (DUSUN_TIMUR, "puskesmas-tamiang-layang"), (AWANG, "rsud-tamiang-layang"), (None, "rsud-tamiang-layang"),
])
def test_the_demo_routes_a_case_by_its_kecamatan(district_code: str | None, health_agency: str) -> None:
    decisions = route(case(district_code=district_code), demo(), packaged_rules())
    assert [d.agency.agency_id for d in decisions if d.agency.agency_type is AgencyType.HEALTH] == [health_agency]


def test_a_rule_naming_a_region_no_catalogue_knows_is_found() -> None:
    rules = RuleSet(version=1, rules=(Rule(id="x", description="y", when=Condition(
        regions=("62", "62.13", DUSUN_TIMUR, PULAU_PATAI, "62.13.99", "62.99")),
        refer=(Target(agency_type=AgencyType.NGO),)),))
    assert [loc for loc, _ in unknown_regions(rules)] == [("rules", 0, "when", "regions", 4),
                                                          ("rules", 0, "when", "regions", 5)]


def test_a_sample_case_lies_in_the_province() -> None:
    assert sample_case("62", "62.13", village_code=PULAU_PATAI).district_code == DUSUN_TIMUR
    for place, field in ((("63.71",), "regency_code"), (("62.13", PAHANDUT), "district_code"),
                         (("62.13", AWANG, PULAU_PATAI), "village_code")):
        with pytest.raises(LocalizedValueError) as refused:
            sample_case("62", place[0], district_code=place[1] if len(place) > 1 else None,
                        village_code=place[2] if len(place) > 2 else None)
        assert refused.value.field == field
