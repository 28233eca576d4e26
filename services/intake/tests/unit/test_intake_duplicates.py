"""Duplicate fingerprints: keyed, normalised, and a place only within a few days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from intake.domain.duplicates import (
    PLACE_WINDOW,
    Fingerprint,
    fingerprints,
    normalise_name,
    normalise_phone,
    within_window,
)
from intake.domain.record import Report
from shared.contracts.vocabulary import LinkReason

KEY = b"test-linking-key"
OTHER_KEY = b"another-linking-key"
REPORTED_ON = date(2026, 6, 20)
VILLAGE = {"district_code": "62.13.01", "village_code": "62.13.01.2003"}


def report(
    *, victims: list[dict[str, Any]] | None = None, reporter: dict[str, Any] | None = None,
    location: dict[str, Any] | None = None, incident: dict[str, Any] | None = None,
) -> Report:
    return Report.model_validate({
        "incident": incident or {"date": "2026-06-10"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga", **(location or {})},
        "violence_types": ["fisik"],
        "victims": victims or [{"sex": "perempuan", "age": 12}],
        "reporter": reporter or {"relation": "tetangga", "anonymous": True},
        "narrative": "Kejadian.",
    })


def prints(r: Report, key: bytes = KEY, reported_on: date = REPORTED_ON) -> dict[LinkReason, list[Fingerprint]]:
    found: dict[LinkReason, list[Fingerprint]] = {}
    for fingerprint in fingerprints(r, key, reported_on=reported_on):
        found.setdefault(fingerprint.reason, []).append(fingerprint)
    return found


def victim_digest(name: str, *, birth_date: str | None = "2014-02-03", sex: str = "perempuan",
                  regency: str = "62.13", key: bytes = KEY) -> str:
    victim: dict[str, Any] = {"sex": sex, "name": name}
    if birth_date:
        victim["birth_date"] = birth_date
    province = regency[:2]
    [fingerprint] = prints(report(victims=[victim], location={"province_code": province, "regency_code": regency}),
                           key)[LinkReason.SAME_VICTIM]
    return fingerprint.digest


def test_a_report_without_names_contact_or_precise_place_leaves_no_fingerprint() -> None:
    assert fingerprints(report(), KEY, reported_on=REPORTED_ON) == []


@pytest.mark.parametrize(
    "spelling", ["Siti Aminah", "siti aminah", "SITI AMINAH", "  Siti   Aminah ", "Sití Amínah", "Siti-Aminah",
                 "Siti\tAminah", "Siti Aminah.",
                 "\uff33\uff29\uff34\uff29 \uff21\uff2d\uff29\uff2e\uff21\uff28"]  # fullwidth
)
def test_the_same_victim_however_spelled_gives_the_same_fingerprint(spelling: str) -> None:
    assert victim_digest(spelling) == victim_digest("Siti Aminah")


def test_the_name_is_normalised() -> None:
    assert normalise_name("  Sití   AMÍNAH-binti Ahmad ") == "siti aminah binti ahmad"
    assert normalise_name("Nur'aini") == "nur aini"


@pytest.mark.parametrize(
    ("other", "kwargs"),
    [
        ("Siti Aminah", {"birth_date": "2014-02-04"}),
        ("Siti Amina", {}),
        ("Aminah Siti", {}),
        ("Siti Aminah", {"key": OTHER_KEY}),
    ],
)
def test_a_different_victim_or_key_gives_a_different_fingerprint(other: str, kwargs: dict[str, Any]) -> None:
    assert victim_digest(other, **kwargs) != victim_digest("Siti Aminah")


def test_without_a_birth_date_the_name_sex_and_regency_identify() -> None:
    base = victim_digest("Siti Aminah", birth_date=None)
    assert victim_digest(" SITI aminah", birth_date=None) == base
    assert victim_digest("Siti Aminah", birth_date=None, sex="laki_laki") != base
    assert victim_digest("Siti Aminah", birth_date=None, regency="62.03") != base
    assert victim_digest("Siti Aminah") != base  # with a birth date it is another fingerprint


def test_with_a_birth_date_the_regency_does_not_matter() -> None:
    assert victim_digest("Siti Aminah", regency="62.03") == victim_digest("Siti Aminah", regency="31.71")


def test_a_fingerprint_is_a_keyed_hash_that_reveals_nothing() -> None:
    digest = victim_digest("Siti Aminah")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert "siti" not in digest.lower()


def test_each_named_victim_leaves_a_fingerprint() -> None:
    r = report(victims=[{"sex": "perempuan", "name": "Siti"}, {"sex": "laki_laki"},
                        {"sex": "laki_laki", "name": "Budi"}])
    assert len(prints(r)[LinkReason.SAME_VICTIM]) == 2


@pytest.mark.parametrize(
    "phone", ["0812-3456-789", "+62 812 3456 789", "62812 3456 789", "628123456789", "0812 3456 789",
              "0812.3456.789", "+62 (812) 3456-789"]
)
def test_phone_numbers_are_normalised(phone: str) -> None:
    assert normalise_phone(phone) == "628123456789"


def contact_digests(**reporter: str) -> list[str]:
    r = report(reporter={"relation": "keluarga", **reporter})
    return [f.digest for f in prints(r).get(LinkReason.SAME_CONTACT, [])]


def test_the_same_phone_in_any_format_gives_the_same_fingerprint() -> None:
    digests = {contact_digests(phone=phone)[0] for phone in ("0812-3456-789", "+62 812 3456 789", "62812 3456 789")}
    assert len(digests) == 1
    assert contact_digests(phone="0812-3456-788") != contact_digests(phone="0812-3456-789")


def test_email_is_case_insensitive() -> None:
    assert contact_digests(email="Ibu.Rina@Example.ORG") == contact_digests(email="ibu.rina@example.org")
    assert contact_digests(email="ibu.rini@example.org") != contact_digests(email="ibu.rina@example.org")


def test_phone_and_email_are_two_fingerprints_of_different_kinds() -> None:
    both = contact_digests(phone="0812-3456-789", email="rina@example.org")
    assert both == contact_digests(phone="0812-3456-789") + contact_digests(email="rina@example.org")
    assert len(set(both)) == 2


def test_an_anonymous_reporter_leaves_no_contact_fingerprint() -> None:
    assert LinkReason.SAME_CONTACT not in prints(report())


def place(r: Report, reported_on: date = REPORTED_ON) -> Fingerprint | None:
    found = prints(r, reported_on=reported_on).get(LinkReason.SAME_PLACE_AND_TIME, [])
    assert len(found) <= 1
    return found[0] if found else None


def test_a_regency_or_district_alone_is_not_a_place() -> None:
    assert place(report()) is None
    assert place(report(location={"district_code": "62.13.01"})) is None


def test_a_village_and_kind_of_place_is_a_place() -> None:
    at_home = place(report(location=VILLAGE))
    assert at_home is not None
    assert place(report(location=VILLAGE)) == at_home
    assert place(report(location={**VILLAGE, "place": "sekolah"})).digest != at_home.digest  # type: ignore[union-attr]
    other_village = {"district_code": "62.13.01", "village_code": "62.13.01.2004"}
    assert place(report(location=other_village)).digest != at_home.digest  # type: ignore[union-attr]


def test_an_address_is_a_place_however_spelled() -> None:
    first = place(report(location={"address": "Jl. Merdeka No. 5, RT 02"}))
    second = place(report(location={"address": "  jl merdeka no 5 rt 02 ", "place": "sekolah"}))
    assert first is not None
    assert second is not None
    assert first.digest == second.digest  # the address wins over the kind of place
    elsewhere = place(report(location={"province_code": "62", "regency_code": "62.03",
                                       "address": "Jl. Merdeka No. 5, RT 02"}))
    assert elsewhere.digest != first.digest  # type: ignore[union-attr]
    with_village = place(report(location={**VILLAGE, "address": "Jl. Merdeka No. 5, RT 02"}))
    assert with_village.digest == first.digest  # type: ignore[union-attr]
    assert place(report(location=VILLAGE)).digest != first.digest  # type: ignore[union-attr]


def test_the_place_day_is_the_incident_day_when_known_to_the_day() -> None:
    assert place(report(location=VILLAGE, incident={"date": "2026-06-10"})).day == date(2026, 6, 10)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "incident", [{"date": "2026-06-10", "precision": "month"}, {"date": "2026-01-01", "precision": "year"},
                 {"precision": "unknown"}]
)
def test_otherwise_the_place_day_is_the_report_date(incident: dict[str, Any]) -> None:
    found = place(report(location=VILLAGE, incident=incident), reported_on=date(2026, 6, 22))
    assert found is not None
    assert found.day == date(2026, 6, 22)


def test_victim_and_contact_fingerprints_have_no_day() -> None:
    r = report(victims=[{"sex": "perempuan", "name": "Siti"}], reporter={"relation": "teman", "phone": "0812345678"})
    found = prints(r)
    assert found[LinkReason.SAME_VICTIM][0].day is None
    assert found[LinkReason.SAME_CONTACT][0].day is None


def test_the_same_place_gives_the_same_digest_on_any_day() -> None:
    """The day is kept beside the digest, not in it, so that a window can be searched."""
    first = place(report(location=VILLAGE, incident={"date": "2026-06-10"}))
    later = place(report(location=VILLAGE, incident={"date": "2026-06-12"}))
    assert first.digest == later.digest  # type: ignore[union-attr]
    assert first.day != later.day  # type: ignore[union-attr]


def test_every_kind_at_once() -> None:
    r = report(
        victims=[{"sex": "perempuan", "name": "Siti", "birth_date": "2014-02-03"}],
        reporter={"relation": "keluarga", "phone": "0812345678", "email": "rina@example.org"},
        location={**VILLAGE, "address": "Jl. Merdeka 5"},
    )
    assert [f.reason for f in fingerprints(r, KEY, reported_on=REPORTED_ON)] == [
        LinkReason.SAME_VICTIM, LinkReason.SAME_CONTACT, LinkReason.SAME_CONTACT, LinkReason.SAME_PLACE_AND_TIME,
    ]
    other = {f.digest for f in fingerprints(r, OTHER_KEY, reported_on=REPORTED_ON)}
    assert other.isdisjoint(f.digest for f in fingerprints(r, KEY, reported_on=REPORTED_ON))


@pytest.mark.parametrize(
    ("days", "inside"), [(0, True), (1, True), (3, True), (4, False), (10, False)]
)
def test_within_window(days: int, inside: bool) -> None:
    day = date(2026, 6, 10)
    assert within_window(day, day + timedelta(days=days)) is inside
    assert within_window(day + timedelta(days=days), day) is inside


def test_within_window_needs_both_days() -> None:
    assert not within_window(None, date(2026, 6, 10))
    assert not within_window(date(2026, 6, 10), None)
    assert not within_window(None, None)


def test_the_window_is_three_days() -> None:
    assert timedelta(days=3) == PLACE_WINDOW
