"""The SIMFONI-PPA record: every field rule (with the ``loc`` and ``code`` a 422 would carry), the personal fields
taken out and put back, case numbers, channels, and what ``case.reported`` carries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from intake.domain.access import PersonalField
from intake.domain.model import STAFF_CHANNELS, Case, case_number, channel_for
from intake.domain.record import (
    MAX_AGE,
    ConsentIn,
    IncidentDate,
    Report,
    join_personal,
    personal_paths,
    split_personal,
)
from shared.auth import Principal, Role
from shared.contracts.vocabulary import AgeGroup, AgencyType, Channel, Need, ViolenceType
from shared.validation_messages import Language, LocalizedValueError, localize_errors

TODAY = date.today()  # noqa: DTZ011 - the record's rules use the local calendar date too
PAST = TODAY - timedelta(days=30)

Loc = tuple[str | int, ...]


def report_data(**overrides: Any) -> dict[str, Any]:
    """A valid report as a client would send it; ``overrides`` replace top-level parts."""
    data: dict[str, Any] = {
        "incident": {"date": PAST.isoformat(), "precision": "day"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": ["fisik"],
        "victims": [{"sex": "perempuan", "age": 30}],
        "reporter": {"relation": "tetangga", "phone": "0812-5555-0101"},
        "narrative": "Korban dipukul.",
    }
    data.update(overrides)
    return data


def location(**overrides: Any) -> dict[str, Any]:
    return {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga", **overrides}


def errors(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """The (loc, type) of every error, as the API's 422 items carry them (without the leading "body")."""
    with pytest.raises(ValidationError) as caught:
        Report.model_validate(data)
    return [(tuple(item["loc"]), item["type"]) for item in localize_errors(caught.value.errors(), Language.EN)]


def only_error(data: dict[str, Any]) -> tuple[Loc, str]:
    found = errors(data)
    assert len(found) == 1, found
    return found[0]


def test_the_base_report_is_valid() -> None:
    report = Report.model_validate(report_data())
    assert report.channel is None
    assert report.consent.shared_with() == (AgencyType.DINAS_PPA, AgencyType.UPTD_PPA)


# -- location ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "loc", "code"),
    [
        ({"province_code": "99"}, ("location", "province_code"), "unknown_province"),
        ({"province_code": "6"}, ("location", "province_code"), "string_pattern_mismatch"),
        ({"regency_code": "62.99"}, ("location", "regency_code"), "unknown_regency"),
        ({"regency_code": "6213"}, ("location", "regency_code"), "string_pattern_mismatch"),
        ({"regency_code": "63.01"}, ("location", "regency_code"), "regency_outside_province"),
        ({"province_code": "63", "regency_code": "62.13"}, ("location", "regency_code"), "regency_outside_province"),
        ({"district_code": "62.14.01"}, ("location", "district_code"), "district_outside_regency"),
        ({"district_code": "62.1301"}, ("location", "district_code"), "string_pattern_mismatch"),
        (
            {"district_code": "62.13.01", "village_code": "62.13.02.2001"},
            ("location", "village_code"),
            "village_outside_district",
        ),
        ({"village_code": "62.13.01.2001"}, ("location", "village_code"), "village_outside_district"),
        ({"village_code": "62.13.01.201"}, ("location", "village_code"), "string_pattern_mismatch"),
        ({"district_code": "62.13.11"}, ("location", "district_code"), "unknown_district"),
        ({"district_code": "62.13.00"}, ("location", "district_code"), "unknown_district"),
        ({"district_code": "62.03.01"}, ("location", "district_code"), "district_outside_regency"),
        ({"district_code": "62.13.01", "village_code": "62.13.01.2001"}, ("location", "village_code"),
         "unknown_village"),
        ({"district_code": "62.13.01", "village_code": "62.13.01.9999"}, ("location", "village_code"),
         "unknown_village"),
        (
            {"district_code": "62.13.01", "village_code": "62.13.02.2003"},  # an existing village, in 62.13.02
            ("location", "village_code"),
            "village_outside_district",
        ),
        ({"place": "hutan"}, ("location", "place"), "enum"),
        ({"address": ""}, ("location", "address"), "string_too_short"),
        ({"address": "x" * 501}, ("location", "address"), "string_too_long"),
        ({"unknown": "x"}, ("location", "unknown"), "extra_forbidden"),
    ],
)
def test_location_rules(overrides: dict[str, Any], loc: Loc, code: str) -> None:
    assert only_error(report_data(location=location(**overrides))) == (loc, code)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"district_code": "62.13.01"},
        {"district_code": "62.13.01", "village_code": "62.13.01.2003"},
        {"district_code": "62.13.01", "village_code": "62.13.01.1012"},
        {"province_code": "31", "regency_code": "31.71", "district_code": "31.71.03", "village_code": "31.71.03.1001"},
        {"province_code": "31", "regency_code": "31.71"},
        {"province_code": "91", "regency_code": "91.71", "address": "Jl. Contoh 1"},
    ],
)
def test_valid_locations(overrides: dict[str, Any]) -> None:
    Report.model_validate(report_data(location=location(**overrides)))


