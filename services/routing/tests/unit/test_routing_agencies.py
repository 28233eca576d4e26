"""The directory's invariants: an agency's codes say exactly where it serves."""

from __future__ import annotations

import pytest

from routing.domain.agencies import Agency, AgencyLevel, InvalidAgencyError
from shared.contracts.vocabulary import AgencyType


def make(**overrides: object) -> Agency:
    fields: dict[str, object] = {
        "agency_id": "uptd-ppa-62.13", "name": "UPTD PPA Kabupaten Barito Timur", "agency_type": AgencyType.UPTD_PPA,
        "level": AgencyLevel.REGENCY, "province_code": "62", "regency_code": "62.13",
    }
    return Agency(**{**fields, **overrides})  # type: ignore[arg-type]


def test_a_valid_regency_agency() -> None:
    agency = make()
    assert agency.serves_regency("62.13")
    assert not agency.serves_province("62")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency_id": "UPTD PPA"}, "agency_id"),
        ({"name": "  "}, "name"),
        ({"regency_code": None}, "regency_code"),
        ({"regency_code": "63.71"}, "regency_code"),
        ({"province_code": None}, "province_code"),
        ({"level": AgencyLevel.PROVINCE}, "regency_code"),
        ({"level": AgencyLevel.NATIONAL}, "province_code"),
        ({"level": AgencyLevel.NATIONAL, "province_code": None}, "regency_code"),
        ({"level": AgencyLevel.PROVINCE, "province_code": "6", "regency_code": None}, "province_code"),
    ],
)
def test_invalid_agencies_name_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidAgencyError) as raised:
        make(**overrides)
    assert raised.value.field == field


def test_province_and_national_agencies() -> None:
    province = make(level=AgencyLevel.PROVINCE, regency_code=None, agency_id="uptd-ppa-62")
    assert province.serves_province("62")
    assert not province.serves_regency("62.13")
    national = make(level=AgencyLevel.NATIONAL, province_code=None, regency_code=None, agency_id="sapa-129",
                    agency_type=AgencyType.NATIONAL_HOTLINE)
    assert not national.serves_province("62")
