"""Routing rules: given a case and the agencies that serve its place, which agencies get a referral, and why.

Two parts. The lead agency (the case manager) is fixed policy, a ladder: the regency's UPTD PPA, else its Dinas
PPA, else the province's UPTD PPA, else its Dinas, else the national fallback SAPA 129; a case never goes
nowhere. Supporting referrals come from a declarative, versioned rule set (YAML; ``RuleSet``): each rule matches
on region, violence types, a child victim, needs and priority, and refers to agency queues by type, within what
the victim consented to. Every decision names its rule and gives a reason an operator can check against the
directory (codes and agency names only, no personal data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from routing.domain.agencies import Agency, AgencyLevel, agency_type_label
from routing.domain.cases import CaseToRoute
from shared.contracts.vocabulary import AgencyType, Need, Priority, ViolenceType

RULE_NATIONAL_FALLBACK = "lead-agency/national-fallback"
# The scope of the national default rule set; a province's own rule set has the province code as its scope.
NATIONAL_SCOPE = "national"

# A case must never go nowhere: when the directory has no active national hotline, this one is used.
NATIONAL_FALLBACK = Agency(
    agency_id="sapa-129",
    name="SAPA 129 (Sahabat Perempuan dan Anak, KemenPPPA)",
    alternate_name="SAPA 129",
    agency_type=AgencyType.NATIONAL_HOTLINE,
    level=AgencyLevel.NATIONAL,
    services=(),
)


@dataclass(frozen=True)
class ReferralDecision:
    agency: Agency
    rule: str
    reason: str
    is_lead: bool


# -- the rule set -------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """All given parts must hold; a part left out matches every case."""

    regions: tuple[Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")], ...] = Field(
        default=(), description=(
            "Province (`62`), regency (`62.13`), kecamatan (`62.13.01`) or desa (`62.13.01.2003`) codes; the case "
            "must lie in one")
    )
    violence_types_any: tuple[ViolenceType, ...] = ()
    child_victim: bool | None = Field(default=None, description="true: a victim under 18; false: none is")
    needs_any: tuple[Need, ...] = ()
    priorities: tuple[Priority, ...] = ()

    def holds(self, case: CaseToRoute) -> bool:
        return (
            (not self.regions or bool(_places(case) & set(self.regions)))
            and (not self.violence_types_any or bool(set(self.violence_types_any) & set(case.violence_types)))
            and (self.child_victim is None or self.child_victim == case.has_child_victim)
            and (not self.needs_any or bool(set(self.needs_any) & set(case.needs)))
            and (not self.priorities or case.priority in self.priorities)
        )


def _places(case: CaseToRoute) -> set[str]:
    """The codes of every area the case lies in, desa to province."""
    return {code for code in (case.village_code, case.district_code, case.regency_code, case.province_code) if code}


class Target(_Strict):
    """An agency queue: the nearest active agency of ``agency_type`` that provides ``service`` when one is named.
    Nearest: one serving the case's desa, else its kecamatan, else the whole regency, else the province."""

    agency_type: AgencyType
    service: Need | None = None


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(?:[-/][a-z0-9]+)*$", max_length=100)
    description: str = Field(min_length=1, max_length=500)
    when: Condition = Condition()
    refer: tuple[Target, ...] = Field(min_length=1)


class RuleSet(_Strict):
    """A version of the rules. Versions only go up; each referral records the version it was made under."""

    version: int = Field(ge=1)
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [rule.id for rule in self.rules]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"rule ids must be unique: {', '.join(duplicated)}")
        return self

    @classmethod
    def from_yaml(cls, text: str) -> RuleSet:
        document: Any = yaml.safe_load(text)
        return cls.model_validate(document)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True)

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


# -- the lead agency ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """An active agency of ``agency_type`` serving the case's ``level``."""

    rule: str
    agency_type: AgencyType
    level: AgencyLevel

    def area(self, case: CaseToRoute) -> str:
        return f"regency {case.regency_code}" if self.level is AgencyLevel.REGENCY else f"province {case.province_code}"

    def matches(self, agency: Agency, case: CaseToRoute) -> bool:
        if not agency.active or agency.agency_type is not self.agency_type:
            return False
        if self.level is AgencyLevel.REGENCY:
            return agency.serves_regency(case.regency_code)
        return agency.serves_province(case.province_code)