def test_the_location_error_is_localized() -> None:
    with pytest.raises(ValidationError) as caught:
        Report.model_validate(report_data(location=location(regency_code="62.99")))
    raised = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(raised, LocalizedValueError)
    english = localize_errors(caught.value.errors(), Language.EN)
    indonesian = localize_errors(caught.value.errors(), Language.ID)
    assert english[0]["msg"] == raised.en
    assert indonesian[0]["msg"] == raised.id
    assert raised.en != raised.id
    assert "Kemendagri" in raised.en
    assert english[0]["loc"] == indonesian[0]["loc"] == ["location", "regency_code"]


# -- incident date ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incident", "loc", "code"),
    [
        ({"date": PAST.isoformat(), "precision": "unknown"}, ("incident", "date"), "date_with_unknown_precision"),
        ({"precision": "day"}, ("incident", "date"), "missing_date"),
        ({"date": None, "precision": "month"}, ("incident", "date"), "missing_date"),
        ({}, ("incident", "date"), "missing_date"),  # precision defaults to day
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, ("incident", "date"), "date_in_future"),
        (
            {"date": (TODAY + timedelta(days=400)).isoformat(), "precision": "year"},
            ("incident", "date"),
            "date_in_future",
        ),
        ({"date": "2026-02-30"}, ("incident", "date"), "date_from_datetime_parsing"),
        ({"date": PAST.isoformat(), "precision": "week"}, ("incident", "precision"), "literal_error"),
    ],
)
def test_incident_date_rules(incident: dict[str, Any], loc: Loc, code: str) -> None:
    assert only_error(report_data(incident=incident)) == (loc, code)


def test_the_incident_may_be_today_or_unknown() -> None:
    Report.model_validate(report_data(incident={"date": TODAY.isoformat()}))
    report = Report.model_validate(report_data(incident={"precision": "unknown"}))
    assert report.incident == IncidentDate(date=None, precision="unknown")


@pytest.mark.parametrize(
    ("given", "precision", "normalised"),
    [
        (date(2025, 3, 17), "day", date(2025, 3, 17)),
        (date(2025, 3, 17), "month", date(2025, 3, 1)),
        (date(2025, 3, 1), "month", date(2025, 3, 1)),
        (date(2025, 3, 17), "year", date(2025, 1, 1)),
        (date(2024, 2, 29), "year", date(2024, 1, 1)),
        (date(2024, 2, 29), "month", date(2024, 2, 1)),
    ],
)
def test_incident_date_is_normalised_to_its_precision(given: date, precision: Any, normalised: date) -> None:
    result = IncidentDate(date=given, precision=precision).normalised()
    assert result == IncidentDate(date=normalised, precision=precision)


def test_an_unknown_incident_date_normalises_to_itself() -> None:
    unknown = IncidentDate(precision="unknown")
    assert unknown.normalised() == unknown


# -- violence types, victims, ages ------------------------------------------------------------------------


def test_violence_types_are_required() -> None:
    assert only_error(report_data(violence_types=[])) == (("violence_types",), "too_short")
    data = report_data()
    del data["violence_types"]
    assert only_error(data) == (("violence_types",), "missing")


def test_unknown_violence_type() -> None:
    assert only_error(report_data(violence_types=["fisik", "verbal"])) == (("violence_types", 1), "enum")


def test_duplicate_violence_types_and_needs_are_removed_in_order() -> None:
    report = Report.model_validate(
        report_data(violence_types=["psikis", "fisik", "psikis", "fisik", "seksual"],
                    needs=["kesehatan", "pengaduan", "kesehatan"])
    )
    assert report.violence_types == [ViolenceType.PSIKIS, ViolenceType.FISIK, ViolenceType.SEKSUAL]
    assert report.needs == [Need.KESEHATAN, Need.PENGADUAN]


