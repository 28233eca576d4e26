"""The declarative rule set: conditions, targets, consent, ``route`` with the packaged rules, and the YAML form."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pydantic
import pytest
import yaml
from pydantic import ValidationError

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.rules import (
    LEAD_AGENCY_LADDER,
    NATIONAL_FALLBACK,
    RULE_NATIONAL_FALLBACK,
    Condition,
    ReferralDecision,
    Rule,
    RuleSet,
    Target,
    route,
    supporting_referral,
)
from routing.rules_data import packaged_rules
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import Consent
from shared.contracts.vocabulary import (
    CASE_MANAGERS,
    AgencyType,
    ConsentGiver,
    Need,
    Priority,
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


def case(**fields: object) -> CaseToRoute:
    defaults: dict[str, object] = {"case_id": uuid4(), "province_code": "62", "regency_code": "62.13"}
    return CaseToRoute(**{**defaults, **fields})  # type: ignore[arg-type]


def consenting(*types: AgencyType) -> frozenset[AgencyType]:
    return CASE_MANAGERS | frozenset(types)


def rule(rule_id: str = "test/rule", *targets: Target, **when: object) -> Rule:
    return Rule(id=rule_id, description=f"Test rule {rule_id}", when=Condition(**when),  # type: ignore[arg-type]
                refer=targets or (Target(agency_type=AgencyType.POLICE_PPA),))


ALL_CONSENTED = frozenset(AgencyType)

REGENCY_UPTD = regency("uptd-ppa-62.13", AgencyType.UPTD_PPA)
REGENCY_DINAS = regency("dinas-ppa-62.13", AgencyType.DINAS_PPA)
PROVINCE_UPTD = province("uptd-ppa-62", AgencyType.UPTD_PPA)
PROVINCE_DINAS = province("dinas-ppa-62", AgencyType.DINAS_PPA)
REGENCY_POLICE = regency("polres-62.13", AgencyType.POLICE_PPA)
PROVINCE_POLICE = province("polda-62", AgencyType.POLICE_PPA)
REGENCY_HEALTH = regency("rsud-62.13", AgencyType.HEALTH, services=(Need.KESEHATAN,))
REGENCY_SOSIAL = regency("dinsos-62.13", AgencyType.DINAS_SOSIAL)
REGENCY_PENDIDIKAN = regency("disdik-62.13", AgencyType.DINAS_PENDIDIKAN)
PROVINCE_LEGAL_AID = province("lbh-62", AgencyType.LEGAL_AID, services=(Need.BANTUAN_HUKUM,))
HOTLINE = national("sapa-129")
DIRECTORY = [
    HOTLINE, PROVINCE_DINAS, PROVINCE_UPTD, REGENCY_DINAS, REGENCY_UPTD, REGENCY_POLICE, PROVINCE_POLICE,
    REGENCY_HEALTH, REGENCY_SOSIAL, REGENCY_PENDIDIKAN, PROVINCE_LEGAL_AID,
]


# -- conditions -----------------------------------------------------------------------------------------------


def test_an_empty_condition_matches_every_case() -> None:
    assert Condition().holds(case())
    assert Condition().holds(case(province_code="91", regency_code="91.01", has_child_victim=True,
                                  priority=Priority.P1, violence_types=(ViolenceType.FISIK,)))


@pytest.mark.parametrize(
    ("regions", "holds"),
    [
        (("62",), True),
        (("62.13",), True),
        (("63", "62.13"), True),
        (("62.01",), False),
        (("63",), False),
        (("63.13",), False),
    ],
    ids=["province", "regency", "any-of-several", "other-regency", "other-province", "same-suffix"],
)
def test_regions_match_by_province_or_regency(regions: tuple[str, ...], holds: bool) -> None:
    assert Condition(regions=regions).holds(case()) is holds


@pytest.mark.parametrize(
    ("wanted", "present", "holds"),
    [
        ((ViolenceType.SEKSUAL,), (ViolenceType.SEKSUAL,), True),
        ((ViolenceType.SEKSUAL, ViolenceType.PERDAGANGAN_ORANG), (ViolenceType.FISIK, ViolenceType.PERDAGANGAN_ORANG),
         True),
        ((ViolenceType.SEKSUAL,), (ViolenceType.FISIK, ViolenceType.PSIKIS), False),
        ((ViolenceType.SEKSUAL,), (), False),
    ],
    ids=["same", "any-overlap", "no-overlap", "case-has-none"],
)
def test_violence_types_any(
    wanted: tuple[ViolenceType, ...], present: tuple[ViolenceType, ...], holds: bool
) -> None:
    assert Condition(violence_types_any=wanted).holds(case(violence_types=present)) is holds


@pytest.mark.parametrize(
    ("child_victim", "has_child_victim", "holds"),
    [
        (True, True, True),
        (True, False, False),
        (False, False, True),
        (False, True, False),
        (None, True, True),
        (None, False, True),
    ],
)
def test_child_victim(child_victim: bool | None, has_child_victim: bool, holds: bool) -> None:
    assert Condition(child_victim=child_victim).holds(case(has_child_victim=has_child_victim)) is holds


@pytest.mark.parametrize(
    ("wanted", "present", "holds"),
    [
        ((Need.BANTUAN_HUKUM,), (Need.KESEHATAN, Need.BANTUAN_HUKUM), True),
        ((Need.PEMULANGAN, Need.REHABILITASI_SOSIAL), (Need.REHABILITASI_SOSIAL,), True),
        ((Need.BANTUAN_HUKUM,), (Need.KESEHATAN,), False),
        ((Need.BANTUAN_HUKUM,), (), False),
    ],
    ids=["one-of-the-needs", "any-overlap", "no-overlap", "case-has-none"],
)
def test_needs_any(wanted: tuple[Need, ...], present: tuple[Need, ...], holds: bool) -> None:
    assert Condition(needs_any=wanted).holds(case(needs=present)) is holds


@pytest.mark.parametrize(
    ("priorities", "priority", "holds"),
    [
        ((Priority.P1,), Priority.P1, True),
        ((Priority.P1, Priority.P2), Priority.P2, True),
        ((Priority.P1,), Priority.P3, False),
    ],
)
def test_priorities(priorities: tuple[Priority, ...], priority: Priority, holds: bool) -> None:
    assert Condition(priorities=priorities).holds(case(priority=priority)) is holds


FULL_CONDITION = Condition(
    regions=("62.13",), violence_types_any=(ViolenceType.SEKSUAL,), child_victim=True,
    needs_any=(Need.KESEHATAN,), priorities=(Priority.P1,),
)
MATCHING_CASE = case(violence_types=(ViolenceType.SEKSUAL,), has_child_victim=True, needs=(Need.KESEHATAN,),
                     priority=Priority.P1)


def test_a_condition_holds_when_all_its_parts_hold() -> None:
    assert FULL_CONDITION.holds(MATCHING_CASE)


@pytest.mark.parametrize(
    "change",
    [
        {"regency_code": "62.01"},
        {"violence_types": (ViolenceType.FISIK,)},
        {"has_child_victim": False},
        {"needs": (Need.BANTUAN_HUKUM,)},
        {"priority": Priority.P2},
    ],
    ids=["region", "violence-type", "child-victim", "needs", "priority"],
)
def test_a_condition_fails_when_any_one_part_fails(change: dict[str, object]) -> None:
    assert not FULL_CONDITION.holds(replace(MATCHING_CASE, **change))  # type: ignore[arg-type]


# -- targets ------------------------------------------------------------------------------------------------


POLICE_RULE = rule("test/police", Target(agency_type=AgencyType.POLICE_PPA))
HEALTH_RULE = rule("test/health", Target(agency_type=AgencyType.HEALTH, service=Need.KESEHATAN))


def refer(rule_: Rule, agencies: list[Agency], *, excluded: frozenset[str] = frozenset(),
          case_: CaseToRoute | None = None) -> ReferralDecision | None:
    case_ = case_ or case(consented=ALL_CONSENTED)
    return supporting_referral(rule_, rule_.refer[0], case_, agencies, excluded=excluded)


def test_the_regency_agency_comes_before_the_province_agency() -> None:
    decision = refer(POLICE_RULE, [PROVINCE_POLICE, REGENCY_POLICE])
    assert decision is not None
    assert decision.agency == REGENCY_POLICE
    assert decision.rule == "test/police"
    assert not decision.is_lead
    assert decision.reason == (
        "Rule test/police (Test rule test/police); "
        "Agency polres-62.13 (polres-62.13) is the nearest active police PPA unit of regency 62.13."
    )


def test_the_province_agency_serves_when_the_regency_has_none() -> None:
    other_regency = regency("polres-62.01", AgencyType.POLICE_PPA, "62.01")
    decision = refer(POLICE_RULE, [other_regency, PROVINCE_POLICE])
    assert decision is not None
    assert decision.agency == PROVINCE_POLICE
    assert decision.reason.endswith("is the nearest active police PPA unit of province 62.")


def test_agencies_of_other_provinces_and_national_ones_do_not_serve_a_target() -> None:
    directory = [
        regency("polres-63.13", AgencyType.POLICE_PPA, "63.13"),
        province("polda-63", AgencyType.POLICE_PPA, "63"),
        national("mabes-polri", AgencyType.POLICE_PPA),
    ]
    assert refer(POLICE_RULE, directory) is None


def test_agencies_of_another_type_do_not_serve_a_target() -> None:
    assert refer(POLICE_RULE, [REGENCY_UPTD, REGENCY_HEALTH, PROVINCE_LEGAL_AID]) is None


def test_a_target_with_a_service_skips_agencies_without_it() -> None:
    puskesmas = regency("puskesmas-62.13", AgencyType.HEALTH)
    rsud_province = province("rsud-62", AgencyType.HEALTH, services=(Need.PENGADUAN, Need.KESEHATAN))
    decision = refer(HEALTH_RULE, [puskesmas, rsud_province])
    assert decision is not None
    assert decision.agency == rsud_province
    assert decision.reason.endswith("is the nearest active health facility of province 62 providing kesehatan.")


def test_a_target_with_a_service_nobody_provides_gives_nothing() -> None:
    assert refer(HEALTH_RULE, [regency("puskesmas-62.13", AgencyType.HEALTH)]) is None


def test_a_target_without_a_service_takes_any_agency_of_the_type() -> None:
    puskesmas = regency("puskesmas-62.13", AgencyType.HEALTH)
    decision = refer(rule("test/any-health", Target(agency_type=AgencyType.HEALTH)), [puskesmas])
    assert decision is not None
    assert decision.agency == puskesmas


def test_inactive_agencies_are_skipped() -> None:
    decision = refer(POLICE_RULE, [replace(REGENCY_POLICE, active=False), PROVINCE_POLICE])
    assert decision is not None
    assert decision.agency == PROVINCE_POLICE
    assert refer(POLICE_RULE, [replace(REGENCY_POLICE, active=False), replace(PROVINCE_POLICE, active=False)]) is None


def test_excluded_agencies_are_skipped() -> None:
    decision = refer(POLICE_RULE, [REGENCY_POLICE, PROVINCE_POLICE], excluded=frozenset({"polres-62.13"}))
    assert decision is not None
    assert decision.agency == PROVINCE_POLICE


def test_ties_are_broken_by_agency_id_whatever_the_directory_order() -> None:
    first, second = regency("polres-62.13-b", AgencyType.POLICE_PPA), regency("polres-62.13-a", AgencyType.POLICE_PPA)
    forwards, backwards = refer(POLICE_RULE, [first, second]), refer(POLICE_RULE, [second, first])
    assert forwards == backwards
    assert forwards is not None
    assert forwards.agency == second
    assert forwards.reason.endswith("of regency 62.13 (first by id of 2 candidates).")


# -- consent ------------------------------------------------------------------------------------------------


def test_a_target_the_victim_did_not_consent_to_is_skipped() -> None:
    without_police = case(consented=consenting(AgencyType.HEALTH))
    assert refer(POLICE_RULE, [REGENCY_POLICE], case_=without_police) is None
    with_police = case(consented=consenting(AgencyType.POLICE_PPA))
    assert refer(POLICE_RULE, [REGENCY_POLICE], case_=with_police) is not None


def test_case_managers_are_always_consented() -> None:
    reported = example_case_reported(consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.HEALTH,)))
    to_route = CaseToRoute.from_event(reported)
    assert to_route.consented >= CASE_MANAGERS
    assert case().consented == CASE_MANAGERS
    dinas_rule = rule("test/dinas", Target(agency_type=AgencyType.DINAS_PPA))
    decision = refer(dinas_rule, [PROVINCE_DINAS], case_=to_route)
    assert decision is not None
    assert decision.agency == PROVINCE_DINAS




# -- route --------------------------------------------------------------------------------------------------


EVERYTHING = case(
    violence_types=tuple(ViolenceType), has_child_victim=True, needs=tuple(Need), priority=Priority.P1,
    consented=ALL_CONSENTED,
)
RULE_IDS = {r.id for r in packaged_rules().rules} | {step.rule for step in LEAD_AGENCY_LADDER} | {
    RULE_NATIONAL_FALLBACK}


def test_the_lead_does_not_depend_on_consent() -> None:
    decisions = route(replace(EVERYTHING, consented=frozenset()), DIRECTORY, packaged_rules())
    assert [d.agency for d in decisions] == [REGENCY_UPTD]


def test_route_gives_one_lead_first_and_at_most_one_decision_per_agency() -> None:
    decisions = route(EVERYTHING, DIRECTORY, packaged_rules())
    assert decisions[0].is_lead
    assert decisions[0].agency == REGENCY_UPTD
    assert [d.is_lead for d in decisions[1:]] == [False] * (len(decisions) - 1)
    ids = [d.agency.agency_id for d in decisions]
    assert len(ids) == len(set(ids))


def test_every_decision_names_its_rule_and_a_reason_with_codes_and_agency_names_only() -> None:
    decisions = route(EVERYTHING, DIRECTORY, packaged_rules())
    assert len(decisions) > 1
    for decision in decisions:
        assert decision.rule in RULE_IDS
        assert decision.agency.label in decision.reason
        assert "62.13" in decision.reason or "province 62" in decision.reason
        assert decision.reason[0].isupper()
        assert decision.reason.endswith(".")
        assert str(EVERYTHING.case_id) not in decision.reason
        if not decision.is_lead:
            assert decision.reason.startswith(f"Rule {decision.rule} (")


def test_rules_that_do_not_hold_refer_nobody() -> None:
    rules = RuleSet(version=1, rules=(rule("test/p1-police", priorities=(Priority.P1,)),))
    assert [d.agency for d in route(case(priority=Priority.P3, consented=ALL_CONSENTED), DIRECTORY, rules)] == [
        REGENCY_UPTD]
    assert [d.agency for d in route(case(priority=Priority.P1, consented=ALL_CONSENTED), DIRECTORY, rules)] == [
        REGENCY_UPTD, REGENCY_POLICE]


def test_two_rules_for_the_same_only_agency_give_one_referral_under_the_first_rule() -> None:
    rules = RuleSet(version=1, rules=(rule("test/first"), rule("test/second")))
    decisions = route(case(consented=ALL_CONSENTED), [REGENCY_UPTD, REGENCY_POLICE], rules)
    assert [(d.agency, d.rule) for d in decisions] == [(REGENCY_UPTD, "lead-agency/regency-uptd"),
                                                      (REGENCY_POLICE, "test/first")]


def test_a_rule_for_a_kind_already_referred_adds_no_second_agency_of_that_kind() -> None:
    rules = RuleSet(version=1, rules=(rule("test/uptd", Target(agency_type=AgencyType.UPTD_PPA)),))
    decisions = route(case(), [REGENCY_UPTD, PROVINCE_UPTD], rules)
    assert [(d.agency, d.is_lead) for d in decisions] == [(REGENCY_UPTD, True)]


# A kecamatan (62.13.01) or desa code is a region a rule may name since issue 23; a broken one is not.
@pytest.mark.parametrize("regions", [("6",), ("62.1",), ("62.13.1",), ("62.13.01.203",), ("Kalteng",)])
def test_a_mistyped_region_code_is_refused(regions: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError):
        Condition(regions=regions)


def test_a_rule_with_several_targets_refers_each() -> None:
    rules = RuleSet(version=1, rules=(
        rule("test/both", Target(agency_type=AgencyType.POLICE_PPA), Target(agency_type=AgencyType.DINAS_SOSIAL)),
    ))
    decisions = route(case(consented=ALL_CONSENTED), DIRECTORY, rules)
    assert [d.agency for d in decisions] == [REGENCY_UPTD, REGENCY_POLICE, REGENCY_SOSIAL]
    assert {d.rule for d in decisions[1:]} == {"test/both"}


# -- the packaged rules -------------------------------------------------------------------------------------


def supporting(decisions: tuple[ReferralDecision, ...]) -> dict[str, str]:
    return {d.agency.agency_id: d.rule for d in decisions if not d.is_lead}


def test_the_packaged_rules_load() -> None:
    rules = packaged_rules()
    assert rules.version >= 1
    assert rules.rule("police/sexual-violence-and-trafficking") is not None
    assert rules.rule("no/such-rule") is None


def test_sexual_violence_with_consent_to_police_and_health() -> None:
    sexual = case(violence_types=(ViolenceType.SEKSUAL,),
                  consented=consenting(AgencyType.POLICE_PPA, AgencyType.HEALTH))
    decisions = route(sexual, DIRECTORY, packaged_rules())
    assert decisions[0].agency == REGENCY_UPTD
    assert supporting(decisions) == {
        "polres-62.13": "police/sexual-violence-and-trafficking",
        "rsud-62.13": "health/sexual-violence",
    }


def test_trafficking_goes_to_police_and_dinas_sosial() -> None:
    trafficking = case(violence_types=(ViolenceType.PERDAGANGAN_ORANG,),
                       consented=consenting(AgencyType.POLICE_PPA, AgencyType.DINAS_SOSIAL))
    assert supporting(route(trafficking, DIRECTORY, packaged_rules())) == {
        "polres-62.13": "police/sexual-violence-and-trafficking",
        "dinsos-62.13": "social/trafficking-return",
    }


def test_a_child_victim_with_consent_to_education_goes_to_the_dinas_pendidikan() -> None:
    child = case(has_child_victim=True, consented=consenting(AgencyType.DINAS_PENDIDIKAN))
    assert supporting(route(child, DIRECTORY, packaged_rules())) == {"disdik-62.13": "education/child-victim"}
    adult = replace(child, has_child_victim=False)
    assert supporting(route(adult, DIRECTORY, packaged_rules())) == {}


def test_a_need_for_legal_aid_goes_to_a_legal_aid_provider() -> None:
    needing = case(needs=(Need.BANTUAN_HUKUM,), consented=consenting(AgencyType.LEGAL_AID))
    assert supporting(route(needing, DIRECTORY, packaged_rules())) == {"lbh-62": "legal-aid/assistance"}


def test_a_need_for_medical_care_goes_to_a_health_facility_that_provides_it() -> None:
    puskesmas = regency("puskesmas-62.13", AgencyType.HEALTH)  # sorts before rsud, but gives no kesehatan
    needing = case(needs=(Need.KESEHATAN,), consented=consenting(AgencyType.HEALTH))
    assert supporting(route(needing, [*DIRECTORY, puskesmas], packaged_rules())) == {
        "rsud-62.13": "health/medical-care"}


def test_without_consent_only_the_lead_is_referred() -> None:
    no_consent = replace(EVERYTHING, consented=CASE_MANAGERS)
    decisions = route(no_consent, DIRECTORY, packaged_rules())
    assert decisions == (decisions[0],)
    assert decisions[0].agency == REGENCY_UPTD
    assert decisions[0].rule == "lead-agency/regency-uptd"


def test_a_province_without_agencies_goes_to_the_built_in_national_fallback() -> None:
    far_away = replace(EVERYTHING, province_code="96", regency_code="96.01")
    decisions = route(far_away, [a for a in DIRECTORY if a is not HOTLINE], packaged_rules())
    assert len(decisions) == 1
    assert decisions[0].agency == NATIONAL_FALLBACK
    assert decisions[0].agency.agency_id == "sapa-129"
    assert decisions[0].rule == RULE_NATIONAL_FALLBACK
    assert decisions[0].is_lead
    assert "built-in" in decisions[0].reason
    assert "regency 96.01" in decisions[0].reason
    assert "province 96" in decisions[0].reason


def test_a_province_without_agencies_goes_to_the_directory_hotline_when_listed() -> None:
    listed = replace(HOTLINE, name="SAPA 129 (directory row)")
    far_away = replace(EVERYTHING, province_code="96", regency_code="96.01")
    decisions = route(far_away, [*[a for a in DIRECTORY if a is not HOTLINE], listed], packaged_rules())
    assert [d.agency for d in decisions] == [listed]
    assert decisions[0].rule == RULE_NATIONAL_FALLBACK
    assert "built-in" not in decisions[0].reason


# -- the YAML form --------------------------------------------------------------------------------------------


def test_the_packaged_rules_survive_a_yaml_round_trip() -> None:
    rules = packaged_rules()
    assert RuleSet.from_yaml(rules.to_yaml()) == rules


def test_a_rule_set_using_every_part_survives_a_yaml_round_trip() -> None:
    rules = RuleSet(version=7, rules=(
        Rule(id="region/full", description="Every part — with ünïcode", when=FULL_CONDITION,
             refer=(Target(agency_type=AgencyType.HEALTH, service=Need.KESEHATAN),
                    Target(agency_type=AgencyType.NGO))),
        Rule(id="adults", description="Adults only", when=Condition(child_victim=False),
             refer=(Target(agency_type=AgencyType.COMMUNITY),)),
        Rule(id="always", description="Every case", refer=(Target(agency_type=AgencyType.KODIM),)),
    ))
    text = rules.to_yaml()
    assert RuleSet.from_yaml(text) == rules
    assert "ünïcode" in text
    assert "child_victim: false" in text
    assert RuleSet.from_yaml(text).rules[2].when == Condition()


def test_an_empty_rule_set_round_trips() -> None:
    rules = RuleSet(version=1)
    assert RuleSet.from_yaml(rules.to_yaml()) == rules


VALID_RULE = {"id": "police/x", "description": "A rule", "refer": [{"agency_type": "police_ppa"}]}


def rule_set_yaml(**changes: object) -> str:
    document: dict[str, object] = {"version": 1, "rules": [VALID_RULE]}
    document.update(changes)
    return yaml.safe_dump(document)


def test_the_valid_document_of_these_tests_loads() -> None:
    assert RuleSet.from_yaml(rule_set_yaml()).rules[0].id == "police/x"


@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "rules": [], "owner": "x"},
        {"version": 1, "rules": [{**VALID_RULE, "priority": 1}]},
        {"version": 1, "rules": [{**VALID_RULE, "when": {"province": "62"}}]},
        {"version": 1, "rules": [{**VALID_RULE, "refer": [{"agency_type": "police_ppa", "level": "regency"}]}]},
    ],
    ids=["rule-set", "rule", "condition", "target"],
)
def test_unknown_fields_are_rejected(document: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml(yaml.safe_dump(document))


@pytest.mark.parametrize(
    "rule_",
    [
        {**VALID_RULE, "refer": [{"agency_type": "kepolisian"}]},
        {**VALID_RULE, "refer": [{"agency_type": "health", "service": "pijat"}]},
        {**VALID_RULE, "when": {"violence_types_any": ["verbal"]}},
        {**VALID_RULE, "when": {"needs_any": ["uang"]}},
        {**VALID_RULE, "when": {"priorities": ["P0"]}},
        {**VALID_RULE, "refer": []},
        {"id": "police/x", "refer": [{"agency_type": "police_ppa"}]},
        {**VALID_RULE, "description": ""},
    ],
    ids=["agency-type", "service", "violence-type", "need", "priority", "no-target", "no-description",
         "blank-description"],
)
def test_unknown_vocabulary_and_incomplete_rules_are_rejected(rule_: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml(rule_set_yaml(rules=[rule_]))


@pytest.mark.parametrize(
    "rule_id",
    ["", "Police/x", "police x", "police//x", "-police", "police/", "police_x", "police.x", "x" * 101],
)
def test_bad_rule_ids_are_rejected(rule_id: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml(rule_set_yaml(rules=[{**VALID_RULE, "id": rule_id}]))


@pytest.mark.parametrize("rule_id", ["police", "police/x", "legal-aid/assistance", "a1/b-2/c3", "x" * 100])
def test_good_rule_ids_are_accepted(rule_id: str) -> None:
    assert RuleSet.from_yaml(rule_set_yaml(rules=[{**VALID_RULE, "id": rule_id}])).rules[0].id == rule_id


def test_duplicate_rule_ids_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="rule ids must be unique: police/x"):
        RuleSet.from_yaml(rule_set_yaml(rules=[VALID_RULE, {**VALID_RULE, "description": "Another"}]))


@pytest.mark.parametrize("version", [0, -1])
def test_a_version_below_one_is_rejected(version: int) -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml(rule_set_yaml(version=version))


def test_a_version_is_required() -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml("rules: []\n")


@pytest.mark.parametrize("text", ["", "- a list\n", "just text\n"])
def test_a_document_that_is_not_a_mapping_is_rejected(text: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        RuleSet.from_yaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object:routing.domain.rules.RuleSet {version: 1}\n",
        "version: !!python/object/apply:builtins.int ['5']\nrules: []\n",
        "!!python/object/new:builtins.dict {}\n",
    ],
)
def test_only_safe_yaml_is_read(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        RuleSet.from_yaml(text)


def test_rule_sets_are_immutable() -> None:
    rules = packaged_rules()
    with pytest.raises(pydantic.ValidationError):
        rules.version = 99  # type: ignore[misc]
