"""The agency directory as the rules see it.

Named after Open Referral HSDS where that is cheap: an agency is an HSDS *organization* (``name``,
``alternate_name``, ``email``, ``phone``), ``services`` are the names of its HSDS *services*, and ``level`` with
``province_code``/``regency_code`` is its *service area*. One record per agency for now; separate service and
service-area records come when a rule needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.vocabulary import AgencyType

AGENCY_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


def agency_type_label(agency_type: AgencyType) -> str:
    """How an operator names the kind of agency, in the reasons routing writes."""
    return _TYPE_LABELS[agency_type]


_TYPE_LABELS = {
    AgencyType.UPTD_PPA: "UPTD PPA",
    AgencyType.DINAS_PPA: "Dinas PPA",
    AgencyType.POLICE_PPA: "police PPA unit",
    AgencyType.KODIM: "Kodim",
    AgencyType.HEALTH: "health facility",
    AgencyType.DINAS_SOSIAL: "Dinas Sosial",
    AgencyType.DINAS_PENDIDIKAN: "Dinas Pendidikan",
    AgencyType.LEGAL_AID: "legal aid provider",
    AgencyType.NGO: "NGO",
    AgencyType.COMMUNITY: "community service",
    AgencyType.NATIONAL_HOTLINE: "national hotline",
}


class AgencyLevel(StrEnum):
    """The administrative level an agency serves (its service area)."""

    REGENCY = "regency"  # kabupaten / kota
    PROVINCE = "province"
    NATIONAL = "national"


class InvalidAgencyError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Agency:
    """A directory entry. Cases are referred to the agency's queue; the directory names no people."""

    agency_id: str
    name: str
    agency_type: AgencyType
    level: AgencyLevel
    province_code: str | None = None
    regency_code: str | None = None
    services: tuple[str, ...] = ()
    active: bool = True
    alternate_name: str | None = None
    email: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        if not AGENCY_ID.match(self.agency_id):
            raise InvalidAgencyError("agency_id", "must be a lowercase slug such as uptd-ppa-62.13")
        if not self.name.strip():
            raise InvalidAgencyError("name", "must not be blank")
        self._check_service_area()

    def _check_service_area(self) -> None:
        """The codes must say exactly where the agency serves, no more and no less than its level."""
        if self.level is AgencyLevel.NATIONAL:
            if self.province_code is not None:
                raise InvalidAgencyError("province_code", "must be empty for a national agency")
            if self.regency_code is not None:
                raise InvalidAgencyError("regency_code", "must be empty for a national agency")
            return
        if self.province_code is None or not PROVINCE_CODE.match(self.province_code):
            raise InvalidAgencyError("province_code", f"a {self.level} agency needs a province code such as 62")
        if self.level is AgencyLevel.PROVINCE:
            if self.regency_code is not None:
                raise InvalidAgencyError("regency_code", "must be empty for a province agency")
            return
        if self.regency_code is None or not REGENCY_CODE.match(self.regency_code):
            raise InvalidAgencyError("regency_code", "a regency agency needs a regency code such as 62.13")
        if not self.regency_code.startswith(f"{self.province_code}."):
            raise InvalidAgencyError("regency_code", f"must lie in province {self.province_code}")

    def serves_regency(self, regency_code: str) -> bool:
        return self.level is AgencyLevel.REGENCY and self.regency_code == regency_code

    def serves_province(self, province_code: str) -> bool:
        """A province-level agency of ``province_code`` (regency agencies of the province do not count)."""
        return self.level is AgencyLevel.PROVINCE and self.province_code == province_code

    @property
    def label(self) -> str:
        """How an operator recognises the agency in a reason: its name and its directory id."""
        return f"{self.name} ({self.agency_id})"