def test_at_least_one_victim_and_at_most_fifty() -> None:
    assert only_error(report_data(victims=[])) == (("victims",), "too_short")
    data = report_data()
    del data["victims"]
    assert only_error(data) == (("victims",), "missing")
    assert only_error(report_data(victims=[{"sex": "perempuan"}] * 51)) == (("victims",), "too_long")
    Report.model_validate(report_data(victims=[{"sex": "perempuan"}] * 50))


@pytest.mark.parametrize(("age", "code"), [(-1, "greater_than_equal"), (MAX_AGE + 1, "less_than_equal")])
def test_victim_and_perpetrator_ages_are_0_to_120(age: int, code: str) -> None:
    victims = [{"sex": "perempuan", "age": 30}, {"sex": "laki_laki", "age": age}]
    assert only_error(report_data(victims=victims)) == (("victims", 1, "age"), code)
    perpetrators = [{"relationship": "tetangga", "age": age}]
    assert only_error(report_data(perpetrators=perpetrators)) == (("perpetrators", 0, "age"), code)


@pytest.mark.parametrize("age", [0, 1, 17, 18, MAX_AGE])
def test_ages_at_the_limits_are_accepted(age: int) -> None:
    Report.model_validate(
        report_data(victims=[{"sex": "perempuan", "age": age}], perpetrators=[{"relationship": "lainnya", "age": age}])
    )


def test_a_victim_needs_a_sex() -> None:
    assert only_error(report_data(victims=[{"age": 3}])) == (("victims", 0, "sex"), "missing")


def years_ago(years: int, *, days: int = 0) -> date:
    """The day ``years`` before today (28 Feb for 29 Feb), ``days`` earlier."""
    try:
        day = TODAY.replace(year=TODAY.year - years)
    except ValueError:
        day = TODAY.replace(year=TODAY.year - years, day=28)
    return day - timedelta(days=days)


@pytest.mark.parametrize(
    ("victim", "loc", "code"),
    [
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat()}, ("victims", 1, "birth_date"),
         "birth_date_in_future"),
        ({"birth_date": years_ago(MAX_AGE + 1).isoformat()}, ("victims", 1, "birth_date"), "birth_date_too_early"),
        ({"birth_date": years_ago(10).isoformat(), "age": 15}, ("victims", 1, "age"),
         "age_disagrees_with_birth_date"),
        ({"birth_date": years_ago(10).isoformat(), "age": 8}, ("victims", 1, "age"), "age_disagrees_with_birth_date"),
    ],
)
def test_birth_date_rules(victim: dict[str, Any], loc: Loc, code: str) -> None:
    victims = [{"sex": "perempuan", "age": 30}, {"sex": "perempuan", **victim}]
    assert only_error(report_data(victims=victims)) == (loc, code)


@pytest.mark.parametrize(
    "victim",
    [
        {"birth_date": TODAY.isoformat()},
        {"birth_date": years_ago(MAX_AGE).isoformat()},
        {"birth_date": years_ago(10).isoformat(), "age": 10},
        {"birth_date": years_ago(10).isoformat(), "age": 9},  # a year's slack either way
        {"birth_date": years_ago(10).isoformat(), "age": 11},
    ],
)
def test_plausible_birth_dates(victim: dict[str, Any]) -> None:
    Report.model_validate(report_data(victims=[{"sex": "perempuan", **victim}]))


def test_age_from_birth_date() -> None:
    report = Report.model_validate(report_data(victims=[{"sex": "perempuan", "birth_date": "2000-01-01"}]))
    victim = report.victims[0]
    assert victim.age_on(date(2017, 12, 31)) == 17
    assert victim.age_on(date(2018, 1, 1)) == 18
    assert victim.age_group_on(date(2017, 12, 31)) is AgeGroup.AGE_13_17
    assert victim.age_group_on(date(2018, 1, 1)) is AgeGroup.AGE_18_24
    unknown = Report.model_validate(report_data(victims=[{"sex": "laki_laki"}])).victims[0]
    assert unknown.age_on(TODAY) is None
    assert unknown.age_group_on(TODAY) is AgeGroup.UNKNOWN


# -- ABH, consent, reporter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "perpetrators",
    [[], [{"relationship": "tetangga", "age": 18}], [{"relationship": "tetangga", "age": 40},
                                                     {"relationship": "guru", "age": 25}]],
)
def test_abh_needs_a_child_perpetrator(perpetrators: list[dict[str, Any]]) -> None:
    data = report_data(child_in_conflict_with_law=True, perpetrators=perpetrators)
    assert only_error(data) == (("child_in_conflict_with_law",), "abh_without_child")