# The case manager is the UPTD PPA closest to the case, then the Dinas PPA that would otherwise handle it.
LEAD_AGENCY_LADDER: tuple[_Step, ...] = (
    _Step("lead-agency/regency-uptd", AgencyType.UPTD_PPA, AgencyLevel.REGENCY),
    _Step("lead-agency/regency-dinas", AgencyType.DINAS_PPA, AgencyLevel.REGENCY),
    _Step("lead-agency/province-uptd", AgencyType.UPTD_PPA, AgencyLevel.PROVINCE),
    _Step("lead-agency/province-dinas", AgencyType.DINAS_PPA, AgencyLevel.PROVINCE),
)

# A lead found by any other step is a fallback: the regency has no active lead agency of its own.
REGENCY_LEAD_RULES = frozenset(step.rule for step in LEAD_AGENCY_LADDER if step.level is AgencyLevel.REGENCY)


def is_fallback(lead_rule: str) -> bool:
    """Whether the rule that chose a lead is a fallback (the province's agencies or SAPA 129), not the case's
    regency's own."""
    return lead_rule not in REGENCY_LEAD_RULES


# Where a breached SLA goes next: district UPTD -> district Dinas -> province UPTD -> SAPA 129.
ESCALATION_CHAIN: tuple[_Step, ...] = LEAD_AGENCY_LADDER[:3]


def _pick(candidates: list[Agency]) -> tuple[Agency, str]:
    """The first candidate by agency id, so the choice never depends on the order the directory was read in."""
    chosen = min(candidates, key=lambda agency: agency.agency_id)
    tie = f" (first by id of {len(candidates)} candidates)" if len(candidates) > 1 else ""
    return chosen, tie


def lead_agency(
    case: CaseToRoute, agencies: Iterable[Agency], *, excluded: frozenset[str] = frozenset()
) -> ReferralDecision | None:
    """The case manager for ``case``: the first step of the ladder with an active agency not in ``excluded``
    (those that declined), else the national fallback. Without ``excluded`` there is always one; None only when
    every one of them, SAPA 129 included, is excluded."""
    directory = list(agencies)
    candidates = [agency for agency in directory if agency.agency_id not in excluded]
    misses: list[str] = []
    for step in LEAD_AGENCY_LADDER:
        matching = [agency for agency in candidates if step.matches(agency, case)]
        kind = agency_type_label(step.agency_type)
        if matching:
            chosen, tie = _pick(matching)
            hit = f"{chosen.label} is the active {kind} of {step.area(case)}{tie}"
            return ReferralDecision(chosen, step.rule, _sentence([*misses, hit]), is_lead=True)
        passed_over = sorted(a.agency_id for a in directory if a.agency_id in excluded and step.matches(a, case))
        if passed_over:
            misses.append(f"the {kind} of {step.area(case)} ({', '.join(passed_over)}) already declined or holds it")
        else:
            misses.append(f"no active {kind} for {step.area(case)}")
    national = _national(candidates, misses, excluded=excluded)
    return None if national is None else ReferralDecision(*national, is_lead=True)


def _national(
    candidates: list[Agency], misses: list[str], *, excluded: frozenset[str] = frozenset()
) -> tuple[Agency, str, str] | None:
    hotlines = [
        agency for agency in candidates
        if agency.active and agency.agency_type is AgencyType.NATIONAL_HOTLINE and agency.level is AgencyLevel.NATIONAL
    ]
    preferred = [agency for agency in hotlines if agency.agency_id == NATIONAL_FALLBACK.agency_id]
    if hotlines:
        chosen, tie = _pick(preferred or hotlines)
        hit = f"referred to the national fallback {chosen.label}{tie}"
    elif NATIONAL_FALLBACK.agency_id in excluded:
        return None  # even the national line declined or holds it: nobody is left
    else:
        chosen = NATIONAL_FALLBACK
        hit = (f"referred to the built-in national fallback {chosen.label}, "
               "as the directory lists no active national hotline")
    return chosen, RULE_NATIONAL_FALLBACK, _sentence([*misses, hit])


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


# -- supporting referrals -----------------------------------------------------------------------------------


def _reaches(case: CaseToRoute) -> Iterator[tuple[str, Callable[[Agency], bool]]]:
    """The areas around the case, nearest first, with whether an agency serves each: desa, kecamatan (the two only
    when the case names them), regency, province."""
    if case.village_code:
        yield f"desa {case.village_code}", lambda agency: agency.serves_village(case.village_code)
    if case.district_code:
        yield f"kecamatan {case.district_code}", lambda agency: agency.serves_district(case.district_code)
    yield f"regency {case.regency_code}", lambda agency: agency.serves_regency(case.regency_code)
    yield f"province {case.province_code}", lambda agency: agency.serves_province(case.province_code)


