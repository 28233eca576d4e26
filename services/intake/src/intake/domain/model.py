"""A report as intake accepts it, and the case it opens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from intake.domain.access import PersonalField
from shared.contracts import AgeGroup, CaseReported, Channel, Sex, ViolenceType

REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


class InvalidReportError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Victim:
    sex: Sex
    age: int | None
    name: str | None = None  # personal

    @property
    def age_group(self) -> AgeGroup:
        return AgeGroup.of_age(self.age)


@dataclass(frozen=True)
class Reporter:
    """Who told us, when they leave a name or a number to call back (both personal)."""

    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Report:
    """What a reporter told us. Its personal fields leave this object only encrypted (``personal_fields``)."""

    regency_code: str
    violence_types: tuple[ViolenceType, ...]
    victim: Victim
    narrative: str
    channel: Channel
    reporter: Reporter = Reporter()
    address: str | None = None  # personal
    recorded_by: str | None = None  # the operator who recorded it; None when the public reported directly

    def __post_init__(self) -> None:
        if not REGENCY_CODE.match(self.regency_code):
            raise InvalidReportError("regency_code", "must be a Kemendagri regency/city code such as 62.13")
        if not self.violence_types:
            raise InvalidReportError("violence_types", "at least one violence type is required")
        if self.victim.age is not None and not 0 <= self.victim.age <= 120:
            raise InvalidReportError("victim.age", "must be between 0 and 120")

    @property
    def province_code(self) -> str:
        return self.regency_code.split(".", 1)[0]

    def personal_fields(self) -> dict[PersonalField, str]:
        """The personal fields given, by name: what is encrypted and what access control decides on."""
        values = {
            PersonalField.NARRATIVE: self.narrative,
            PersonalField.VICTIM_NAME: self.victim.name,
            PersonalField.REPORTER_NAME: self.reporter.name,
            PersonalField.REPORTER_PHONE: self.reporter.phone,
            PersonalField.ADDRESS: self.address,
        }
        return {name: value for name, value in values.items() if value}


def case_number(regency_code: str, year: int, sequence: int) -> str:
    """Human-readable, per regency and year: ``6213-2026-00042``."""
    return f"{regency_code.replace('.', '')}-{year}-{sequence:05d}"


@dataclass(frozen=True)
class Case:
    case_id: UUID
    case_number: str
    report: Report
    reported_at: datetime

    def reported_event(self) -> CaseReported:
        return CaseReported(
            case_id=self.case_id,
            case_number=self.case_number,
            province_code=self.report.province_code,
            regency_code=self.report.regency_code,
            violence_types=tuple(dict.fromkeys(self.report.violence_types)),
            victim_sex=self.report.victim.sex,
            victim_age_group=self.report.victim.age_group,
            channel=self.report.channel,
            reported_at=self.reported_at,
        )