@pytest.mark.parametrize(
    "perpetrators",
    [[{"relationship": "tetangga", "age": 17}], [{"relationship": "tetangga"}],
     [{"relationship": "guru", "age": 40}, {"relationship": "pacar_teman", "age": 15}]],
)
def test_abh_with_a_child_or_unknown_age_perpetrator(perpetrators: list[dict[str, Any]]) -> None:
    report = Report.model_validate(report_data(child_in_conflict_with_law=True, perpetrators=perpetrators))
    assert report.child_in_conflict_with_law


def test_a_perpetrator_needs_a_relationship() -> None:
    assert only_error(report_data(perpetrators=[{"age": 30}])) == (("perpetrators", 0, "relationship"), "missing")


def test_consent_not_yet_asked_allows_only_the_case_managers() -> None:
    data = report_data(consent={"agency_types": ["uptd_ppa", "police_ppa"]})
    assert only_error(data) == (("consent", "agency_types"), "consent_not_given")
    data = report_data(consent={"given_by": "belum_ditanyakan", "agency_types": ["health"]})
    assert only_error(data) == (("consent", "agency_types"), "consent_not_given")
    report = Report.model_validate(report_data(consent={"agency_types": ["uptd_ppa", "dinas_ppa"]}))
    assert report.consent.shared_with() == (AgencyType.DINAS_PPA, AgencyType.UPTD_PPA)


@pytest.mark.parametrize("given_by", ["korban", "wali"])
def test_consent_given_shares_with_the_agencies_named_and_the_case_managers(given_by: str) -> None:
    consent = ConsentIn.model_validate({"given_by": given_by, "agency_types": ["police_ppa", "health", "police_ppa"]})
    assert consent.shared_with() == (
        AgencyType.DINAS_PPA, AgencyType.HEALTH, AgencyType.POLICE_PPA, AgencyType.UPTD_PPA,
    )


@pytest.mark.parametrize(
    "reporter",
    [
        {"anonymous": True, "name": "Bu Rina"},
        {"anonymous": True, "phone": "081255550101"},
        {"anonymous": True, "email": "rina@example.org"},
    ],
)
def test_an_anonymous_reporter_gives_no_identity(reporter: dict[str, Any]) -> None:
    data = report_data(reporter={"relation": "tetangga", **reporter})
    assert only_error(data) == (("reporter", "anonymous"), "anonymous_with_identity")


@pytest.mark.parametrize("reporter", [{}, {"name": "Bu Rina"}, {"anonymous": False}])
def test_a_named_reporter_leaves_a_contact(reporter: dict[str, Any]) -> None:
    data = report_data(reporter={"relation": "tetangga", **reporter})
    assert only_error(data) == (("reporter", "phone"), "no_contact")


@pytest.mark.parametrize(
    "reporter",
    [
        {"anonymous": True},
        {"phone": "0812-5555-0101"},
        {"email": "rina@example.org"},
        {"name": "Bu Rina", "phone": "+62 812 5555 0101", "email": "rina@example.org"},
    ],
)
def test_valid_reporters(reporter: dict[str, Any]) -> None:
    Report.model_validate(report_data(reporter={"relation": "keluarga", **reporter}))


def test_a_reporter_needs_a_relation() -> None:
    assert only_error(report_data(reporter={"phone": "0812555501"})) == (("reporter", "relation"), "missing")


@pytest.mark.parametrize(
    "phone", ["0812-5555-0101", "+62 812 5555 0101", "021 (555) 0101", "6281255550101", "021555"]
)
def test_valid_phone_numbers(phone: str) -> None:
    assert Report.model_validate(report_data(reporter={"relation": "teman", "phone": phone})).reporter.phone == phone


@pytest.mark.parametrize(
    "phone", ["02155", "0812x5555", "phone number", "+", "++62812555501", "-0812555501", "0" * 33]
)
def test_invalid_phone_numbers(phone: str) -> None:
    data = report_data(reporter={"relation": "teman", "phone": phone})
    assert only_error(data) == (("reporter", "phone"), "string_pattern_mismatch")


@pytest.mark.parametrize("email", ["rina@example.org", "a.b+c@sub.example.co.id", "RINA@EXAMPLE.ORG"])
def test_valid_emails(email: str) -> None:
    Report.model_validate(report_data(reporter={"relation": "teman", "email": email}))


