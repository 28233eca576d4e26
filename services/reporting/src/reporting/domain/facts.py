"""The facts of a case that statistics count: no name, contact or narrative ever reaches reporting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.contracts import AgeGroup, CaseReported, CaseUpdated, Channel, Sex, ViolenceType
from shared.contracts.vocabulary import PlaceCategory, Relationship


@dataclass(frozen=True)
class VictimCount:
    """One victim as SIMFONI counts them: sex and age group."""

    sex: Sex
    age_group: AgeGroup


@dataclass(frozen=True)
class CaseFacts:
    """A case's countable facts as of ``as_of`` (the event that stated them): ``case.reported`` first, then
    each ``case.updated`` carries the whole of them again, so the latest stated facts stand."""

    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    violence_types: tuple[ViolenceType, ...]
    victims: tuple[VictimCount, ...]
    relationships: tuple[Relationship, ...]
    place: PlaceCategory
    channel: Channel
    reported_at: datetime
    as_of: datetime
    district_code: str | None = None  # the kecamatan, when the report named one
    village_code: str | None = None  # the desa/kelurahan, when the report named one

    @classmethod
    def from_event(cls, event: CaseReported | CaseUpdated) -> CaseFacts:
        return cls(
            case_id=event.case_id,
            case_number=event.case_number,
            province_code=event.province_code,
            regency_code=event.regency_code,
            # SIMFONI counts a case once per violence type (and per relationship), so one named twice is one.
            violence_types=tuple(dict.fromkeys(event.violence_types)),
            victims=tuple(VictimCount(victim.sex, victim.age_group) for victim in event.victims),
            # A case whose perpetrator is not known still counts, under "not known".
            relationships=tuple(dict.fromkeys(p.relationship for p in event.perpetrators))
            or (Relationship.TIDAK_DIKETAHUI,),
            place=event.place,
            channel=event.channel,
            reported_at=event.reported_at,
            as_of=event.occurred_at,
            district_code=event.district_code,
            village_code=event.village_code,
        )
