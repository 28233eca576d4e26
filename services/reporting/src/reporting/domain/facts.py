"""The facts of a case that statistics count: no name, contact or narrative ever reaches reporting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.contracts import AgeGroup, CaseReported, Channel, Sex, ViolenceType


@dataclass(frozen=True)
class CaseFacts:
    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    violence_types: tuple[ViolenceType, ...]
    victim_sex: Sex
    victim_age_group: AgeGroup
    channel: Channel
    reported_at: datetime

    @classmethod
    def from_event(cls, event: CaseReported) -> CaseFacts:
        return cls(
            case_id=event.case_id,
            case_number=event.case_number,
            province_code=event.province_code,
            regency_code=event.regency_code,
            # SIMFONI counts a case once per violence type, so a type named twice is still one type.
            violence_types=tuple(dict.fromkeys(event.violence_types)),
            victim_sex=event.victim_sex,
            victim_age_group=event.victim_age_group,
            channel=event.channel,
            reported_at=event.reported_at,
        )