@pytest.mark.parametrize(
    "email", ["rina", "rina@example", "rina@example.o", "ri na@example.org", "rina@@example.org",
              "@example.org", "x" * 65 + "@example.org"]
)
def test_invalid_emails(email: str) -> None:
    data = report_data(reporter={"relation": "teman", "email": email})
    assert only_error(data) == (("reporter", "email"), "string_pattern_mismatch")


def test_whitespace_is_stripped() -> None:
    report = Report.model_validate(report_data(narrative="  Korban dipukul.  ",
                                               reporter={"relation": "teman", "phone": " 0812555501 "}))
    assert report.narrative == "Korban dipukul."
    assert report.reporter.phone == "0812555501"
    assert only_error(report_data(narrative="   ")) == (("narrative",), "string_too_short")


def test_narrative_is_required_and_bounded() -> None:
    data = report_data()
    del data["narrative"]
    assert only_error(data) == (("narrative",), "missing")
    assert only_error(report_data(narrative="x" * 20_001)) == (("narrative",), "string_too_long")


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (report_data(priority="P1"), ("priority",)),
        (report_data(case_number="6213-2026-00001"), ("case_number",)),
        (report_data(victims=[{"sex": "perempuan", "nik": "6213000000000001"}]), ("victims", 0, "nik")),
        (report_data(perpetrators=[{"relationship": "guru", "phone": "0812"}]), ("perpetrators", 0, "phone")),
        (report_data(reporter={"relation": "teman", "phone": "0812555501", "nik": "1"}), ("reporter", "nik")),
        (report_data(incident={"date": PAST.isoformat(), "time": "10:00"}), ("incident", "time")),
        (report_data(consent={"given_by": "korban", "signed": True}), ("consent", "signed")),
    ],
)
def test_extra_fields_are_forbidden(data: dict[str, Any], loc: Loc) -> None:
    assert only_error(data) == (loc, "extra_forbidden")


def test_several_errors_are_reported_together() -> None:
    found = errors(report_data(violence_types=[], victims=[], narrative=""))
    assert sorted(found) == sorted([
        (("violence_types",), "too_short"), (("victims",), "too_short"), (("narrative",), "string_too_short"),
    ])


def test_a_channel_is_one_of_the_vocabulary() -> None:
    assert only_error(report_data(channel="telegram")) == (("channel",), "enum")


# -- personal fields --------------------------------------------------------------------------------------

PERSONAL_VALUES = {
    "narrative": "Narasi-rahasia-7f3a",
    "victims.0.name": "Korban-Pertama-7f3a",
    "victims.0.birth_date": "2012-04-09",
    "victims.1.name": "Korban-Kedua-7f3a",
    "perpetrators.0.name": "Pelaku-Satu-7f3a",
    "reporter.name": "Pelapor-Nama-7f3a",
    "reporter.phone": "+62 811 7777 3131",
    "reporter.email": "pelapor.7f3a@example.org",
    "location.address": "Jalan Rahasia 7f3a",
}


def full_report_data() -> dict[str, Any]:
    """Every personal field filled, and some left empty (the second victim's birth date, the second
    perpetrator's name)."""
    return report_data(
        incident={"date": "2026-01-15", "precision": "month"},
        location=location(district_code="62.13.01", village_code="62.13.01.2003",
                          address=PERSONAL_VALUES["location.address"]),
        violence_types=["seksual", "fisik", "seksual"],
        injuries=True,
        victims=[
            {"sex": "perempuan", "name": PERSONAL_VALUES["victims.0.name"],
             "birth_date": PERSONAL_VALUES["victims.0.birth_date"], "has_disability": False, "education": "sd"},
            {"sex": "laki_laki", "name": PERSONAL_VALUES["victims.1.name"], "age": 35, "nationality": "wna"},
        ],
        perpetrators=[
            {"name": PERSONAL_VALUES["perpetrators.0.name"], "sex": "laki_laki", "age": 41, "relationship": "tetangga"},
            {"relationship": "tidak_diketahui"},
        ],
        needs=["kesehatan", "bantuan_hukum"],
        consent={"given_by": "wali", "agency_types": ["police_ppa", "health"]},
        reporter={"relation": "keluarga", "name": PERSONAL_VALUES["reporter.name"],
                  "phone": PERSONAL_VALUES["reporter.phone"], "email": PERSONAL_VALUES["reporter.email"]},
        narrative=PERSONAL_VALUES["narrative"],
        channel="hotline",
    )


