"""What reporting keeps of a case's events (the facts SIMFONI counts), and the region a supervisor's exact
statistics are narrowed to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from reporting.domain.access import OutsideRegionError, scoped_to_region
from reporting.domain.facts import CaseFacts, VictimCount
from reporting.domain.statistics import (
    CaseStatsQuery,
    GroupKey,
    ReferralGroupKey,
    ReferralStatsQuery,
    StatsFilter,
)
from shared.auth import Principal, Role
from shared.contracts import AgeGroup, CaseReported, CaseUpdated, Channel, Sex, ViolenceType
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import PerpetratorFacts, VictimFacts
from shared.contracts.vocabulary import PlaceCategory, Relationship

REPORTED_AT = datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
STATED_AT = datetime(2026, 3, 1, 8, 15, 2, tzinfo=UTC)


def reported(**fields: Any) -> CaseReported:
    defaults: dict[str, Any] = {
        "case_number": "6213-2026-00001",
        "regency_code": "62.13",
        "violence_types": (ViolenceType.FISIK, ViolenceType.PSIKIS, ViolenceType.FISIK),
        "victims": (
            VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_6_12),
            VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_13_17),
            VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_6_12),  # twins: two victims, both counted
        ),
        "perpetrators": (
            PerpetratorFacts(relationship=Relationship.ORANG_TUA),
            PerpetratorFacts(relationship=Relationship.TETANGGA),
            PerpetratorFacts(relationship=Relationship.ORANG_TUA),
        ),
        "place": PlaceCategory.SEKOLAH,
        "channel": Channel.HOTLINE,
        "reported_at": REPORTED_AT,
        "occurred_at": STATED_AT,
    }
    return example_case_reported(**{**defaults, **fields})


def updated(event: CaseReported, occurred_at: datetime, **fields: object) -> CaseUpdated:
    """``case.updated`` restating ``event``'s facts, with ``fields`` changed."""
    facts = event.model_dump(exclude={"event_id", "event_type", "schema_version", "producer", "occurred_at"})
    return CaseUpdated(
        **{**facts, **fields},
        occurred_at=occurred_at,
        update_id=uuid4(),
        kind="corrected",
        changed_fields=tuple(fields),
        updated_by="operator-1",
    )


# --- case facts -----------------------------------------------------------------------------------------------


def test_facts_of_a_reported_case() -> None:
    event = reported()
    assert CaseFacts.from_event(event) == CaseFacts(
        case_id=event.case_id,
        case_number="6213-2026-00001",
        province_code="62",
        regency_code="62.13",
        violence_types=(ViolenceType.FISIK, ViolenceType.PSIKIS),
        victims=(
            VictimCount(Sex.PEREMPUAN, AgeGroup.AGE_6_12),
            VictimCount(Sex.LAKI_LAKI, AgeGroup.AGE_13_17),
            VictimCount(Sex.PEREMPUAN, AgeGroup.AGE_6_12),
        ),
        relationships=(Relationship.ORANG_TUA, Relationship.TETANGGA),
        place=PlaceCategory.SEKOLAH,
        channel=Channel.HOTLINE,
        reported_at=REPORTED_AT,
        as_of=STATED_AT,
    )


def test_the_district_code_is_kept_and_none_when_the_report_named_none() -> None:
    assert CaseFacts.from_event(reported(district_code="62.13.01", village_code="62.13.01.2003")).district_code == (
        "62.13.01"
    )
    assert CaseFacts.from_event(reported()).district_code is None


def test_violence_types_and_relationships_count_once_each_in_the_order_first_named() -> None:
    event = reported(
        violence_types=(ViolenceType.SEKSUAL, ViolenceType.FISIK, ViolenceType.SEKSUAL, ViolenceType.PSIKIS),
        perpetrators=(
            PerpetratorFacts(relationship=Relationship.TETANGGA),
            PerpetratorFacts(relationship=Relationship.GURU),
            PerpetratorFacts(relationship=Relationship.TETANGGA),
        ),
    )
    facts = CaseFacts.from_event(event)
    assert facts.violence_types == (ViolenceType.SEKSUAL, ViolenceType.FISIK, ViolenceType.PSIKIS)
    assert facts.relationships == (Relationship.TETANGGA, Relationship.GURU)


def test_every_victim_is_kept_in_order_even_two_alike() -> None:
    victims = (
        VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_0_5),
        VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_25_44, has_disability=True),
        VictimFacts(sex=Sex.LAKI_LAKI, age_group=AgeGroup.AGE_0_5),
    )
    facts = CaseFacts.from_event(reported(victims=victims))
    assert facts.victims == tuple(VictimCount(victim.sex, victim.age_group) for victim in victims)
    assert len(facts.victims) == 3


def test_a_case_with_no_known_perpetrator_counts_under_not_known() -> None:
    facts = CaseFacts.from_event(reported(perpetrators=()))
    assert facts.relationships == (Relationship.TIDAK_DIKETAHUI,)


