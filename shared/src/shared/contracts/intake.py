"""Events produced by intake."""

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import Event
from shared.contracts.topics import CASES
from shared.contracts.vocabulary import AgeGroup, Channel, Sex, ViolenceType


class CaseReported(Event):
    """A report was accepted and a case opened. Carries only what routing and statistics need: no name,
    contact, address or narrative."""

    topic: ClassVar[str] = CASES.name

    event_type: Literal["case.reported"] = "case.reported"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    case_number: str = Field(description="Human-readable case number, unique per regency and year.")
    province_code: str = Field(description="Kemendagri province code, e.g. `62`.")
    regency_code: str = Field(description="Kemendagri regency/city code, e.g. `62.13`.")
    violence_types: tuple[ViolenceType, ...] = Field(min_length=1)
    victim_sex: Sex
    victim_age_group: AgeGroup
    channel: Channel
    reported_at: AwareDatetime