EXPECTED_KINDS = {
    "narrative": PersonalField.NARRATIVE,
    "victims.0.name": PersonalField.VICTIM_IDENTITY,
    "victims.0.birth_date": PersonalField.VICTIM_IDENTITY,
    "victims.1.name": PersonalField.VICTIM_IDENTITY,
    "perpetrators.0.name": PersonalField.PERPETRATOR_IDENTITY,
    "reporter.name": PersonalField.REPORTER_IDENTITY,
    "reporter.phone": PersonalField.REPORTER_CONTACT,
    "reporter.email": PersonalField.REPORTER_CONTACT,
    "location.address": PersonalField.ADDRESS,
}


def test_split_personal_takes_out_exactly_the_personal_fields() -> None:
    report = Report.model_validate(full_report_data())
    facts, found = split_personal(report)
    assert found == {path: (EXPECTED_KINDS[path], value) for path, value in PERSONAL_VALUES.items()}
    dumped = json.dumps(facts)
    for value in PERSONAL_VALUES.values():
        assert value not in dumped
    # The keys are gone, not emptied, even where the field was empty.
    assert "narrative" not in facts
    assert "address" not in facts["location"]
    assert all("name" not in v and "birth_date" not in v for v in facts["victims"])
    assert all("name" not in p for p in facts["perpetrators"])
    assert set(facts["reporter"]) == {"anonymous", "relation"}
    # What is not personal stays, JSON-ready.
    assert facts["location"] == {"province_code": "62", "regency_code": "62.13", "district_code": "62.13.01",
                                 "village_code": "62.13.01.2003", "place": "rumah_tangga"}
    assert facts["violence_types"] == ["seksual", "fisik"]
    assert facts["victims"][1] == {"sex": "laki_laki", "age": 35, "has_disability": None,
                                   "education": "tidak_diketahui", "nationality": "wna"}
    assert facts["incident"] == {"date": "2026-01-15", "precision": "month"}
    assert facts["channel"] == "hotline"


def test_join_personal_round_trips() -> None:
    report = Report.model_validate(full_report_data())
    facts, found = split_personal(report)
    assert join_personal(facts, {path: value for path, (_, value) in found.items()}) == report


def test_join_personal_with_only_some_fields() -> None:
    """The fields a reader may not see stay empty. (The record's own rules still apply: without the narrative
    or the reporter's contact it is not a valid record, so those must be among the values given.)"""
    report = Report.model_validate(full_report_data())
    facts, found = split_personal(report)
    kept = ("narrative", "reporter.phone", "victims.1.name")
    partial = join_personal(facts, {path: found[path][1] for path in kept})
    assert partial.victims[1].name == PERSONAL_VALUES["victims.1.name"]
    assert partial.victims[0].name is None
    assert partial.victims[0].birth_date is None
    assert partial.perpetrators[0].name is None
    assert partial.location.address is None
    assert (partial.reporter.name, partial.reporter.email) == (None, None)
    assert partial.violence_types == report.violence_types
    assert partial.victims[1].age == 35


def test_split_personal_of_an_anonymous_report_without_names() -> None:
    report = Report.model_validate(report_data(reporter={"relation": "tetangga", "anonymous": True}))
    facts, found = split_personal(report)
    assert found == {"narrative": (PersonalField.NARRATIVE, "Korban dipukul.")}
    assert join_personal(facts, {"narrative": "Korban dipukul."}) == report


def test_personal_paths() -> None:
    assert personal_paths() == {
        "location.address": PersonalField.ADDRESS,
        "victims.*.name": PersonalField.VICTIM_IDENTITY,
        "victims.*.birth_date": PersonalField.VICTIM_IDENTITY,
        "perpetrators.*.name": PersonalField.PERPETRATOR_IDENTITY,
        "reporter.name": PersonalField.REPORTER_IDENTITY,
        "reporter.phone": PersonalField.REPORTER_CONTACT,
        "reporter.email": PersonalField.REPORTER_CONTACT,
        "narrative": PersonalField.NARRATIVE,
    }


def test_every_split_path_matches_a_personal_path_pattern() -> None:
    patterns = personal_paths()
    _, found = split_personal(Report.model_validate(full_report_data()))
    for path, (kind, _) in found.items():
        pattern = ".".join("*" if part.isdigit() else part for part in path.split("."))
        assert patterns[pattern] is kind


