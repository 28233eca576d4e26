"""The reporter's one-time code (made, hashed slowly, checked) and the stage the status page shows; the public
form's words in both languages and its fields turned into a report, each error at its own field."""

from __future__ import annotations

import re

from intake.domain.reporter_access import (
    ReportStage,
    code_matches,
    hash_code,
    new_code,
    stage_of,
    unknown_number_hash,
)
from intake.entrypoints.public_texts import EN, ID
from intake.entrypoints.report_form import LABEL_OF_FIELD, TypedForm, checked_report, region_choices
from shared.regions import load_regions
from shared.validation_messages import Language


def test_a_code_is_three_groups_of_unambiguous_characters_and_each_is_new() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code), code


def test_only_a_salted_hash_is_kept_and_it_matches_the_code_as_a_person_may_type_it() -> None:
    code = new_code()
    stored = hash_code(code)
    assert stored.startswith("scrypt$16384$8$1$")
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert hash_code(code) != stored  # a fresh salt each time
    assert code_matches(code, stored)
    assert code_matches(f"  {code.lower().replace('-', ' ')} ", stored)
    assert not code_matches(new_code(), stored)
    assert not code_matches(code, unknown_number_hash())


def test_the_stage_follows_the_case_and_its_referrals() -> None:
    assert stage_of("open", []) is ReportStage.RECEIVED
    assert stage_of("open", ["referral.created"]) is ReportStage.REFERRED
    assert stage_of("open", [None]) is ReportStage.REFERRED  # a referral recorded before stages were kept
    assert stage_of("open", ["referral.created", "referral.accepted"]) is ReportStage.IN_HANDLING
    assert stage_of("open", ["referral.service_started"]) is ReportStage.IN_HANDLING
    # A declined referral counts for nothing: the case waits for the next one.
    assert stage_of("open", ["referral.declined"]) is ReportStage.RECEIVED
    assert stage_of("open", ["referral.declined", "referral.created"]) is ReportStage.REFERRED
    assert stage_of("closed", ["referral.accepted"]) is ReportStage.CLOSED


def test_the_public_pages_have_every_word_in_both_languages() -> None:
    assert set(ID) == set(EN)
    assert set(LABEL_OF_FIELD.values()) <= set(ID)


def form(**fields: str | list[str]) -> TypedForm:
    typed = TypedForm()
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        typed.lists[name] = values
        if values:
            typed.values[name] = values[0]
    return typed


COMPLETE: dict[str, str | list[str]] = {
    "tanggal_tidak_tahu": "on", "provinsi": "62", "kabupaten": "62.13", "kecamatan": "62.13.01",
    "desa": "62.13.01.2003", "tempat": "sekolah", "jenis": ["fisik", "psikis"], "korban_jk": "perempuan",
    "korban_usia": "12", "cerita": "Cerita.", "hubungan": "guru_sekolah", "anonim": "on",
}


def test_a_complete_form_is_a_report_down_to_the_desa() -> None:
    report = checked_report(form(**COMPLETE), Language.ID)
    assert not isinstance(report, list), report
    assert report.location.village_code == "62.13.01.2003"
    assert report.incident.precision == "unknown"
    assert [v.value for v in report.violence_types] == ["fisik", "psikis"]
    assert report.victims[0].age == 12
    assert report.reporter.anonymous


def test_an_empty_place_is_blamed_on_the_place_not_the_address_in_the_page_language() -> None:
    errors = checked_report(form(**{**COMPLETE, "tempat": "", "alamat": "Jl. Melati"}), Language.ID)
    assert isinstance(errors, list)
    assert [(e.field, e.label, e.message) for e in errors] == [("tempat", "Tempat kejadian", "Wajib diisi.")]
    english = checked_report(form(**{**COMPLETE, "tempat": ""}), Language.EN)
    assert isinstance(english, list)
    assert english[0].label == "Place of the incident"


def test_a_desa_outside_the_kecamatan_is_blamed_on_the_desa() -> None:
    errors = checked_report(form(**{**COMPLETE, "desa": "62.13.02.2001"}), Language.ID)
    assert isinstance(errors, list)
    assert [e.field for e in errors] == ["desa"]


def test_each_region_level_is_offered_under_the_one_chosen_above() -> None:
    regions = load_regions()
    nothing = region_choices(form())
    assert len(nothing.provinces) == len(regions.provinces())
    assert (nothing.regencies, nothing.districts, nothing.villages) == ([], [], [])
    chosen = region_choices(form(provinsi="62", kabupaten="62.13", kecamatan="62.13.01"))
    assert [c.code for c in chosen.regencies] == [r.code for r in regions.regencies_of("62")]
    assert [c.code for c in chosen.districts] == list(regions.districts_of("62.13"))
    assert [c.code for c in chosen.villages] == list(regions.villages_of("62.13.01"))
    assert ("62.13.01.2003", "Pulau Patai") in [(c.code, c.name) for c in chosen.villages]
    # A regency of another province offers nothing below it.
    stale = region_choices(form(provinsi="31", kabupaten="62.13", kecamatan="62.13.01"))
    assert (stale.districts, stale.villages) == ([], [])
