"""Who is signed in, as the workspace shows it: read from the claims of the person's token. The workspace
decides nothing with it about access: every service checks the same token by its own rules. It only chooses
which pages to offer (an agency's inbox, a district's inbox, or none yet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workspace.domain.live import agency_audience, regency_audience

AGENCY_ROLES = frozenset({"agency_staff", "agency_supervisor"})
DISTRICT_SUPERVISOR = "district_supervisor"
AUDITOR, PROVINCE_ADMIN, OPERATOR = "auditor", "province_admin", "operator"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    roles: frozenset[str]
    agency_id: str | None
    agency_type: str | None
    province_code: str | None = None
    regency_code: str | None = None

    @property
    def works_in_agency(self) -> bool:
        return bool(self.agency_id) and bool(self.roles & AGENCY_ROLES)

    @property
    def supervises_district(self) -> bool:
        return bool(self.regency_code) and DISTRICT_SUPERVISOR in self.roles

    @property
    def audits_province(self) -> bool:
        """An auditor of a province: the audit pages (a case's trail, its reads, its chain verified)."""
        return bool(self.province_code) and AUDITOR in self.roles

    @property
    def administers_province(self) -> bool:
        """A province admin: their province's directory, rules, subscriptions and SIMFONI export."""
        return bool(self.province_code) and PROVINCE_ADMIN in self.roles

    @property
    def takes_reports(self) -> bool:
        """A hotline operator: their own pages (``entrypoints.operator_pages``), not an inbox."""
        return OPERATOR in self.roles

    @property
    def has_workspace(self) -> bool:
        """Whether the workspace has pages for this person yet: an agency's people and district supervisors.
        The other roles (operator, province admin, auditor, national admin) come with issue 23."""
        return self.works_in_agency or self.supervises_district

    @property
    def live_audience(self) -> str | None:
        """Whose referral events this person's open inbox hears (``domain.live``): their agency's, else their
        regency's; None when they have no inbox."""
        if self.works_in_agency and self.agency_id:
            return agency_audience(self.agency_id)
        if self.supervises_district and self.regency_code:
            return regency_audience(self.regency_code)
        return None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Person:
        roles = claims.get("sinergi_roles") or []
        return cls(
            user_id=str(claims.get("sub", "")),
            name=str(claims.get("name") or claims.get("preferred_username") or claims.get("sub", "")),
            roles=frozenset(str(role) for role in roles if isinstance(role, str)),
            agency_id=claims.get("sinergi_agency"),
            agency_type=claims.get("sinergi_agency_type"),
            province_code=claims.get("sinergi_province"),
            regency_code=claims.get("sinergi_regency"),
        )

    def as_claims(self) -> dict[str, Any]:
        """What the session keeps of the person (JSON)."""
        return {"sub": self.user_id, "name": self.name, "sinergi_roles": sorted(self.roles),
                "sinergi_agency": self.agency_id, "sinergi_agency_type": self.agency_type,
                "sinergi_province": self.province_code, "sinergi_regency": self.regency_code}
