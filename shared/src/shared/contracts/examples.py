"""Example events: a valid instance of each with sensible defaults, for tests and documentation. Only the
facts a caller cares about need naming; the rest is a plain P3 web report of one adult woman."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from shared.contracts.base import utc_now
from shared.contracts.intake import CaseReported, Consent, VictimFacts
from shared.contracts.vocabulary import (
    CASE_MANAGERS,
    AgeGroup,
    Channel,
    ConsentGiver,
    PlaceCategory,
    Priority,
    Sex,
    TriageReason,
    ViolenceType,
)


def example_case_reported(
    *, victim_sex: Sex | str = Sex.PEREMPUAN, victim_age_group: AgeGroup | str = AgeGroup.AGE_25_44, **fields: Any
) -> CaseReported:
    """A ``case.reported`` with ``fields`` set; ``victim_sex`` and ``victim_age_group`` describe its one victim
    unless ``victims`` is given."""
    regency_code = str(fields.get("regency_code", "62.13"))
    defaults: dict[str, Any] = {
        "case_id": uuid4(),
        "case_number": f"{regency_code.replace('.', '')}-2026-00001",
        "province_code": regency_code[:2],
        "regency_code": regency_code,
        "violence_types": (ViolenceType.PSIKIS,),
        "child_in_conflict_with_law": False,
        "place": PlaceCategory.RUMAH_TANGGA,
        "incident_date": None,
        "incident_date_precision": "unknown",
        "victims": (VictimFacts(sex=Sex(victim_sex), age_group=AgeGroup(victim_age_group)),),
        "consent": Consent(given_by=ConsentGiver.BELUM_DITANYAKAN, agency_types=tuple(sorted(CASE_MANAGERS))),
        "priority": Priority.P3,
        "triage_reasons": (TriageReason.NO_URGENT_FACTOR,),
        "channel": Channel.WEB,
        "reported_at": utc_now(),
    }
    return CaseReported(**{**defaults, **fields})
