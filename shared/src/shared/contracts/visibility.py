"""Need to know: which of a case's non-personal facts each kind of agency may see.

One map for every place a case's facts leave a service: intake's case reads and notifications' payloads alike.
Personal fields (names, contacts, addresses, the story) are decided apart, by intake, and never travel.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from shared.contracts.vocabulary import AgencyType


class FactGroup(StrEnum):
    """Groups of a case's facts (``shared.contracts.intake.CaseFacts``), shown or withheld together."""

    REFERENCE = "reference"  # case number, region, priority, when and how it was reported
    OFFENCE = "offence"  # violence types, ABH, place (with its district and village), incident date
    VICTIMS = "victims"  # each victim's sex, age group, disability, education, nationality
    PERPETRATORS = "perpetrators"  # each perpetrator's sex, age group, relationship to the victim
    NEEDS = "needs"  # the services the victim needs
    TRIAGE = "triage"  # why the case has its priority
    CONSENT = "consent"  # whom the victim allows the case to be shared with


FACT_FIELDS: Mapping[FactGroup, tuple[str, ...]] = {
    FactGroup.REFERENCE: ("case_number", "province_code", "regency_code", "priority", "reported_at", "channel"),
    FactGroup.OFFENCE: (  # the district and village say where it happened, as intake's own reads do
        "violence_types", "child_in_conflict_with_law", "place", "district_code", "village_code", "incident_date",
        "incident_date_precision",
    ),
    FactGroup.VICTIMS: ("victims",),
    FactGroup.PERPETRATORS: ("perpetrators",),
    FactGroup.NEEDS: ("needs",),
    FactGroup.TRIAGE: ("triage_reasons",),
    FactGroup.CONSENT: ("consent",),
}

_ALL = frozenset(FactGroup)
_R, _O, _V, _P, _N, _T = (
    FactGroup.REFERENCE, FactGroup.OFFENCE, FactGroup.VICTIMS, FactGroup.PERPETRATORS, FactGroup.NEEDS,
    FactGroup.TRIAGE,
)

# What each kind of agency needs for its part. Case managers coordinate everything; the police and legal aid
# need the offence and who did it; health needs the victim and the kind of violence (for examination); social
# services, schools and NGOs need the victim and the needs, not the perpetrator; the community only what to do.
VISIBLE_FACTS: Mapping[AgencyType, frozenset[FactGroup]] = {
    AgencyType.UPTD_PPA: _ALL,
    AgencyType.DINAS_PPA: _ALL,
    AgencyType.NATIONAL_HOTLINE: _ALL,
    AgencyType.POLICE_PPA: frozenset({_R, _O, _V, _P, _N, _T}),
    AgencyType.LEGAL_AID: frozenset({_R, _O, _V, _P, _N}),
    AgencyType.HEALTH: frozenset({_R, _O, _V, _N, _T}),
    AgencyType.KODIM: frozenset({_R, _O, _N}),
    AgencyType.DINAS_SOSIAL: frozenset({_R, _V, _N, _T}),
    AgencyType.DINAS_PENDIDIKAN: frozenset({_R, _V, _N}),
    AgencyType.NGO: frozenset({_R, _V, _N}),
    AgencyType.COMMUNITY: frozenset({_R, _N}),
}


def visible_fact_fields(agency_type: str) -> tuple[str, ...]:
    """The names of the ``CaseFacts`` fields an agency of ``agency_type`` may see, in the contract's order. A
    kind this build does not know sees no more than the reference."""
    try:
        groups = VISIBLE_FACTS[AgencyType(agency_type)]
    except ValueError:
        groups = frozenset({FactGroup.REFERENCE})
    return tuple(name for group in FactGroup if group in groups for name in FACT_FIELDS[group])
