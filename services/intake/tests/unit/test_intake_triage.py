"""Triage: every rule, their combinations, and the order and completeness of the reasons."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from intake.domain.record import Report
from intake.domain.triage import Triage, triage
from shared.contracts.vocabulary import Priority, TriageReason

ON = date(2026, 6, 15)

ADULT = {"sex": "perempuan", "age": 30}
CHILD = {"sex": "perempuan", "age": 9}
UNKNOWN_AGE = {"sex": "perempuan"}
CHILD_PERPETRATOR = {"relationship": "pacar_teman", "age": 16}


def report(
    *, victims: list[dict[str, Any]] | None = None, violence: tuple[str, ...] = ("psikis",), **flags: Any
) -> Report:
    return Report.model_validate({
        "incident": {"date": "2026-06-01"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": list(violence),
        "victims": victims or [ADULT],
        "reporter": {"relation": "tetangga", "anonymous": True},
        "narrative": "Kejadian.",
        **flags,
    })


def assess(**kwargs: Any) -> tuple[Priority, list[str]]:
    result = triage(report(**kwargs), ON)
    return result.priority, [reason.value for reason in result.reasons]


def test_nothing_urgent_is_p3() -> None:
    assert triage(report(), ON) == Triage(Priority.P3, (TriageReason.NO_URGENT_FACTOR,))


@pytest.mark.parametrize("violence", [("fisik",), ("psikis",), ("eksploitasi",), ("penelantaran",), ("lainnya",),
                                      ("fisik", "psikis", "penelantaran")])
def test_other_violence_against_an_adult_is_p3(violence: tuple[str, ...]) -> None:
    assert assess(violence=violence) == (Priority.P3, ["no_urgent_factor"])


def test_an_unknown_age_is_not_a_child() -> None:
    assert assess(victims=[UNKNOWN_AGE]) == (Priority.P3, ["no_urgent_factor"])
    assert assess(victims=[UNKNOWN_AGE], violence=("seksual",)) == (Priority.P2, ["sexual_violence"])


def test_ongoing_danger_is_p1() -> None:
    assert assess(ongoing_danger=True) == (Priority.P1, ["ongoing_danger"])


def test_trafficking_is_p1() -> None:
    assert assess(violence=("perdagangan_orang",)) == (Priority.P1, ["trafficking"])
    assert assess(violence=("eksploitasi", "perdagangan_orang")) == (Priority.P1, ["trafficking"])


def test_sexual_violence_against_a_child_is_p1() -> None:
    assert assess(victims=[CHILD], violence=("seksual",)) == (
        Priority.P1, ["child_sexual_violence", "child_victim"],
    )


def test_an_injured_child_is_p1() -> None:
    assert assess(victims=[CHILD], injuries=True) == (Priority.P1, ["injuries", "child_victim"])


def test_a_child_victim_alone_is_p2() -> None:
    assert assess(victims=[CHILD]) == (Priority.P2, ["child_victim"])


def test_sexual_violence_against_an_adult_is_p2() -> None:
    assert assess(violence=("seksual",)) == (Priority.P2, ["sexual_violence"])


def test_injuries_of_an_adult_are_p2() -> None:
    assert assess(injuries=True) == (Priority.P2, ["injuries"])


def test_a_child_in_conflict_with_the_law_is_p2() -> None:
    assert assess(child_in_conflict_with_law=True, perpetrators=[CHILD_PERPETRATOR]) == (
        Priority.P2, ["child_in_conflict_with_law"],
    )


@pytest.mark.parametrize(("age", "child"), [(0, True), (5, True), (12, True), (17, True), (18, False), (60, False)])
def test_children_are_under_18(age: int, child: bool) -> None:
    priority, reasons = assess(victims=[{"sex": "laki_laki", "age": age}])
    assert (priority, reasons) == ((Priority.P2, ["child_victim"]) if child else (Priority.P3, ["no_urgent_factor"]))


def test_age_is_taken_on_the_report_date() -> None:
    victim = {"sex": "perempuan", "birth_date": "2008-06-16"}
    assert triage(report(victims=[victim], violence=("seksual",)), date(2026, 6, 15)).priority is Priority.P1
    assert triage(report(victims=[victim], violence=("seksual",)), date(2026, 6, 16)).priority is Priority.P2


def test_any_child_among_several_victims_counts() -> None:
    assert assess(victims=[ADULT, CHILD], violence=("seksual",)) == (
        Priority.P1, ["child_sexual_violence", "child_victim"],
    )
    assert assess(victims=[ADULT, UNKNOWN_AGE], injuries=True) == (Priority.P2, ["injuries"])
    assert assess(victims=[ADULT, CHILD], injuries=True) == (Priority.P1, ["injuries", "child_victim"])


def test_every_factor_at_once_names_every_reason_in_order() -> None:
    result = triage(
        report(
            victims=[CHILD, ADULT], violence=("seksual", "perdagangan_orang", "fisik"), ongoing_danger=True,
            injuries=True, child_in_conflict_with_law=True, perpetrators=[CHILD_PERPETRATOR],
        ),
        ON,
    )
    assert result == Triage(Priority.P1, (
        TriageReason.ONGOING_DANGER, TriageReason.TRAFFICKING, TriageReason.CHILD_SEXUAL_VIOLENCE,
        TriageReason.INJURIES, TriageReason.CHILD_VICTIM, TriageReason.CHILD_IN_CONFLICT_WITH_LAW,
    ))


def test_adult_factors_together_stay_p2_with_every_reason_in_order() -> None:
    assert assess(
        violence=("seksual",), injuries=True, child_in_conflict_with_law=True, perpetrators=[CHILD_PERPETRATOR]
    ) == (Priority.P2, ["injuries", "sexual_violence", "child_in_conflict_with_law"])


def expected(*, danger: bool, trafficking: bool, sexual: bool, injuries: bool, child: bool, abh: bool
             ) -> tuple[Priority, list[str]]:
    """The rules of the module's docstring, written out independently."""
    reasons = []
    if danger:
        reasons.append("ongoing_danger")
    if trafficking:
        reasons.append("trafficking")
    if sexual and child:
        reasons.append("child_sexual_violence")
    if injuries:
        reasons.append("injuries")
    if child:
        reasons.append("child_victim")
    if sexual and not child:
        reasons.append("sexual_violence")
    if abh:
        reasons.append("child_in_conflict_with_law")
    if not reasons:
        return Priority.P3, ["no_urgent_factor"]
    if danger or trafficking or (sexual and child) or (injuries and child):
        return Priority.P1, reasons
    return Priority.P2, reasons


FACTORS = ("danger", "trafficking", "sexual", "injuries", "child", "abh")


@pytest.mark.parametrize("combination", list(itertools.product((False, True), repeat=len(FACTORS))),
                         ids=lambda c: "-".join(f for f, on in zip(FACTORS, c, strict=True) if on) or "none")
def test_every_combination(combination: tuple[bool, ...]) -> None:
    factors = dict(zip(FACTORS, combination, strict=True))
    violence = tuple(v for v, on in (("perdagangan_orang", factors["trafficking"]), ("seksual", factors["sexual"]))
                     if on) or ("fisik",)
    result = assess(
        victims=[CHILD if factors["child"] else ADULT], violence=violence, ongoing_danger=factors["danger"],
        injuries=factors["injuries"], child_in_conflict_with_law=factors["abh"],
        perpetrators=[CHILD_PERPETRATOR] if factors["abh"] else [],
    )
    assert result == expected(**factors)
    reasons = result[1]
    assert len(reasons) == len(set(reasons))
    assert reasons == sorted(reasons, key=[r.value for r in TriageReason].index)
