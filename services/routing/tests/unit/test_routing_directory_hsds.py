"""The directory after Open Referral HSDS: services from the intake needs list, opening hours read in the agency's
own time zone, and the directory file (YAML) that exports and imports it."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from routing.directory_data import UnsafeYamlError, demo_directory, dump_directory_yaml, load_directory_yaml
from routing.domain.agencies import (
    ALWAYS_OPEN,
    PROVINCE_TIME_ZONES,
    Agency,
    AgencyLevel,
    InvalidAgencyError,
    OpeningHours,
    TimeRange,
    TimeZone,
    Weekday,
)
from routing.entrypoints.api import AgencyIn, Hours
from shared.contracts.vocabulary import AgencyType, Need

OFFICE_HOURS = {"mon": ["07:30-16:00"], "tue": ["07:30-16:00"], "wed": ["07:30-16:00"], "thu": ["07:30-16:00"],
                "fri": ["07:30-11:30", "13:00-16:30"]}
MIGRATION = Path(__file__).parents[2] / "src/routing/migrations/versions/0003_directory_hsds.py"


def make(**overrides: Any) -> Agency:
    fields: dict[str, Any] = {
        "agency_id": "uptd-ppa-62.13", "name": "UPTD PPA Kabupaten Barito Timur", "agency_type": AgencyType.UPTD_PPA,
        "level": AgencyLevel.REGENCY, "province_code": "62", "regency_code": "62.13",
    }
    return Agency(**{**fields, **overrides})


def in_province(province: str, hours: OpeningHours) -> Agency:
    return make(agency_id=f"uptd-ppa-{province}", level=AgencyLevel.PROVINCE, province_code=province,
                regency_code=None, hours=hours)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- services ---------------------------------------------------------------------------------------------------


def test_services_are_needs_of_the_intake_needs_list() -> None:
    agency = make(services=("pengaduan", Need.MEDIASI))
    assert agency.services == (Need.PENGADUAN, Need.MEDIASI)
    assert agency.provides(Need.MEDIASI)
    assert not agency.provides(Need.KESEHATAN)


@pytest.mark.parametrize(
    ("services", "field"),
    [(("pengaduan", "rujukan"), "services.1"), (("mediasi", "pengaduan", "mediasi"), "services.2")],
    ids=["not-a-need", "twice"],
)
def test_a_service_that_is_no_need_or_listed_twice_is_named(services: tuple[str, ...], field: str) -> None:
    with pytest.raises(InvalidAgencyError) as raised:
        make(services=services)
    assert raised.value.field == field
    assert "rujukan" not in raised.value.reason  # what was sent is never repeated


def test_the_api_model_names_the_bad_service_by_its_index() -> None:
    entry = {"agency_id": "x-62", "name": "X", "agency_type": "ngo", "level": "province", "province_code": "62",
             "services": ["pengaduan", "pendampingan"]}
    with pytest.raises(ValidationError) as raised:
        AgencyIn.model_validate(entry)
    assert [error["loc"] for error in raised.value.errors()] == [("services", 1)]


# --- time zones ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "zone"),
    [("62", TimeZone.WIB), ("31", TimeZone.WIB), ("63", TimeZone.WITA), ("51", TimeZone.WITA), ("91", TimeZone.WIT),
     ("96", TimeZone.WIT)],
)
def test_the_time_zone_comes_from_the_province(province: str, zone: TimeZone) -> None:
    agency = in_province(province, OpeningHours.weekly(OFFICE_HOURS))
    assert agency.time_zone is zone
    assert agency.time_zone_from_province


def test_every_province_has_a_time_zone() -> None:
    assert len(PROVINCE_TIME_ZONES) == 38


def test_a_time_zone_is_needed_with_weekly_hours_where_no_province_gives_one() -> None:
    national = {"agency_id": "hotline", "level": AgencyLevel.NATIONAL, "province_code": None, "regency_code": None,
                "agency_type": AgencyType.NATIONAL_HOTLINE}
    with pytest.raises(InvalidAgencyError) as raised:
        make(**national, hours=OpeningHours.weekly(OFFICE_HOURS))
    assert raised.value.field == "time_zone"
    assert make(**national, hours=OpeningHours.weekly(OFFICE_HOURS), time_zone=TimeZone.WIB).time_zone is TimeZone.WIB
    # Around the clock, or hours not known: no time zone needed.
    assert make(**national, hours=ALWAYS_OPEN).time_zone is None
    assert make(**national).time_zone is None
    with pytest.raises(InvalidAgencyError) as unknown_province:
        make(agency_id="x-99.01", province_code="99", regency_code="99.01", hours=OpeningHours.weekly(OFFICE_HOURS))
    assert unknown_province.value.field == "time_zone"


def test_a_time_zone_other_than_the_provinces_is_kept() -> None:
    agency = make(time_zone="Asia/Makassar")
    assert agency.time_zone is TimeZone.WITA
    assert not agency.time_zone_from_province
    with pytest.raises(InvalidAgencyError) as raised:
        make(time_zone="Asia/Singapore")
    assert raised.value.field == "time_zone"


# --- opening hours ------------------------------------------------------------------------------------------


def test_office_hours_in_western_indonesia() -> None:
    agency = make(hours=OpeningHours.weekly(OFFICE_HOURS))  # Barito Timur: WIB, UTC+7
    # Monday 23 November 2026, local times.
    assert not agency.is_open(utc("2026-11-23T00:29:59"))  # 07:29:59
    assert agency.is_open(utc("2026-11-23T00:30:00"))  # 07:30
    assert agency.is_open(utc("2026-11-23T08:59:59"))  # 15:59:59
    assert not agency.is_open(utc("2026-11-23T09:00:00"))  # 16:00: closed
    # Friday: closed over Friday prayers.
    assert agency.is_open(utc("2026-11-27T04:29:00"))  # 11:29
    assert not agency.is_open(utc("2026-11-27T05:00:00"))  # 12:00
    assert agency.is_open(utc("2026-11-27T06:00:00"))  # 13:00
    # The weekend.
    assert not agency.is_open(utc("2026-11-28T03:00:00"))
    assert not agency.is_open(utc("2026-11-29T03:00:00"))


def test_the_same_instant_is_read_in_each_agencys_own_time_zone() -> None:
    hours = OpeningHours.weekly(OFFICE_HOURS)
    wib, wita, wit = in_province("62", hours), in_province("63", hours), in_province("91", hours)
    # Monday 00:00 UTC: 07:00 in WIB (not open yet), 08:00 in WITA, 09:00 in WIT.
    monday = utc("2026-11-23T00:00:00")
    assert [wib.is_open(monday), wita.is_open(monday), wit.is_open(monday)] == [False, True, True]
    # Monday 08:45 UTC: 15:45 WIB, 16:45 WITA and 17:45 WIT (closed).
    afternoon = utc("2026-11-23T08:45:00")
    assert [wib.is_open(afternoon), wita.is_open(afternoon), wit.is_open(afternoon)] == [True, False, False]


def test_the_weekday_is_the_local_one() -> None:
    hours = OpeningHours.weekly({"mon": ["07:00-16:00"]})
    wib, wita, wit = in_province("62", hours), in_province("64", hours), in_province("94", hours)
    # Sunday 23:00 UTC is already Monday in Indonesia: 06:00 WIB, 07:00 WITA, 08:00 WIT.
    sunday_in_utc = utc("2026-11-22T23:00:00")
    assert [wib.is_open(sunday_in_utc), wita.is_open(sunday_in_utc), wit.is_open(sunday_in_utc)] == [
        False, True, True]


def test_any_timezone_aware_instant_will_do_and_a_naive_one_is_refused() -> None:
    agency = make(hours=OpeningHours.weekly(OFFICE_HOURS))
    jakarta_morning = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    assert agency.is_open(jakarta_morning)
    with pytest.raises(ValueError, match="timezone-aware"):
        agency.is_open(datetime(2026, 11, 23, 8, 0))  # noqa: DTZ001 - the point of the test


def test_a_night_shift_runs_across_midnight_as_two_ranges() -> None:
    agency = make(hours=OpeningHours.weekly({"mon": ["22:00-24:00"], "tue": ["00:00-06:00"]}))
    assert agency.is_open(utc("2026-11-23T16:59:59"))  # Monday 23:59:59 WIB
    assert agency.is_open(utc("2026-11-23T17:00:00"))  # Tuesday 00:00
    assert not agency.is_open(utc("2026-11-23T23:00:00"))  # Tuesday 06:00


def test_always_open_and_not_known() -> None:
    police = make(agency_type=AgencyType.POLICE_PPA, hours=ALWAYS_OPEN)
    not_known = make()
    for instant in ("2026-11-22T19:00:00", "2026-11-25T03:00:00", "2026-11-28T12:34:56"):
        assert police.is_open(utc(instant))
        assert not not_known.is_open(utc(instant))
    assert not not_known.hours.known


def test_inactive_is_not_about_hours() -> None:
    assert make(hours=ALWAYS_OPEN, active=False).is_open(utc("2026-11-23T03:00:00"))


@pytest.mark.parametrize(
    ("schedule", "always_open", "field"),
    [
        ({"mon": ["16:00-07:30"]}, False, "hours.mon.0"),
        ({"tue": ["08:00-12:00", "24:00-24:00"]}, False, "hours.tue.1"),
        ({"wed": ["08:00-12:00", "11:00-16:00"]}, False, "hours.wed"),
        ({"thu": ["7:30-16:00"]}, False, "hours.thu.0"),
        ({"fri": ["08:00-12:00"]}, True, "hours"),
        ({"someday": ["08:00-12:00"]}, False, "hours"),
    ],
    ids=["closes-before-opening", "empty-range", "overlap", "not-hh-mm", "always-open-and-weekly", "unknown-day"],
)
def test_hours_that_make_no_sense_are_named(schedule: dict[str, list[str]], always_open: bool, field: str) -> None:
    with pytest.raises(InvalidAgencyError) as raised:
        OpeningHours.from_document({**schedule, **({"always_open": True} if always_open else {})})
    assert raised.value.field == field


def test_ranges_are_kept_in_order_and_touching_ones_are_fine() -> None:
    hours = OpeningHours.weekly({Weekday.FRI: ["13:00-16:30", "07:30-13:00"]})
    assert hours.on(Weekday.FRI) == (TimeRange.parse("07:30-13:00"), TimeRange.parse("13:00-16:30"))
    assert hours.to_document() == {"fri": ["07:30-13:00", "13:00-16:30"]}
    for document in ({}, {"always_open": True}, OFFICE_HOURS):
        assert OpeningHours.from_document(document).to_document() == document


@pytest.mark.parametrize("text", ["7:30-16:00", "07:30-24:01", "24:00-24:00", "07:60-08:00", "07:30 - 16:00"])
def test_the_api_model_takes_hh_mm_ranges_only(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Hours.model_validate({"mon": ["07:00-08:00", text]})
    assert [error["loc"] for error in raised.value.errors()] == [("mon", 1)]


# --- the directory file -------------------------------------------------------------------------------------


def test_the_demo_directory_survives_an_export_and_an_import() -> None:
    entries = demo_directory()
    exported = [AgencyIn.of(AgencyIn.model_validate(entry).to_domain()).file_entry() for entry in entries]
    # What the demo file spells out and the export leaves out: only an empty services list.
    assert exported == [{k: v for k, v in entry.items() if v != []} for entry in entries]
    text = dump_directory_yaml(exported)
    assert load_directory_yaml(text) == {"agencies": exported}
    assert "services: [pengaduan, bantuan_hukum, rehabilitasi_sosial, penampungan_sementara, mediasi]" in text
    assert "province_code: '62'" in text


def test_demo_hours_and_time_zones() -> None:
    agencies = {a.agency_id: a for a in (AgencyIn.model_validate(e).to_domain() for e in demo_directory())}
    assert all(a.hours.always_open for a in agencies.values() if a.agency_type is AgencyType.POLICE_PPA)
    assert agencies["sapa-129"].hours.always_open
    assert agencies["uptd-ppa-63.71"].time_zone is TimeZone.WITA
    assert agencies["uptd-ppa-62.13"].time_zone is TimeZone.WIB
    # Monday 01:00 UTC: 08:00 in Barito Timur, 09:00 in Banjarmasin; 09:30 UTC: 16:30 and 17:30.
    assert agencies["uptd-ppa-62.13"].is_open(utc("2026-11-23T01:00:00"))
    assert agencies["uptd-ppa-63.71"].is_open(utc("2026-11-23T01:00:00"))
    assert not agencies["uptd-ppa-62.13"].is_open(utc("2026-11-23T09:30:00"))
    assert agencies["police-ppa-63.71"].is_open(utc("2026-11-23T09:30:00"))
    assert not agencies["patbm-62.13-dusun-timur"].hours.known


@pytest.mark.parametrize(
    "text",
    ["agencies: &a [1]\nmore: *a\n", "agencies: !!python/object/apply:os.system ['true']\n", "[" * 5000],
    ids=["alias", "python-tag", "deep"],
)
def test_unsafe_yaml_is_refused(text: str) -> None:
    with pytest.raises((UnsafeYamlError, yaml.YAMLError, RecursionError)):
        load_directory_yaml(text)


# --- the migration ------------------------------------------------------------------------------------------


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("routing_migration_0003", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_maps_services_to_needs_and_provinces_to_zones_as_the_domain_does() -> None:
    migration = _migration()
    assert set(migration.NEEDS) == {need.value for need in Need}
    assert set(migration.FORMER_SERVICE_NAMES.values()) <= set(migration.NEEDS)
    zones = {code: zone for zone, codes in migration.TIME_ZONES.items() for code in codes}
    assert zones == {code: zone.value for code, zone in PROVINCE_TIME_ZONES.items()}
    # Every name the demo directory used before is either mapped or meant to be dropped.
    dropped = {"rujukan", "pengelolaan_kasus", "koordinasi", "pencegahan", "dukungan_keamanan", "koordinasi_wilayah"}
    assert not dropped & set(migration.FORMER_SERVICE_NAMES)