# -- case numbers and channels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regency", "year", "sequence", "expected"),
    [
        ("62.13", 2026, 42, "6213-2026-00042"),
        ("62.13", 2026, 1, "6213-2026-00001"),
        ("91.71", 2027, 99_999, "9171-2027-99999"),
        ("31.71", 2026, 123_456, "3171-2026-123456"),
    ],
)
def test_case_number(regency: str, year: int, sequence: int, expected: str) -> None:
    assert case_number(regency, year, sequence) == expected


def principal(*roles: Role) -> Principal:
    return Principal(user_id="someone", roles=frozenset(roles))


PUBLIC_LIKE = [Role.PUBLIC, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN, Role.AUDITOR]
STAFF = [Role.OPERATOR, Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR]


@pytest.mark.parametrize("role", PUBLIC_LIKE)
@pytest.mark.parametrize("requested", [None, Channel.WEB])
def test_the_public_reports_on_the_web(role: Role, requested: Channel | None) -> None:
    assert channel_for(requested, principal(role)) is Channel.WEB


@pytest.mark.parametrize("role", PUBLIC_LIKE)
@pytest.mark.parametrize("requested", [c for c in Channel if c is not Channel.WEB])
def test_the_public_cannot_claim_another_channel(role: Role, requested: Channel) -> None:
    with pytest.raises(LocalizedValueError) as caught:
        channel_for(requested, principal(role))
    assert (caught.value.code, caught.value.field) == ("channel_for_staff", "channel")


@pytest.mark.parametrize("role", STAFF)
def test_staff_must_say_the_channel(role: Role) -> None:
    with pytest.raises(LocalizedValueError) as caught:
        channel_for(None, principal(role))
    assert (caught.value.code, caught.value.field) == ("missing_channel", "channel")


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("requested", sorted(STAFF_CHANNELS))
def test_staff_give_a_staff_channel(role: Role, requested: Channel) -> None:
    assert channel_for(requested, principal(role)) is requested


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("requested", [Channel.WEB, Channel.WHATSAPP, Channel.SMS])
def test_staff_cannot_claim_the_web_or_gateway_channels(role: Role, requested: Channel) -> None:
    with pytest.raises(LocalizedValueError) as caught:
        channel_for(requested, principal(role))
    assert (caught.value.code, caught.value.field) == ("channel_not_for_staff", "channel")


def test_the_staff_channels() -> None:
    assert {Channel.HOTLINE, Channel.WALK_IN, Channel.POLICE, Channel.SCHOOL, Channel.HEALTH,
            Channel.COMMUNITY} == STAFF_CHANNELS


# -- the case and its events ------------------------------------------------------------------------------

REPORTED_AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def case_of(data: dict[str, Any], *, reported_at: datetime = REPORTED_AT, channel: Channel = Channel.HOTLINE) -> Case:
    return Case(uuid4(), "6213-2026-00007", Report.model_validate(data), channel, reported_at, "operator-1")


def test_the_reported_event_carries_no_personal_value() -> None:
    case = case_of(full_report_data())
    event = case.reported_event()
    wire = event.to_json().decode()
    for value in PERSONAL_VALUES.values():
        assert value not in wire
    _, found = split_personal(case.report)
    for _, value in found.values():
        assert value not in wire
    # Nor the person who recorded it, nor any name or address; the district and village travel as codes only.
    for absent in ("address", "narrative", "name", "birth", "phone", "email", "operator-1", "7f3a",
                   "Dusun Timur", "Pulau Patai"):
        assert absent not in wire


def test_the_reported_event_carries_the_facts() -> None:
    case = case_of(full_report_data(), channel=Channel.WALK_IN)
    event = case.reported_event()
    assert event.case_id == case.case_id
    assert event.case_number == "6213-2026-00007"
    assert (event.province_code, event.regency_code) == ("62", "62.13")
    assert (event.district_code, event.village_code) == ("62.13.01", "62.13.01.2003")
    assert event.violence_types == (ViolenceType.SEKSUAL, ViolenceType.FISIK)
    assert (event.incident_date, event.incident_date_precision) == (date(2026, 1, 1), "month")
    assert event.channel is Channel.WALK_IN
    assert event.reported_at == REPORTED_AT
    # Born 2012-04-09: 13 on 2 March 2026.
    assert [v.age_group for v in event.victims] == [AgeGroup.AGE_13_17, AgeGroup.AGE_25_44]
    assert [p.age_group for p in event.perpetrators] == [AgeGroup.AGE_25_44, AgeGroup.UNKNOWN]
    assert event.needs == (Need.KESEHATAN, Need.BANTUAN_HUKUM)
    assert event.consent.agency_types == (
        AgencyType.DINAS_PPA, AgencyType.HEALTH, AgencyType.POLICE_PPA, AgencyType.UPTD_PPA,
    )
    assert event.priority.value == "P1"
    assert [r.value for r in event.triage_reasons] == ["child_sexual_violence", "injuries", "child_victim"]


