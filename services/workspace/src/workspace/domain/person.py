"""Who is signed in, as the workspace shows it: read from the claims of the person's token. The workspace
decides nothing with it: every service checks the same token by its own rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

AGENCY_ROLES = frozenset({"agency_staff", "agency_supervisor"})


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    roles: frozenset[str]
    agency_id: str | None
    agency_type: str | None

    @property
    def works_in_agency(self) -> bool:
        return bool(self.agency_id) and bool(self.roles & AGENCY_ROLES)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Person:
        roles = claims.get("sinergi_roles") or []
        return cls(
            user_id=str(claims.get("sub", "")),
            name=str(claims.get("name") or claims.get("preferred_username") or claims.get("sub", "")),
            roles=frozenset(str(role) for role in roles if isinstance(role, str)),
            agency_id=claims.get("sinergi_agency"),
            agency_type=claims.get("sinergi_agency_type"),
        )

    def as_claims(self) -> dict[str, Any]:
        """What the session keeps of the person (JSON)."""
        return {"sub": self.user_id, "name": self.name, "sinergi_roles": sorted(self.roles),
                "sinergi_agency": self.agency_id, "sinergi_agency_type": self.agency_type}
