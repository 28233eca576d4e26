"""The province admin's forms before anything is sent: the agency form (its area down to the desa, its hours, its
contacts) and the rules page (the next version, the sample case, routing's 422 at the form's fields)."""

from __future__ import annotations

from typing import Any

from workspace.domain import rules_form
from workspace.domain.agency_form import agency_body, agency_values, field_of, new_agency_values
from workspace.domain.areas import area_name, pick
from workspace.domain.referrals import FieldError


def puskesmas(**changes: Any) -> dict[str, Any]:
    values = new_agency_values()
    values.update({"agency_id": "puskesmas-awang", "name": "Puskesmas Awang", "agency_type": "health",
                   "regency_code": "62.13", "district_code": "62.13.04", "services": ["kesehatan"],
                   "hours_mon": "07:30-11:30, 13:00-16.30", **changes})
    return values


def test_a_puskesmas_serving_one_kecamatan_becomes_routings_body() -> None:
    body, errors = agency_body(puskesmas(), province_code="62")
    assert errors == []
    assert body["regency_code"] == "62.13"
    assert (body["district_code"], body["village_code"]) == ("62.13.04", None)
    assert body["hours"] == {"mon": ["07:30-11:30", "13:00-16:30"]}  # a dot typed for the colon is read
    assert body["province_code"] == "62"
    assert body["phone"] is None


def test_a_province_agency_sends_no_area_below_the_province() -> None:
    body, errors = agency_body(puskesmas(level="province"), province_code="62")
    assert errors == []
    assert (body["regency_code"], body["district_code"], body["village_code"]) == (None, None, None)


def test_each_mistake_is_named_at_its_field() -> None:
    values = puskesmas(agency_id="Puskesmas Awang", name=" ", agency_type="", regency_code="", hours_tue="7-14",
                       always_open=True)
    _body, errors = agency_body(values, province_code="62")
    assert {(e.field, e.code) for e in errors} == {
        ("agency_id", "agency_id_invalid"), ("name", "agency_name_missing"), ("agency_type", "agency_type_missing"),
        ("regency_code", "agency_regency_missing"), ("hours_tue", "hours_invalid"), ("always_open", "hours_both"),
    }


def test_an_agency_from_the_directory_fills_the_form() -> None:
    values = agency_values({"agency_id": "puskesmas-awang", "name": "Puskesmas Awang", "agency_type": "health",
                            "level": "regency", "regency_code": "62.13", "district_code": "62.13.04",
                            "services": ["kesehatan"], "hours": {"fri": ["07:30-11:00", "13:00-15:00"]},
                            "active": False})
    assert values["hours_fri"] == "07:30-11:00, 13:00-15:00"
    assert values["hours_mon"] == ""
    assert values["active"] is False
    assert agency_body(values, province_code="62")[0]["district_code"] == "62.13.04"


def test_routings_field_names_become_the_forms() -> None:
    assert field_of(["body", "district_code"]) == "district_code"
    assert field_of(["body", "hours", "wed", 0]) == "hours_wed"
    assert field_of(["body", "services", 2]) == "services"
    assert field_of(["body"]) == "form"


def test_the_pickers_drop_a_choice_outside_the_one_above() -> None:
    area = pick("62", "62.13", "62.71.01", "62.71.01.1002")  # a kecamatan of Palangka Raya under Barito Timur
    assert (area.regency_code, area.district_code, area.village_code) == ("62.13", None, None)
    assert any(o.name == "Awang" for o in area.districts)
    assert area.villages == ()
    chosen = pick("62", "62.13", "62.13.01", "62.13.01.2003")
    assert chosen.village_code == "62.13.01.2003"
    assert any(o.name == "Pulau Patai" for o in chosen.villages)
    assert pick("62", "63.71", None, None).regency_code is None  # another province's city
    assert area_name("62.13", "62.13.01", "62.13.01.2003") == "Pulau Patai, Dusun Timur, Kabupaten Barito Timur"


def test_the_rules_are_edited_as_the_next_version() -> None:
    assert rules_form.with_next_version("# header\nversion: 7\nrules: []\n") == "# header\nversion: 8\nrules: []\n"


def test_a_preview_asks_for_a_sample_place_and_says_where_the_rules_break() -> None:
    values = rules_form.form_values({"rules_yaml": "version: 2\n"}, {"needs": ["kesehatan", "not-a-need"]})
    body, errors = rules_form.preview_body(values)
    assert errors == [FieldError("regency_code", "sample_regency_missing")]
    assert body["case"]["needs"] == ["kesehatan"]
    detail = [{"loc": ["body", "rules", "rules", 0, "refer"], "msg": "Minimal 1 item.", "type": "too_short"},
              {"loc": ["body", "case", "district_code"], "msg": "Harus kecamatan di kabupaten/kota ini.",
               "type": "invalid_sample_case"}]
    assert rules_form.preview_errors(detail) == [FieldError("rules_yaml", "rules.0.refer: Minimal 1 item."),
                                                 FieldError("district_code", "Harus kecamatan di kabupaten/kota ini.")]


def test_saving_needs_a_preview_of_the_same_text() -> None:
    assert rules_form.digest("version: 2\r\nrules: []\r\n") == rules_form.digest("version: 2\nrules: []\n")
    assert rules_form.digest("version: 2\nrules: []\n") != rules_form.digest("version: 3\nrules: []\n")