def test_the_reported_event_dedupes_violence_types_in_order() -> None:
    event = case_of(report_data(violence_types=["penelantaran", "psikis", "penelantaran", "fisik", "psikis"]))
    assert event.reported_event().violence_types == (
        ViolenceType.PENELANTARAN, ViolenceType.PSIKIS, ViolenceType.FISIK,
    )


@pytest.mark.parametrize(
    ("reported_at", "group", "priority"),
    [
        (datetime(2017, 12, 31, 12, tzinfo=UTC), AgeGroup.AGE_13_17, "P2"),
        (datetime(2018, 1, 1, 12, tzinfo=UTC), AgeGroup.AGE_18_24, "P3"),
    ],
)
def test_age_groups_are_computed_from_the_birth_date_at_the_report_date(
    reported_at: datetime, group: AgeGroup, priority: str
) -> None:
    data = report_data(incident={"precision": "unknown"}, victims=[{"sex": "perempuan", "birth_date": "2000-01-01"}])
    event = case_of(data, reported_at=reported_at).reported_event()
    assert event.victims[0].age_group is group
    assert event.priority.value == priority


def test_a_given_age_wins_over_the_birth_date() -> None:
    data = report_data(victims=[{"sex": "perempuan", "birth_date": years_ago(30).isoformat(), "age": 29}])
    event = case_of(data, reported_at=datetime(2000, 1, 1, tzinfo=UTC)).reported_event()
    assert event.victims[0].age_group is AgeGroup.AGE_25_44


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ({}, (AgencyType.DINAS_PPA, AgencyType.UPTD_PPA)),
        ({"agency_types": ["uptd_ppa"]}, (AgencyType.DINAS_PPA, AgencyType.UPTD_PPA)),
        ({"given_by": "korban"}, (AgencyType.DINAS_PPA, AgencyType.UPTD_PPA)),
        ({"given_by": "korban", "agency_types": ["ngo"]}, (AgencyType.DINAS_PPA, AgencyType.NGO, AgencyType.UPTD_PPA)),
    ],
)
def test_consent_always_includes_the_case_managers(consent: dict[str, Any], expected: tuple[AgencyType, ...]) -> None:
    event = case_of(report_data(consent=consent)).reported_event()
    assert event.consent.agency_types == expected
    assert event.consent.given_by.value == consent.get("given_by", "belum_ditanyakan")


def test_updated_and_closed_events() -> None:
    case = case_of(full_report_data())
    update_id = uuid4()
    updated = case.updated_event(update_id=update_id, kind="corrected", changed=("victims",), by="staff-1")
    assert (updated.update_id, updated.kind, updated.changed_fields, updated.updated_by) == (
        update_id, "corrected", ("victims",), "staff-1",
    )
    assert updated.violence_types == case.reported_event().violence_types
    for value in PERSONAL_VALUES.values():
        assert value not in updated.to_json().decode()
    duplicate_of = uuid4()
    closed = case.closed_event(reason="duplicate", duplicate_of=duplicate_of, by="staff-2")
    assert (closed.case_id, closed.case_number, closed.regency_code, closed.reason, closed.duplicate_of,
            closed.closed_by) == (case.case_id, case.case_number, "62.13", "duplicate", duplicate_of, "staff-2")


def test_every_event_of_a_case_carries_its_district_and_village_codes() -> None:
    case = case_of(full_report_data())
    updated = case.updated_event(update_id=uuid4(), kind="corrected", changed=("victims",), by="staff-1")
    closed = case.closed_event(reason="handled", duplicate_of=None, by="staff-2")
    reopened = case.reopened_event(reason="victim_returned", by="staff-3")
    for event in (case.reported_event(), updated, closed, reopened):
        assert (event.district_code, event.village_code) == ("62.13.01", "62.13.01.2003"), event.event_type
    without = case_of(report_data())
    assert (without.reported_event().district_code, without.reported_event().village_code) == (None, None)
    assert (without.closed_event(reason="handled", duplicate_of=None, by="s").village_code) is None
