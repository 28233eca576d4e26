"""The lead-agency rule: every step of the ladder, inactive agencies, and a case that never goes nowhere."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.rules import NATIONAL_FALLBACK, lead_agency, route
from routing.rules_data import packaged_rules
from shared.contracts.vocabulary import AgencyType

CASE = CaseToRoute(case_id=uuid4(), province_code="62", regency_code="62.13")


def regency(agency_id: str, agency_type: AgencyType, code: str = "62.13", **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.REGENCY, province_code=code[:2], regency_code=code, **kw)  # type: ignore[arg-type]


def province(agency_id: str, agency_type: AgencyType, code: str = "62", **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.PROVINCE, province_code=code, **kw)  # type: ignore[arg-type]


def national(agency_id: str, agency_type: AgencyType = AgencyType.NATIONAL_HOTLINE, **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.NATIONAL, **kw)  # type: ignore[arg-type]


REGENCY_UPTD = regency("uptd-ppa-62.13", AgencyType.UPTD_PPA)
REGENCY_DINAS = regency("dinas-ppa-62.13", AgencyType.DINAS_PPA)
PROVINCE_UPTD = province("uptd-ppa-62", AgencyType.UPTD_PPA)
PROVINCE_DINAS = province("dinas-ppa-62", AgencyType.DINAS_PPA)
HOTLINE = national("sapa-129")
FULL_DIRECTORY = [HOTLINE, PROVINCE_DINAS, PROVINCE_UPTD, REGENCY_DINAS, REGENCY_UPTD]


@pytest.mark.parametrize(
    ("directory", "agency_id", "rule"),
    [
        (FULL_DIRECTORY, "uptd-ppa-62.13", "lead-agency/regency-uptd"),
        ([HOTLINE, PROVINCE_DINAS, PROVINCE_UPTD, REGENCY_DINAS], "dinas-ppa-62.13", "lead-agency/regency-dinas"),
        ([HOTLINE, PROVINCE_DINAS, PROVINCE_UPTD], "uptd-ppa-62", "lead-agency/province-uptd"),
        ([HOTLINE, PROVINCE_DINAS], "dinas-ppa-62", "lead-agency/province-dinas"),
        ([HOTLINE], "sapa-129", "lead-agency/national-fallback"),
    ],
    ids=["regency-uptd", "regency-dinas", "province-uptd", "province-dinas", "national"],
)
def test_each_step_of_the_ladder(directory: list[Agency], agency_id: str, rule: str) -> None:
    decision = lead_agency(CASE, directory)
    assert decision.agency.agency_id == agency_id
    assert decision.rule == rule
    assert decision.is_lead


def test_inactive_agencies_are_skipped_at_every_step() -> None:
    directory = [replace(agency, active=False) for agency in FULL_DIRECTORY if agency is not HOTLINE]
    decision = lead_agency(CASE, [*directory, HOTLINE])
    assert decision.agency.agency_id == "sapa-129"
    assert decision.rule == "lead-agency/national-fallback"


def test_inactive_regency_uptd_gives_way_to_the_regency_dinas() -> None:
    decision = lead_agency(CASE, [replace(REGENCY_UPTD, active=False), *FULL_DIRECTORY[:-1]])
    assert decision.agency == REGENCY_DINAS
    assert decision.reason.startswith("No active UPTD PPA for regency 62.13; ")


def test_other_agency_types_are_never_lead() -> None:
    directory = [
        regency("police-ppa-62.13", AgencyType.POLICE_PPA),
        regency("rsud-62.13", AgencyType.HEALTH),
        regency("kodim-1012", AgencyType.KODIM),
        province("police-ppa-62", AgencyType.POLICE_PPA),
        PROVINCE_DINAS,
    ]
    assert lead_agency(CASE, directory).agency == PROVINCE_DINAS


def test_another_regency_of_the_province_falls_back_to_the_province() -> None:
    case = replace(CASE, regency_code="62.01")
    decision = lead_agency(case, FULL_DIRECTORY)
    assert decision.agency == PROVINCE_UPTD
    assert decision.rule == "lead-agency/province-uptd"
    assert decision.reason == (
        "No active UPTD PPA for regency 62.01; no active Dinas PPA for regency 62.01; "
        "Agency uptd-ppa-62 (uptd-ppa-62) is the active UPTD PPA of province 62."
    )


def test_agencies_of_other_places_do_not_count() -> None:
    directory = [
        regency("uptd-ppa-62.71", AgencyType.UPTD_PPA, "62.71"),
        regency("uptd-ppa-63.13", AgencyType.UPTD_PPA, "63.13"),
        province("uptd-ppa-63", AgencyType.UPTD_PPA, "63"),
        national("police-ppa-national", AgencyType.POLICE_PPA),
        HOTLINE,
    ]
    decision = lead_agency(CASE, directory)
    assert decision.agency == HOTLINE
    assert decision.rule == "lead-agency/national-fallback"


def test_without_a_national_row_the_built_in_fallback_is_used() -> None:
    decision = lead_agency(CASE, [])
    assert decision.agency == NATIONAL_FALLBACK
    assert decision.agency.agency_id == "sapa-129"
    assert decision.agency.agency_type is AgencyType.NATIONAL_HOTLINE
    assert decision.agency.level is AgencyLevel.NATIONAL
    assert decision.rule == "lead-agency/national-fallback"
    assert "built-in" in decision.reason
    assert "regency 62.13" in decision.reason
    assert "province 62" in decision.reason


def test_an_inactive_national_row_still_leaves_the_built_in_fallback() -> None:
    decision = lead_agency(CASE, [replace(HOTLINE, active=False, name="Renamed hotline")])
    assert decision.agency == NATIONAL_FALLBACK


def test_the_directory_row_of_the_fallback_is_preferred_over_other_hotlines() -> None:
    directory = [national("aaa-hotline"), replace(HOTLINE, name="SAPA 129 (directory)")]
    decision = lead_agency(CASE, directory)
    assert decision.agency.name == "SAPA 129 (directory)"
    assert "built-in" not in decision.reason


def test_another_national_hotline_is_used_when_sapa_is_not_listed() -> None:
    assert lead_agency(CASE, [national("hotline-b"), national("hotline-a")]).agency.agency_id == "hotline-a"


def test_the_choice_does_not_depend_on_directory_order() -> None:
    first, second = regency("uptd-ppa-62.13-b", AgencyType.UPTD_PPA), regency("uptd-ppa-62.13-a", AgencyType.UPTD_PPA)
    forwards, backwards = lead_agency(CASE, [first, second]), lead_agency(CASE, [second, first])
    assert forwards == backwards
    assert forwards.agency == second
    assert "first by id of 2 candidates" in forwards.reason


def test_the_reason_names_codes_and_agencies_only() -> None:
    decision = lead_agency(CASE, FULL_DIRECTORY)
    assert decision.reason == "Agency uptd-ppa-62.13 (uptd-ppa-62.13) is the active UPTD PPA of regency 62.13."


def test_route_makes_exactly_one_lead_referral() -> None:
    decisions = route(CASE, FULL_DIRECTORY, packaged_rules())
    assert [d.agency.agency_id for d in decisions if d.is_lead] == ["uptd-ppa-62.13"]
    assert len({d.agency.agency_id for d in decisions}) == len(decisions)
