"""The demo directory is valid, names no people, and routes the articles' places as the demo intends."""

from __future__ import annotations

import re
from collections import Counter
from uuid import uuid4

import pytest

from routing.directory_data import demo_directory
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.rules import lead_agency
from routing.entrypoints.api import DirectoryIn
from shared.contracts.vocabulary import AgencyType


def directory() -> list[Agency]:
    body = DirectoryIn.model_validate({"agencies": demo_directory()})
    return [entry.to_domain() for entry in body.agencies]


def test_every_entry_is_valid_and_unique() -> None:
    agencies = directory()
    assert len(agencies) >= 40
    assert not [i for i, n in Counter(a.agency_id for a in agencies).items() if n > 1]


def test_contacts_are_placeholders() -> None:
    for agency in directory():
        assert agency.phone is None or agency.phone.startswith("+62-000-"), agency.agency_id
        assert agency.whatsapp is None or agency.whatsapp.startswith("+62-000-"), agency.agency_id
        assert agency.email is None or agency.email.endswith("@example.org"), agency.agency_id
        assert agency.address is None or agency.address.startswith("Jl. Contoh "), agency.agency_id


def test_places_of_the_articles_are_covered() -> None:
    agencies = directory()
    names = {a.name for a in agencies}
    for name in ("DP3AKB Kabupaten Barito Timur", "DPPKBPA3PM Kota Palangka Raya", "DP3AKB Kota Bontang",
                 "DP2KBP3A Kabupaten Paser", "DP3AKB Provinsi Kalimantan Selatan", "Kodim 1012/Buntok",
                 "Unit PPA Satreskrim Polres Barito Timur"):
        assert name in names
    assert {a.province_code for a in agencies if a.agency_type is AgencyType.UPTD_PPA
            and a.level is AgencyLevel.PROVINCE} == {"62", "63", "64"}
    assert any(a.agency_id == "sapa-129" and a.agency_type is AgencyType.NATIONAL_HOTLINE for a in agencies)
    assert any(a.alternate_name == "Polda Kalimantan Selatan" for a in agencies)
    assert any(a.agency_type is AgencyType.HEALTH and a.regency_code == "62.13" for a in agencies)


@pytest.mark.parametrize(
    ("regency_code", "agency_id", "rule"),
    [
        ("62.13", "uptd-ppa-62.13", "lead-agency/regency-uptd"),
        ("62.71", "uptd-ppa-62.71", "lead-agency/regency-uptd"),
        ("63.71", "uptd-ppa-63.71", "lead-agency/regency-uptd"),
        ("63.72", "uptd-ppa-63.72", "lead-agency/regency-uptd"),
        ("64.74", "uptd-ppa-64.74", "lead-agency/regency-uptd"),
        ("64.01", "dinas-ppa-64.01", "lead-agency/regency-dinas"),
        ("63.09", "uptd-ppa-63", "lead-agency/province-uptd"),
        ("35.78", "sapa-129", "lead-agency/national-fallback"),
    ],
)
def test_demo_places_route_as_intended(regency_code: str, agency_id: str, rule: str) -> None:
    case = CaseToRoute(case_id=uuid4(), province_code=regency_code[:2], regency_code=regency_code)
    decision = lead_agency(case, directory())
    assert (decision.agency.agency_id, decision.rule) == (agency_id, rule)
    assert re.search(r"\d{2}\.\d{2}", decision.reason)
