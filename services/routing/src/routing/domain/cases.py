"""A case as routing sees it: where it happened, what kind of case it is, what the victim needs and consented
to, and how urgent it is; never who is in it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from shared.contracts import CaseReported, CaseUpdated
from shared.contracts.vocabulary import CASE_MANAGERS, AgencyType, Need, Priority, ViolenceType


@dataclass(frozen=True)
class CaseToRoute:
    case_id: UUID
    province_code: str
    regency_code: str
    violence_types: tuple[ViolenceType, ...] = ()
    has_child_victim: bool = False
    needs: tuple[Need, ...] = ()
    priority: Priority = Priority.P3
    # The kinds of agency the victim or guardian allows the case to go to; the case managers always.
    consented: frozenset[AgencyType] = CASE_MANAGERS
    case_number: str | None = None  # shown in the referral list; None for cases kept before it was
    # The kecamatan and desa, when the report names them: they reach the agencies serving only that area.
    district_code: str | None = None
    village_code: str | None = None

    @classmethod
    def from_event(cls, event: CaseReported | CaseUpdated) -> CaseToRoute:
        return cls(
            case_id=event.case_id,
            province_code=event.province_code,
            regency_code=event.regency_code,
            violence_types=tuple(event.violence_types),
            has_child_victim=event.has_child_victim,
            needs=tuple(event.needs),
            priority=event.priority,
            consented=CASE_MANAGERS | frozenset(event.consent.agency_types),
            case_number=event.case_number,
            district_code=event.district_code,
            village_code=event.village_code,
        )

    def to_document(self) -> dict[str, Any]:
        document = asdict(self)
        document["case_id"] = str(self.case_id)
        document["consented"] = sorted(self.consented)
        for optional in ("case_number", "district_code", "village_code"):
            if document[optional] is None:
                del document[optional]  # as documents were before routing kept them
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> CaseToRoute:
        return cls(
            case_id=UUID(document["case_id"]),
            province_code=document["province_code"],
            regency_code=document["regency_code"],
            violence_types=tuple(ViolenceType(v) for v in document["violence_types"]),
            has_child_victim=document["has_child_victim"],
            needs=tuple(Need(n) for n in document["needs"]),
            priority=Priority(document["priority"]),
            consented=frozenset(AgencyType(t) for t in document["consented"]),
            case_number=document.get("case_number"),
            district_code=document.get("district_code"),
            village_code=document.get("village_code"),
        )
