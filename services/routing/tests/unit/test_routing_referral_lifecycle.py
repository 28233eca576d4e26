"""A referral's lifecycle and SLA clock, who takes over a declined referral, where a breach escalates, and the
case as routing keeps it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral, ReferralStatus, ReferralTransitionError, services_completed
from routing.domain.rules import (
    NATIONAL_FALLBACK,
    RULE_NATIONAL_FALLBACK,
    ReferralDecision,
    Rule,
    RuleSet,
    Target,
    escalation_target,
    lead_agency,
    replacement,
)
from routing.domain.sla import DEADLINES, DEFAULT_POLICY, Deadlines
from routing.rules_data import packaged_rules
from shared.contracts import (
    Event,
    ReferralAccepted,
    ReferralCompleted,
    ReferralCreated,
    ReferralDeclined,
    ReferralRevoked,
    ReferralServiceStarted,
)
from shared.contracts.base import parse_event
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseUpdated, Consent, VictimFacts
from shared.contracts.vocabulary import (
    CASE_MANAGERS,
    AgeGroup,
    AgencyType,
    ConsentGiver,
    Need,
    Priority,
    Sex,
    ViolenceType,
)


def regency(agency_id: str, agency_type: AgencyType, code: str = "62.13", **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.REGENCY, province_code=code[:2], regency_code=code, **kw)  # type: ignore[arg-type]


def province(agency_id: str, agency_type: AgencyType, code: str = "62", **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.PROVINCE, province_code=code, **kw)  # type: ignore[arg-type]


def national(agency_id: str, agency_type: AgencyType = AgencyType.NATIONAL_HOTLINE, **kw: object) -> Agency:
    return Agency(agency_id=agency_id, name=f"Agency {agency_id}", agency_type=agency_type,
                  level=AgencyLevel.NATIONAL, **kw)  # type: ignore[arg-type]


CASE = CaseToRoute(case_id=uuid4(), province_code="62", regency_code="62.13", consented=frozenset(AgencyType))

REGENCY_UPTD = regency("uptd-ppa-62.13", AgencyType.UPTD_PPA)
REGENCY_DINAS = regency("dinas-ppa-62.13", AgencyType.DINAS_PPA)
PROVINCE_UPTD = province("uptd-ppa-62", AgencyType.UPTD_PPA)
PROVINCE_DINAS = province("dinas-ppa-62", AgencyType.DINAS_PPA)
HOTLINE = national("sapa-129")
LADDER = [HOTLINE, PROVINCE_DINAS, PROVINCE_UPTD, REGENCY_DINAS, REGENCY_UPTD]
REGENCY_POLICE = regency("polres-62.13", AgencyType.POLICE_PPA)
PROVINCE_POLICE = province("polda-62", AgencyType.POLICE_PPA)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=30)
DEADLINES_P1 = DEFAULT_POLICY.deadlines(Priority.P1)


def decision(agency: Agency = REGENCY_UPTD, *, rule: str = "lead-agency/regency-uptd", is_lead: bool = True,
             reason: str = "Because.") -> ReferralDecision:
    return ReferralDecision(agency, rule, reason, is_lead=is_lead)


def referral(status: ReferralStatus = ReferralStatus.CREATED, **changes: object) -> Referral:
    created = Referral.create(CASE, decision(), referral_id=uuid4(), created_at=T0, rule_set_version=3,
                              deadlines=DEADLINES_P1)
    return replace(created, status=status, **changes)  # type: ignore[arg-type]


# -- the lifecycle ------------------------------------------------------------------------------------------

Action = Callable[[Referral], tuple[Referral, Event]]
ACTIONS: dict[str, Action] = {
    "accept": lambda r: r.accept(by="user-1", at=T1),
    "decline": lambda r: r.decline(by="user-1", at=T1, reason="No capacity"),
    "start_service": lambda r: r.start_service(by="user-1", at=T1),
    "complete": lambda r: r.complete(by="user-1", at=T1, services=(Need.KESEHATAN,)),
    "revoke": lambda r: r.revoke(by="user-1", at=T1, reason="Wrong agency"),
}
ALLOWED: dict[tuple[ReferralStatus, str], ReferralStatus] = {
    (ReferralStatus.CREATED, "accept"): ReferralStatus.ACCEPTED,
    (ReferralStatus.CREATED, "decline"): ReferralStatus.DECLINED,
    (ReferralStatus.CREATED, "revoke"): ReferralStatus.REVOKED,
    (ReferralStatus.ACCEPTED, "decline"): ReferralStatus.DECLINED,
    (ReferralStatus.ACCEPTED, "start_service"): ReferralStatus.IN_SERVICE,
    (ReferralStatus.ACCEPTED, "revoke"): ReferralStatus.REVOKED,
    (ReferralStatus.IN_SERVICE, "complete"): ReferralStatus.COMPLETED,
    (ReferralStatus.IN_SERVICE, "revoke"): ReferralStatus.REVOKED,
}
EVENT_TYPES = {
    "accept": (ReferralAccepted, "referral.accepted"),
    "decline": (ReferralDeclined, "referral.declined"),
    "start_service": (ReferralServiceStarted, "referral.service_started"),
    "complete": (ReferralCompleted, "referral.completed"),
    "revoke": (ReferralRevoked, "referral.revoked"),
}
EVERY_MOVE = [(status, action) for status in ReferralStatus for action in ACTIONS]


@pytest.mark.parametrize(("status", "action"), EVERY_MOVE, ids=[f"{s}-{a}" for s, a in EVERY_MOVE])
def test_exactly_the_allowed_moves_succeed(status: ReferralStatus, action: str) -> None:
    before = referral(status)
    if (status, action) in ALLOWED:
        moved, event = ACTIONS[action](before)
        assert moved.status is ALLOWED[(status, action)]
        assert moved.updated_at == T1
        event_class, event_type = EVENT_TYPES[action]
        assert isinstance(event, event_class)
        assert event.event_type == event_type
        assert event.case_id == before.case_id
        assert event.occurred_at == T1
        assert event.referral_id == before.referral_id  # type: ignore[attr-defined]
        assert event.agency_id == before.agency_id  # type: ignore[attr-defined]
        # The case's region, so that its supervisors' open inboxes hear of it (the workspace's live inbox).
        assert (event.province_code, event.regency_code) == ("62", "62.13")  # type: ignore[attr-defined]
    else:
        with pytest.raises(ReferralTransitionError) as refused:
            ACTIONS[action](before)
        assert refused.value.status is status
        assert str(status) in str(refused.value)
    assert before.status is status  # a referral is a value: moving it makes a new one


def test_the_allowed_moves_are_the_documented_ones() -> None:
    assert len(ALLOWED) == 8
    assert {status for status, _ in ALLOWED} == {ReferralStatus.CREATED, ReferralStatus.ACCEPTED,
                                                 ReferralStatus.IN_SERVICE}


def test_a_transition_error_is_a_value_error_naming_the_status_and_the_action() -> None:
    with pytest.raises(ValueError, match="a referral that is completed cannot be accepted"):
        referral(ReferralStatus.COMPLETED).accept(by="user-1", at=T1)


def test_accept_names_who_accepted() -> None:
    moved, event = referral().accept(by="user-7", at=T1)
    assert isinstance(event, ReferralAccepted)
    assert event.accepted_by == "user-7"
    assert moved.status_reason is None


@pytest.mark.parametrize("status", [ReferralStatus.CREATED, ReferralStatus.ACCEPTED])
def test_decline_names_the_actor_and_the_reason(status: ReferralStatus) -> None:
    moved, event = referral(status).decline(by="user-7", at=T1, reason="Outside our mandate")
    assert isinstance(event, ReferralDeclined)
    assert (event.actor, event.reason) == ("user-7", "Outside our mandate")
    assert moved.status_reason == "Outside our mandate"


def test_start_service_names_the_actor() -> None:
    moved, event = referral(ReferralStatus.ACCEPTED).start_service(by="user-7", at=T1)
    assert isinstance(event, ReferralServiceStarted)
    assert event.actor == "user-7"
    assert moved.status is ReferralStatus.IN_SERVICE


def test_complete_gives_the_services_once_each_in_order() -> None:
    moved, event = referral(ReferralStatus.IN_SERVICE).complete(
        by="user-7", at=T1, services=(Need.KESEHATAN, Need.PENGADUAN, Need.KESEHATAN, Need.MEDIASI, Need.PENGADUAN),
    )
    assert isinstance(event, ReferralCompleted)
    assert event.actor == "user-7"
    assert event.services_given == (Need.KESEHATAN, Need.PENGADUAN, Need.MEDIASI)
    assert moved.services_given == (Need.KESEHATAN, Need.PENGADUAN, Need.MEDIASI)


def test_complete_needs_at_least_one_service() -> None:
    in_service = referral(ReferralStatus.IN_SERVICE)
    with pytest.raises(ValueError, match="services") as refused:
        in_service.complete(by="user-7", at=T1, services=())
    assert not isinstance(refused.value, ReferralTransitionError)


@pytest.mark.parametrize("status", [ReferralStatus.CREATED, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE])
def test_revoke_names_the_actor_and_the_reason(status: ReferralStatus) -> None:
    moved, event = referral(status).revoke(by="province-1", at=T1, reason="Referred in error")
    assert isinstance(event, ReferralRevoked)
    assert (event.actor, event.reason) == ("province-1", "Referred in error")
    assert moved.status_reason == "Referred in error"


def test_the_whole_way_through() -> None:
    created = referral()
    accepted, _ = created.accept(by="a", at=T0 + timedelta(minutes=10))
    serving, _ = accepted.start_service(by="b", at=T0 + timedelta(hours=1))
    done, event = serving.complete(by="c", at=T0 + timedelta(days=3), services=(Need.PENGADUAN,))
    assert done.status is ReferralStatus.COMPLETED
    assert done.updated_at == T0 + timedelta(days=3)
    assert done.services_given == (Need.PENGADUAN,)
    assert (done.referral_id, done.created_at, done.accept_by) == (created.referral_id, T0, created.accept_by)
    assert parse_event(event.model_dump_json()) == event


@pytest.mark.parametrize("status", [ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.REVOKED])
def test_a_done_referral_moves_no_more(status: ReferralStatus) -> None:
    assert status.is_done
    for action in ACTIONS.values():
        with pytest.raises(ReferralTransitionError):
            action(referral(status))


@pytest.mark.parametrize("status", [ReferralStatus.CREATED, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE])
def test_an_open_referral_is_not_done(status: ReferralStatus) -> None:
    assert not status.is_done


# -- the SLA clock --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "accept", "first_service"),
    [
        (ReferralStatus.CREATED, False, False),
        (ReferralStatus.ACCEPTED, True, False),
        (ReferralStatus.IN_SERVICE, True, True),
        (ReferralStatus.COMPLETED, True, True),
        (ReferralStatus.DECLINED, True, True),
        (ReferralStatus.REVOKED, True, True),
    ],
)
def test_met_per_status(status: ReferralStatus, accept: bool, first_service: bool) -> None:
    assert referral(status).met("accept") is accept
    assert referral(status).met("first_service") is first_service


def test_the_default_policy_per_priority() -> None:
    assert DEADLINES == ("accept", "first_service")
    assert DEFAULT_POLICY.deadlines(Priority.P1) == Deadlines(timedelta(hours=1), timedelta(hours=6))
    assert DEFAULT_POLICY.deadlines(Priority.P2) == Deadlines(timedelta(hours=24), timedelta(hours=72))
    assert DEFAULT_POLICY.deadlines(Priority.P3) == Deadlines(timedelta(hours=72), timedelta(days=7))
    for priority in Priority:
        deadlines = DEFAULT_POLICY.deadlines(priority)
        assert deadlines.of("accept") == deadlines.accept < deadlines.of("first_service") == deadlines.first_service


# -- services completed -------------------------------------------------------------------------------------


def completed(*services: Need) -> Referral:
    return referral(ReferralStatus.COMPLETED, services_given=services)


def test_services_completed_when_all_are_done_and_some_completed() -> None:
    referrals = [
        completed(Need.PENGADUAN, Need.KESEHATAN),
        referral(ReferralStatus.DECLINED),
        completed(Need.KESEHATAN, Need.BANTUAN_HUKUM),
        referral(ReferralStatus.REVOKED),
    ]
    assert services_completed(referrals) == (Need.PENGADUAN, Need.KESEHATAN, Need.BANTUAN_HUKUM)


def test_services_completed_with_one_completed_referral() -> None:
    assert services_completed([completed(Need.MEDIASI)]) == (Need.MEDIASI,)


@pytest.mark.parametrize("open_status", [ReferralStatus.CREATED, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE])
def test_services_are_not_completed_while_any_referral_is_open(open_status: ReferralStatus) -> None:
    assert services_completed([completed(Need.KESEHATAN), referral(open_status)]) is None


@pytest.mark.parametrize(
    "statuses",
    [(ReferralStatus.DECLINED,), (ReferralStatus.REVOKED,), (ReferralStatus.DECLINED, ReferralStatus.REVOKED)],
)
def test_services_are_not_completed_when_none_completed(statuses: tuple[ReferralStatus, ...]) -> None:
    assert services_completed([referral(status) for status in statuses]) is None


def test_no_referrals_complete_no_services() -> None:
    assert services_completed([]) is None


# -- creating a referral --------------------------------------------------------------------------------------


def test_create_sets_the_deadlines_and_the_event_carries_them() -> None:
    replaces = uuid4()
    referral_id = uuid4()
    made = Referral.create(
        CASE, decision(PROVINCE_POLICE, rule="police/law-enforcement", is_lead=False, reason="Rule police."),
        referral_id=referral_id, created_at=T0, rule_set_version=4,
        deadlines=Deadlines(accept=timedelta(hours=2), first_service=timedelta(hours=9)), replaces=replaces,
    )
    assert made.status is ReferralStatus.CREATED
    assert (made.referral_id, made.case_id) == (referral_id, CASE.case_id)
    assert (made.agency_id, made.agency_name, made.agency_type) == ("polda-62", "Agency polda-62", "police_ppa")
    assert (made.is_lead, made.rule, made.reason) == (False, "police/law-enforcement", "Rule police.")
    assert (made.province_code, made.regency_code) == ("62", "62.13")
    assert made.accept_by == T0 + timedelta(hours=2)
    assert made.first_service_by == T0 + timedelta(hours=9)
    assert made.rule_set_version == 4
    assert made.replaces_referral_id == replaces
    assert (made.updated_at, made.status_reason, made.services_given) == (None, None, ())

    event = made.created_event()
    assert isinstance(event, ReferralCreated)
    assert event.event_type == "referral.created"
    assert (event.case_id, event.referral_id, event.occurred_at) == (CASE.case_id, referral_id, T0)
    assert (event.agency_id, event.agency_type, event.is_lead) == ("polda-62", "police_ppa", False)
    assert (event.province_code, event.regency_code) == ("62", "62.13")
    assert (event.rule, event.reason, event.rule_set_version) == ("police/law-enforcement", "Rule police.", 4)
    assert (event.accept_by, event.first_service_by) == (T0 + timedelta(hours=2), T0 + timedelta(hours=9))
    assert event.replaces_referral_id == replaces
    assert parse_event(event.model_dump_json()) == event


def test_a_first_referral_replaces_nothing() -> None:
    made = referral()
    assert made.replaces_referral_id is None
    assert made.created_event().replaces_referral_id is None
    assert made.accept_by == T0 + timedelta(hours=1)
    assert made.first_service_by == T0 + timedelta(hours=6)


# -- replacement ----------------------------------------------------------------------------------------------


def declined_lead(agency: Agency, rule: str) -> tuple[str, AgencyType, bool]:
    return rule, agency.agency_type, True


def test_a_declined_lead_goes_to_the_next_step_of_the_ladder() -> None:
    decided = replacement(CASE, declined_lead(REGENCY_UPTD, "lead-agency/regency-uptd"), LADDER, packaged_rules(),
                          excluded=frozenset({"uptd-ppa-62.13"}))
    assert decided is not None
    assert decided.agency == REGENCY_DINAS
    assert decided.is_lead
    assert decided.rule == "lead-agency/regency-dinas"
    assert decided.reason == (
        "The UPTD PPA of regency 62.13 (uptd-ppa-62.13) already declined or holds it; "
        "Agency dinas-ppa-62.13 (dinas-ppa-62.13) is the active Dinas PPA of regency 62.13."
    )


def test_a_declined_lead_skips_every_excluded_step() -> None:
    excluded = frozenset({"uptd-ppa-62.13", "dinas-ppa-62.13", "uptd-ppa-62"})
    decided = replacement(CASE, declined_lead(PROVINCE_UPTD, "lead-agency/province-uptd"), LADDER, packaged_rules(),
                          excluded=excluded)
    assert decided is not None
    assert decided.agency == PROVINCE_DINAS
    assert decided.rule == "lead-agency/province-dinas"
    for agency_id in excluded:
        assert f"({agency_id}) already declined or holds it" in decided.reason


def test_a_declined_lead_with_the_ladder_exhausted_goes_to_the_national_hotline() -> None:
    excluded = frozenset({"uptd-ppa-62.13", "dinas-ppa-62.13", "uptd-ppa-62", "dinas-ppa-62"})
    decided = replacement(CASE, declined_lead(PROVINCE_DINAS, "lead-agency/province-dinas"), LADDER,
                          packaged_rules(), excluded=excluded)
    assert decided is not None
    assert decided.agency == HOTLINE
    assert decided.rule == RULE_NATIONAL_FALLBACK


@pytest.mark.parametrize("directory", [LADDER, []], ids=["listed", "built-in"])
def test_a_declined_national_fallback_is_not_referred_again(directory: list[Agency]) -> None:
    excluded = frozenset({"uptd-ppa-62.13", "dinas-ppa-62.13", "uptd-ppa-62", "dinas-ppa-62", "sapa-129"})
    decided = replacement(CASE, declined_lead(HOTLINE, RULE_NATIONAL_FALLBACK), directory, packaged_rules(),
                          excluded=excluded)
    assert decided is None  # nobody is left, not even SAPA 129


def test_a_declined_supporting_referral_goes_to_the_next_agency_of_the_same_target() -> None:
    police_case = replace(CASE, violence_types=(ViolenceType.SEKSUAL,))
    declined = ("police/sexual-violence-and-trafficking", AgencyType.POLICE_PPA, False)
    decided = replacement(police_case, declined, [*LADDER, REGENCY_POLICE, PROVINCE_POLICE], packaged_rules(),
                          excluded=frozenset({"uptd-ppa-62.13", "polres-62.13"}))
    assert decided is not None
    assert decided.agency == PROVINCE_POLICE
    assert decided.rule == "police/sexual-violence-and-trafficking"
    assert not decided.is_lead
    assert decided.reason.startswith("Rule police/sexual-violence-and-trafficking (")


def test_a_declined_supporting_referral_keeps_the_target_s_service() -> None:
    needing = replace(CASE, needs=(Need.KESEHATAN,))
    rsud = regency("rsud-62.13", AgencyType.HEALTH, services=(Need.KESEHATAN,))
    puskesmas = regency("puskesmas-62.13", AgencyType.HEALTH)
    rsud_province = province("rsud-62", AgencyType.HEALTH, services=(Need.KESEHATAN,))
    decided = replacement(needing, ("health/medical-care", AgencyType.HEALTH, False),
                          [rsud, puskesmas, rsud_province], packaged_rules(), excluded=frozenset({"rsud-62.13"}))
    assert decided is not None
    assert decided.agency == rsud_province


def test_a_declined_supporting_referral_takes_the_target_of_its_own_type() -> None:
    rules = RuleSet(version=2, rules=(Rule(id="multi", description="Two kinds", refer=(
        Target(agency_type=AgencyType.POLICE_PPA), Target(agency_type=AgencyType.DINAS_SOSIAL),
    )),))
    dinsos, dinsos_province = regency("dinsos-62.13", AgencyType.DINAS_SOSIAL), province("dinsos-62",
                                                                                         AgencyType.DINAS_SOSIAL)
    directory = [REGENCY_POLICE, PROVINCE_POLICE, dinsos, dinsos_province]
    decided = replacement(CASE, ("multi", AgencyType.DINAS_SOSIAL, False), directory, rules,
                          excluded=frozenset({"polres-62.13", "dinsos-62.13"}))
    assert decided is not None
    assert decided.agency == dinsos_province


def test_nobody_left_for_a_declined_supporting_referral() -> None:
    declined = ("police/sexual-violence-and-trafficking", AgencyType.POLICE_PPA, False)
    police_case = replace(CASE, violence_types=(ViolenceType.SEKSUAL,))
    assert replacement(police_case, declined, [*LADDER, REGENCY_POLICE, PROVINCE_POLICE], packaged_rules(),
                       excluded=frozenset({"polres-62.13", "polda-62"})) is None
    assert replacement(police_case, declined, LADDER, packaged_rules(), excluded=frozenset()) is None


def test_no_replacement_without_consent() -> None:
    declined = ("police/sexual-violence-and-trafficking", AgencyType.POLICE_PPA, False)
    withdrawn = replace(CASE, consented=CASE_MANAGERS)
    assert replacement(withdrawn, declined, [REGENCY_POLICE, PROVINCE_POLICE], packaged_rules(),
                       excluded=frozenset({"polres-62.13"})) is None


def test_no_replacement_for_a_rule_the_rule_set_no_longer_has() -> None:
    declined = ("police/retired-rule", AgencyType.POLICE_PPA, False)
    assert replacement(CASE, declined, [REGENCY_POLICE, PROVINCE_POLICE], packaged_rules(),
                       excluded=frozenset()) is None


def test_no_replacement_when_the_rule_has_no_target_of_the_declined_type() -> None:
    declined = ("police/law-enforcement", AgencyType.HEALTH, False)
    assert replacement(CASE, declined, [REGENCY_POLICE, regency("rsud-62.13", AgencyType.HEALTH)],
                       packaged_rules(), excluded=frozenset()) is None


# -- escalation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("breached", "next_id"),
    [
        ("uptd-ppa-62.13", "dinas-ppa-62.13"),
        ("dinas-ppa-62.13", "uptd-ppa-62"),
        ("uptd-ppa-62", "sapa-129"),
    ],
)
def test_each_position_of_the_chain_escalates_to_the_next(breached: str, next_id: str) -> None:
    target = escalation_target(CASE, breached, LADDER)
    assert target is not None
    assert target.agency_id == next_id


def test_the_top_of_the_chain_escalates_to_the_built_in_fallback_when_no_hotline_is_listed() -> None:
    assert escalation_target(CASE, "uptd-ppa-62", [REGENCY_UPTD, REGENCY_DINAS, PROVINCE_UPTD]) == NATIONAL_FALLBACK


@pytest.mark.parametrize("breached", ["polres-62.13", "polda-62", "rsud-62.13", "dinas-ppa-62"])
def test_an_agency_outside_the_chain_escalates_to_the_first_of_the_chain(breached: str) -> None:
    directory = [*LADDER, REGENCY_POLICE, PROVINCE_POLICE, regency("rsud-62.13", AgencyType.HEALTH)]
    assert escalation_target(CASE, breached, directory) == REGENCY_UPTD


def test_an_agency_unknown_to_the_directory_escalates_to_the_first_of_the_chain() -> None:
    assert escalation_target(CASE, "removed-agency", LADDER) == REGENCY_UPTD


@pytest.mark.parametrize(
    ("breached", "directory", "next_id"),
    [
        ("uptd-ppa-62.13", [REGENCY_UPTD, PROVINCE_UPTD, HOTLINE], "uptd-ppa-62"),
        ("uptd-ppa-62.13", [REGENCY_UPTD, PROVINCE_DINAS, HOTLINE], "sapa-129"),
        ("dinas-ppa-62.13", [REGENCY_DINAS, HOTLINE], "sapa-129"),
        ("polres-62.13", [REGENCY_POLICE, REGENCY_DINAS, HOTLINE], "dinas-ppa-62.13"),
        ("polres-62.13", [REGENCY_POLICE, PROVINCE_UPTD, HOTLINE], "uptd-ppa-62"),
        ("polres-62.13", [REGENCY_POLICE, HOTLINE], "sapa-129"),
        ("uptd-ppa-62.13", [REGENCY_UPTD, replace(REGENCY_DINAS, active=False), PROVINCE_UPTD], "uptd-ppa-62"),
    ],
    ids=["no-regency-dinas", "no-province-uptd", "regency-dinas-top", "police-no-uptd", "police-province",
         "police-hotline", "inactive-skipped"],
)
def test_missing_steps_of_the_chain_are_skipped(breached: str, directory: list[Agency], next_id: str) -> None:
    target = escalation_target(CASE, breached, directory)
    assert target is not None
    assert target.agency_id == next_id


def test_the_breached_agency_itself_is_never_the_target() -> None:
    second = regency("uptd-ppa-62.13-b", AgencyType.UPTD_PPA)
    target = escalation_target(CASE, "uptd-ppa-62.13", [REGENCY_UPTD, second, PROVINCE_UPTD])
    assert target == PROVINCE_UPTD


def test_escalation_ties_are_broken_by_id() -> None:
    a, b = province("uptd-ppa-62-a", AgencyType.UPTD_PPA), province("uptd-ppa-62-b", AgencyType.UPTD_PPA)
    assert escalation_target(CASE, "dinas-ppa-62.13", [REGENCY_DINAS, b, a]) == a
    assert escalation_target(CASE, "dinas-ppa-62.13", [REGENCY_DINAS, a, b]) == a


@pytest.mark.parametrize("directory", [LADDER, [], [national("other-hotline")]], ids=["listed", "built-in", "other"])
def test_nothing_is_above_sapa_129(directory: list[Agency]) -> None:
    assert escalation_target(CASE, "sapa-129", directory) is None


def test_nothing_is_above_another_national_hotline() -> None:
    assert escalation_target(CASE, "other-hotline", [*LADDER, national("other-hotline")]) is None


def test_the_escalation_chain_matches_the_lead_ladder() -> None:
    """Escalating from each lead in turn walks the ladder up to SAPA 129."""
    path = []
    current = lead_agency(CASE, LADDER).agency
    while current is not None:
        path.append(current.agency_id)
        current = escalation_target(CASE, current.agency_id, LADDER)
    assert path == ["uptd-ppa-62.13", "dinas-ppa-62.13", "uptd-ppa-62", "sapa-129"]


# -- the case as routing sees it ----------------------------------------------------------------------------


def test_from_event_takes_the_routing_facts() -> None:
    reported = example_case_reported(
        regency_code="35.07", violence_types=(ViolenceType.SEKSUAL, ViolenceType.FISIK),
        needs=(Need.KESEHATAN, Need.BANTUAN_HUKUM), priority=Priority.P1,
    )
    to_route = CaseToRoute.from_event(reported)
    assert to_route.case_id == reported.case_id
    assert (to_route.province_code, to_route.regency_code) == ("35", "35.07")
    assert to_route.violence_types == (ViolenceType.SEKSUAL, ViolenceType.FISIK)
    assert to_route.needs == (Need.KESEHATAN, Need.BANTUAN_HUKUM)
    assert to_route.priority is Priority.P1
    assert not to_route.has_child_victim


@pytest.mark.parametrize(
    ("age_groups", "child"),
    [
        ((AgeGroup.AGE_13_17,), True),
        ((AgeGroup.AGE_0_5,), True),
        ((AgeGroup.AGE_18_24,), False),
        ((AgeGroup.UNKNOWN,), False),
        ((AgeGroup.AGE_25_44, AgeGroup.AGE_6_12), True),
    ],
    ids=["13-17", "0-5", "18-24", "unknown", "adult-and-child"],
)
def test_from_event_has_child_victim(age_groups: tuple[AgeGroup, ...], child: bool) -> None:
    victims = tuple(VictimFacts(sex=Sex.PEREMPUAN, age_group=group) for group in age_groups)
    assert CaseToRoute.from_event(example_case_reported(victims=victims)).has_child_victim is child


@pytest.mark.parametrize(
    "agency_types",
    [(), (AgencyType.POLICE_PPA,), (AgencyType.POLICE_PPA, AgencyType.HEALTH, AgencyType.UPTD_PPA)],
    ids=["nothing", "police", "police-health-uptd"],
)
def test_from_event_consent_always_includes_the_case_managers(agency_types: tuple[AgencyType, ...]) -> None:
    reported = example_case_reported(consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=agency_types))
    assert CaseToRoute.from_event(reported).consented == CASE_MANAGERS | frozenset(agency_types)


def test_from_a_case_updated_event() -> None:
    reported = example_case_reported(needs=(Need.PEMULANGAN,))
    facts = reported.model_dump(exclude={"event_id", "event_type", "schema_version", "producer", "occurred_at"})
    updated = CaseUpdated(
        **{**facts, "priority": Priority.P2,
           "consent": Consent(given_by=ConsentGiver.WALI, agency_types=(AgencyType.DINAS_SOSIAL,))},
        update_id=uuid4(), kind="corrected", changed_fields=("priority", "consent"), updated_by="user-1",
    )
    to_route = CaseToRoute.from_event(updated)
    assert to_route.case_id == reported.case_id
    assert to_route.priority is Priority.P2
    assert to_route.needs == (Need.PEMULANGAN,)
    assert to_route.consented == CASE_MANAGERS | {AgencyType.DINAS_SOSIAL}


FULL_CASE = CaseToRoute(
    case_id=UUID("6f1c1f5e-7d1a-4c57-9a57-5a4c1d2e3f40"), province_code="62", regency_code="62.13",
    violence_types=(ViolenceType.PERDAGANGAN_ORANG, ViolenceType.SEKSUAL), has_child_victim=True,
    needs=(Need.PEMULANGAN, Need.KESEHATAN), priority=Priority.P1,
    consented=CASE_MANAGERS | {AgencyType.POLICE_PPA, AgencyType.LEGAL_AID},
)


@pytest.mark.parametrize("to_route", [FULL_CASE, CaseToRoute(case_id=uuid4(), province_code="91",
                                                             regency_code="91.01")], ids=["full", "defaults"])
def test_the_document_round_trip(to_route: CaseToRoute) -> None:
    assert CaseToRoute.from_document(to_route.to_document()) == to_route
    assert CaseToRoute.from_document(json.loads(json.dumps(to_route.to_document()))) == to_route


def test_the_document_is_plain_json() -> None:
    document = json.loads(json.dumps(FULL_CASE.to_document()))
    assert document == {
        "case_id": "6f1c1f5e-7d1a-4c57-9a57-5a4c1d2e3f40",
        "province_code": "62",
        "regency_code": "62.13",
        "violence_types": ["perdagangan_orang", "seksual"],
        "has_child_victim": True,
        "needs": ["pemulangan", "kesehatan"],
        "priority": "P1",
        "consented": ["dinas_ppa", "legal_aid", "police_ppa", "uptd_ppa"],
    }


def test_escalation_passes_over_agencies_that_declined_the_case() -> None:
    police = regency("polres-62.13", AgencyType.POLICE_PPA)
    directory = [*LADDER, police]
    assert escalation_target(CASE, police.agency_id, directory) == REGENCY_UPTD
    assert escalation_target(CASE, police.agency_id, directory, declined=frozenset({REGENCY_UPTD.agency_id})) \
        == REGENCY_DINAS
    everyone = frozenset(agency.agency_id for agency in LADDER)
    assert escalation_target(CASE, police.agency_id, directory, declined=everyone) is None