def test_facts_of_an_update_are_the_facts_it_restates_as_of_the_update() -> None:
    event = reported()
    later = STATED_AT + timedelta(days=2)
    update = updated(
        event,
        later,
        violence_types=(ViolenceType.PENELANTARAN, ViolenceType.PENELANTARAN),
        victims=(VictimFacts(sex=Sex.PEREMPUAN, age_group=AgeGroup.AGE_18_24),),
        perpetrators=(),
        place=PlaceCategory.DARING,
    )
    facts = CaseFacts.from_event(update)
    assert facts.as_of == later
    assert facts.reported_at == REPORTED_AT  # still counted in the month it was reported
    assert (facts.case_id, facts.case_number, facts.regency_code) == (event.case_id, event.case_number, "62.13")
    assert facts.violence_types == (ViolenceType.PENELANTARAN,)
    assert facts.victims == (VictimCount(Sex.PEREMPUAN, AgeGroup.AGE_18_24),)
    assert facts.relationships == (Relationship.TIDAK_DIKETAHUI,)
    assert facts.place is PlaceCategory.DARING


def test_an_update_restating_the_same_facts_differs_only_in_as_of() -> None:
    event = reported()
    later = STATED_AT + timedelta(hours=5)
    from_report = CaseFacts.from_event(event)
    from_update = CaseFacts.from_event(updated(event, later))
    assert from_update.as_of == later != from_report.as_of
    assert from_update == replace(from_report, as_of=later)


# --- statistics scoped to a supervisor's region ---------------------------------------------------------------


def person(*roles: Role, province_code: str | None = None, regency_code: str | None = None) -> Principal:
    return Principal(user_id="user-1", roles=frozenset(roles), province_code=province_code, regency_code=regency_code)


PROVINCE_ADMIN = person(Role.PROVINCE_ADMIN, province_code="62")
AUDITOR = person(Role.AUDITOR, province_code="62")
DISTRICT_SUPERVISOR = person(Role.DISTRICT_SUPERVISOR, province_code="62", regency_code="62.13")

QUERIES: list[StatsFilter] = [
    CaseStatsQuery(group_by=(GroupKey.MONTH,), date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)),
    ReferralStatsQuery(group_by=(ReferralGroupKey.AGENCY,), date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)),
]
query_kinds = pytest.mark.parametrize("query", QUERIES, ids=lambda query: type(query).__name__)


@query_kinds
@pytest.mark.parametrize("principal", [PROVINCE_ADMIN, AUDITOR], ids=["province_admin", "auditor"])
def test_a_province_reader_asking_for_no_region_gets_their_province(principal: Principal, query: StatsFilter) -> None:
    scoped = scoped_to_region(principal, query)
    assert type(scoped) is type(query)
    assert (scoped.province_code, scoped.regency_code) == ("62", None)
    assert (scoped.date_from, scoped.date_to) == (date(2026, 1, 1), date(2026, 3, 31))
    assert scoped.group_by == query.group_by  # type: ignore[attr-defined]


@query_kinds
def test_a_province_admin_may_narrow_to_a_regency_of_their_province(query: StatsFilter) -> None:
    asked = _with(query, regency_code="62.71")
    scoped = scoped_to_region(PROVINCE_ADMIN, asked)
    assert (scoped.province_code, scoped.regency_code) == ("62", "62.71")


@query_kinds
def test_a_district_supervisor_gets_their_regency(query: StatsFilter) -> None:
    for asked in (query, _with(query, province_code="62"), _with(query, regency_code="62.13")):
        scoped = scoped_to_region(DISTRICT_SUPERVISOR, asked)
        assert type(scoped) is type(query)
        assert scoped.regency_code == "62.13"
        assert scoped.province_code == asked.province_code
        assert (scoped.date_from, scoped.date_to) == (date(2026, 1, 1), date(2026, 3, 31))


@query_kinds
@pytest.mark.parametrize(
    ("principal", "region"),
    [
        (PROVINCE_ADMIN, {"province_code": "63"}),
        (PROVINCE_ADMIN, {"regency_code": "63.01"}),
        (AUDITOR, {"regency_code": "63.01"}),
        (DISTRICT_SUPERVISOR, {"regency_code": "62.71"}),
        (DISTRICT_SUPERVISOR, {"province_code": "63"}),
    ],
    ids=["admin-other-province", "admin-other-regency", "auditor-other-regency", "supervisor-other-regency",
         "supervisor-other-province"],
)
def test_asking_beyond_the_supervised_region_is_outside_it(
    principal: Principal, region: dict[str, str], query: StatsFilter
) -> None:
    with pytest.raises(OutsideRegionError):
        scoped_to_region(principal, _with(query, **region))


@query_kinds
@pytest.mark.parametrize(
    "principal",
    [
        person(Role.PUBLIC),
        person(Role.AGENCY_SUPERVISOR, province_code="62", regency_code="62.13"),
        person(Role.OPERATOR, province_code="62", regency_code="62.13"),
        person(Role.PROVINCE_ADMIN),  # a supervising role without a region supervises nothing
        person(Role.DISTRICT_SUPERVISOR, province_code="62"),
    ],
    ids=["public", "agency-supervisor", "operator", "admin-without-province", "supervisor-without-regency"],
)
def test_a_principal_supervising_no_region_gets_no_exact_statistics(principal: Principal, query: StatsFilter) -> None:
    with pytest.raises(OutsideRegionError):
        scoped_to_region(principal, query)


def _with(query: StatsFilter, **region: str) -> StatsFilter:
    return replace(query, **region)  # type: ignore[arg-type]
