"""Routing rules: given a case and the agencies that serve its place, which agencies get a referral, and why.

Each rule is a pure function of the case and the candidate agencies and returns decisions that name the rule
and give a reason an operator can check against the directory (codes and agency names only, no personal data).
``route`` runs the rule set; today that is the lead-agency rule, later rules add supporting referrals (police,
health, schools) as further decisions with ``is_lead=False``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from routing.domain.agencies import Agency, AgencyLevel, agency_type_label
from routing.domain.cases import CaseToRoute
from shared.contracts.vocabulary import AgencyType

RULE_NATIONAL_FALLBACK = "lead-agency/national-fallback"

# A case must never go nowhere: when the directory has no active national hotline, this one is used.
NATIONAL_FALLBACK = Agency(
    agency_id="sapa-129",
    name="SAPA 129 (Sahabat Perempuan dan Anak, KemenPPPA)",
    alternate_name="SAPA 129",
    agency_type=AgencyType.NATIONAL_HOTLINE,
    level=AgencyLevel.NATIONAL,
    services=("pengaduan", "rujukan"),
)


@dataclass(frozen=True)
class ReferralDecision:
    agency: Agency
    rule: str
    reason: str
    is_lead: bool


@dataclass(frozen=True)
class _LeadStep:
    """One step of the lead-agency ladder: an active agency of ``agency_type`` serving the case's ``level``."""

    rule: str
    agency_type: AgencyType
    level: AgencyLevel

    def area(self, case: CaseToRoute) -> str:
        if self.level is AgencyLevel.REGENCY:
            return f"regency {case.regency_code}"
        return f"province {case.province_code}"

    def matches(self, agency: Agency, case: CaseToRoute) -> bool:
        if not agency.active or agency.agency_type is not self.agency_type:
            return False
        if self.level is AgencyLevel.REGENCY:
            return agency.serves_regency(case.regency_code)
        return agency.serves_province(case.province_code)


# The case manager is the UPTD PPA closest to the case, then the Dinas PPA that would otherwise handle it.
LEAD_AGENCY_LADDER: tuple[_LeadStep, ...] = (
    _LeadStep("lead-agency/regency-uptd", AgencyType.UPTD_PPA, AgencyLevel.REGENCY),
    _LeadStep("lead-agency/regency-dinas", AgencyType.DINAS_PPA, AgencyLevel.REGENCY),
    _LeadStep("lead-agency/province-uptd", AgencyType.UPTD_PPA, AgencyLevel.PROVINCE),
    _LeadStep("lead-agency/province-dinas", AgencyType.DINAS_PPA, AgencyLevel.PROVINCE),
)


def _pick(candidates: list[Agency]) -> tuple[Agency, str]:
    """The first candidate by agency id, so the choice never depends on the order the directory was read in."""
    chosen = min(candidates, key=lambda agency: agency.agency_id)
    tie = f" (first by id of {len(candidates)} candidates)" if len(candidates) > 1 else ""
    return chosen, tie


def lead_agency(case: CaseToRoute, agencies: Iterable[Agency]) -> ReferralDecision:
    """The case manager for ``case``: the first step of the ladder with an active agency, else the national
    fallback. Always returns a decision."""
    candidates = list(agencies)
    misses: list[str] = []
    for step in LEAD_AGENCY_LADDER:
        matching = [agency for agency in candidates if step.matches(agency, case)]
        if matching:
            chosen, tie = _pick(matching)
            hit = f"{chosen.label} is the active {agency_type_label(step.agency_type)} of {step.area(case)}{tie}"
            return ReferralDecision(chosen, step.rule, _sentence([*misses, hit]), is_lead=True)
        misses.append(f"no active {agency_type_label(step.agency_type)} for {step.area(case)}")
    return _national_fallback(candidates, misses)


def _national_fallback(candidates: list[Agency], misses: list[str]) -> ReferralDecision:
    hotlines = [
        agency for agency in candidates
        if agency.active and agency.agency_type is AgencyType.NATIONAL_HOTLINE and agency.level is AgencyLevel.NATIONAL
    ]
    preferred = [agency for agency in hotlines if agency.agency_id == NATIONAL_FALLBACK.agency_id]
    if hotlines:
        chosen, tie = _pick(preferred or hotlines)
        hit = f"referred to the national fallback {chosen.label}{tie}"
    else:
        chosen = NATIONAL_FALLBACK
        hit = (f"referred to the built-in national fallback {chosen.label}, "
               "as the directory lists no active national hotline")
    return ReferralDecision(chosen, RULE_NATIONAL_FALLBACK, _sentence([*misses, hit]), is_lead=True)


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


def route(case: CaseToRoute, agencies: Iterable[Agency]) -> tuple[ReferralDecision, ...]:
    """Every referral the rule set makes for ``case``: exactly one lead, at most one decision per agency."""
    return (lead_agency(case, agencies),)
