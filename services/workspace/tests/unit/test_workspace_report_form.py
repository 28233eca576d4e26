"""The operator's report form as plain data: what was typed is kept row by row, "add another" adds a row, a
region chosen under another parent is dropped, the record intake takes is built from it, and intake's error
locations land on the form's fields."""

from __future__ import annotations

from workspace.domain.report_form import ReportForm, field_of, parse_day, record

POSTED = {
    "channel": ["hotline"], "incident_date": ["03/12/2026"], "incident_precision": ["day"],
    "province_code": ["62"], "regency_code": ["62.13"], "district_code": ["62.13.01"],
    "village_code": ["62.13.01.2003"], "place": ["rumah_tangga"], "violence_types": ["fisik", "psikis"],
    "ongoing_danger": ["on"], "narrative": ["Dipukul ayah tiri."], "victims": ["2"],
    "victim-0-name": ["Sari"], "victim-0-sex": ["perempuan"], "victim-0-birth_date": ["04/03/2015"],
    "victim-0-has_disability": ["no"], "victim-1-sex": ["laki_laki"], "victim-1-age": ["9"],
    "perpetrators": ["1"], "perpetrator-0-relationship": ["orang_tua"], "perpetrator-0-age": ["41"],
    "needs": ["kesehatan"], "consent_given_by": ["wali"], "consent_agency_types": ["police_ppa"],
    "reporter_relation": ["tetangga"], "reporter_phone": ["0812 3456 7890"],
}


def test_the_record_intake_takes_is_built_from_every_part_of_the_form() -> None:
    body, errors = record(ReportForm.posted(POSTED))
    assert errors == []
    assert body["incident"] == {"precision": "day", "date": "2026-12-03"}
    assert body["location"] == {"province_code": "62", "regency_code": "62.13", "district_code": "62.13.01",
                                "village_code": "62.13.01.2003", "place": "rumah_tangga"}
    assert body["victims"] == [
        {"name": "Sari", "sex": "perempuan", "birth_date": "2015-03-04", "has_disability": False},
        {"sex": "laki_laki", "age": 9},
    ]
    assert body["perpetrators"] == [{"age": 41, "relationship": "orang_tua"}]
    assert body["consent"] == {"given_by": "wali", "agency_types": ["police_ppa"]}
    assert body["reporter"] == {"anonymous": False, "relation": "tetangga", "phone": "0812 3456 7890"}
    assert (body["channel"], body["ongoing_danger"], body["violence_types"]) == ("hotline", True, ["fisik", "psikis"])
    assert "injuries" not in body


def test_add_another_keeps_what_was_typed_and_adds_a_row() -> None:
    form = ReportForm.posted(POSTED)
    form.add_victim()
    form.add_perpetrator()
    assert [row.get("name", "") for row in form.victims] == ["Sari", "", ""]
    assert len(form.perpetrators) == 2
    assert form.perpetrators[0]["relationship"] == "orang_tua"
    # An empty perpetrator row is not a perpetrator; a draft's report takes the draft's channel.
    body, _ = record(ReportForm.posted({**POSTED, "draft_id": ["x"], "perpetrators": ["2"]}))
    assert len(body["perpetrators"]) == 1
    assert "channel" not in body


def test_a_region_under_another_parent_is_dropped() -> None:
    form = ReportForm.posted({**POSTED, "regency_code": ["62.71"]})
    form.keep_regions_nested()
    assert (form.values["regency_code"], form.values["district_code"], form.values["village_code"]) == (
        "62.71", "", "")
    form = ReportForm.posted({**POSTED, "province_code": ["63"]})
    form.keep_regions_nested()
    assert (form.values["province_code"], form.values["regency_code"]) == ("63", "")


def test_what_cannot_be_read_is_said_at_its_field() -> None:
    _, errors = record(ReportForm.posted({**POSTED, "incident_date": ["31/02/2026"], "victim-1-age": ["sembilan"]}))
    assert [(e.field, e.code) for e in errors] == [("incident_date", "date_invalid"), ("victim-1-age", "age_invalid")]
    assert parse_day("2026-12-03") is None
    assert parse_day(" 1/2/2026 ") is not None


def test_intake_error_locations_land_on_the_form_fields() -> None:
    assert field_of(["body", "victims", 1, "age"]) == "victim-1-age"
    assert field_of(["body", "victims"]) == "victim-0-sex"
    assert field_of(["body", "location", "village_code"]) == "village_code"
    assert field_of(["body", "incident", "date"]) == "incident_date"
    assert field_of(["body", "reporter", "phone"]) == "reporter_phone"
    assert field_of(["body", "reporter"]) == "reporter_relation"
    assert field_of(["body", "consent", "agency_types"]) == "consent_agency_types"
    assert field_of(["body", "violence_types"]) == "violence_types"
    assert field_of(["query", "link_to"]) == "link_to"
    assert field_of(["body"]) == "narrative"