def _nearest(target: Target, case: CaseToRoute, candidates: list[Agency]) -> tuple[Agency, str] | None:
    for area, serves in _reaches(case):
        matching = [
            agency for agency in candidates
            if agency.active and agency.agency_type is target.agency_type and serves(agency)
            and (target.service is None or target.service in agency.services)
        ]
        if matching:
            chosen, tie = _pick(matching)
            providing = f" providing {target.service}" if target.service else ""
            kind = agency_type_label(target.agency_type)
            return chosen, f"{chosen.label} is the nearest active {kind} of {area}{providing}{tie}"
    return None


def supporting_referral(
    rule: Rule, target: Target, case: CaseToRoute, agencies: Iterable[Agency], *, excluded: frozenset[str]
) -> ReferralDecision | None:
    """The referral ``rule`` makes to ``target`` for ``case``, or None when consent forbids it or no agency
    outside ``excluded`` fits."""
    if target.agency_type not in case.consented:
        return None
    found = _nearest(target, case, [agency for agency in agencies if agency.agency_id not in excluded])
    if found is None:
        return None
    agency, why = found
    return ReferralDecision(agency, rule.id, _sentence([f"rule {rule.id} ({rule.description})", why]), is_lead=False)


def route(case: CaseToRoute, agencies: Iterable[Agency], rules: RuleSet) -> tuple[ReferralDecision, ...]:
    """Every referral for ``case``: exactly one lead, then, for each matching rule's targets in rule order, the
    nearest agency of that kind that consent allows and the directory has, at most one agency of each kind."""
    candidates = list(agencies)
    lead = lead_agency(case, candidates)
    assert lead is not None  # nothing is excluded: the national fallback at the least
    decisions = [lead]
    for rule in rules.rules:
        if not rule.when.holds(case):
            continue
        for target in rule.refer:
            # One agency of each kind: a second rule asking for the police does not add another police unit.
            if any(decision.agency.agency_type is target.agency_type for decision in decisions):
                continue
            decision = supporting_referral(rule, target, case, candidates, excluded=frozenset())
            if decision is not None:
                decisions.append(decision)
    return tuple(decisions)


def replacement(
    case: CaseToRoute, declined: tuple[str, AgencyType, bool], agencies: Iterable[Agency], rules: RuleSet, *,
    excluded: frozenset[str],
) -> ReferralDecision | None:
    """Who takes over a declined referral: the next lead on the ladder, or the next agency the same rule would
    pick; never one in ``excluded`` (those already holding or having declined the case). ``declined`` is the
    declined referral's rule, agency type and whether it was the lead."""
    declined_rule, declined_type, is_lead = declined
    if is_lead:
        return lead_agency(case, agencies, excluded=excluded)
    rule = rules.rule(declined_rule)
    if rule is None:
        return None
    target = next((t for t in rule.refer if t.agency_type is declined_type), None)
    return None if target is None else supporting_referral(rule, target, case, agencies, excluded=excluded)


def escalation_target(
    case: CaseToRoute, breached_id: str, agencies: Iterable[Agency], *, declined: frozenset[str] = frozenset()
) -> Agency | None:
    """The next agency up the chain from the one that breached its SLA: district UPTD PPA, district Dinas,
    province UPTD PPA, then SAPA 129; None above SAPA 129. An agency outside the chain (police, health...)
    escalates to the first of the chain. Agencies that ``declined`` the case are passed over."""
    directory = list(agencies)
    breached = next((agency for agency in directory if agency.agency_id == breached_id), None)
    if breached_id == NATIONAL_FALLBACK.agency_id or (
        breached is not None and breached.agency_type is AgencyType.NATIONAL_HOTLINE
    ):
        return None
    start = 0
    for index, step in enumerate(ESCALATION_CHAIN):
        if breached is not None and step.matches(breached, case):
            start = index + 1
    passed_over = declined | {breached_id}
    candidates = [agency for agency in directory if agency.agency_id not in passed_over]
    for step in ESCALATION_CHAIN[start:]:
        matching = [agency for agency in candidates if step.matches(agency, case)]
        if matching:
            return _pick(matching)[0]
    national = _national(candidates, [], excluded=declined)
    return None if national is None else national[0]
