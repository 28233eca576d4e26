"""Which parts of a stored record an agency sees: the record's non-personal facts, cut by the one map of
``shared.contracts.visibility`` (named after ``CaseFacts``' fields), so a school sees no perpetrator here either.
"""

from __future__ import annotations

from typing import Any

# Each part of the record (``intake.domain.record.Report`` without its personal fields), by the ``CaseFacts``
# field whose visibility decides it. A part not listed here is shown to no agency: a new field stays hidden until
# someone decides who needs it.
RECORD_FACTS: dict[str, str] = {
    "incident": "incident_date",
    "violence_types": "violence_types",
    "child_in_conflict_with_law": "child_in_conflict_with_law",
    "injuries": "triage_reasons",  # what triage weighed
    "ongoing_danger": "triage_reasons",
    "victims": "victims",
    "perpetrators": "perpetrators",
    "needs": "needs",
    "consent": "consent",
    "reporter": "channel",  # how the report reached us: by whom (a relation, never a name), and by which channel
    "channel": "channel",
}
# The parts of ``location``, each under the ``CaseFacts`` field of the same name (the district and village are
# seen with the place, where it happened; the province and regency are the case's reference).
LOCATION_FACTS: dict[str, str] = {
    "province_code": "province_code",
    "regency_code": "regency_code",
    "district_code": "district_code",
    "village_code": "village_code",
    "place": "place",
}


def visible_record(facts: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
    """The record's facts that ``fields`` (``CaseScope.fact_fields``) allow; all of them for None."""
    if fields is None:
        return facts
    shown = {name: value for name, value in facts.items() if RECORD_FACTS.get(name) in fields}
    location = facts.get("location")
    if isinstance(location, dict):
        shown["location"] = {name: value for name, value in location.items() if LOCATION_FACTS.get(name) in fields}
    return shown
