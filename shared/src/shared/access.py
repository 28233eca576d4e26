"""Who is acting in a transaction, told to Postgres so that row-level security can hold on its own.

Every service's case tables have FORCE ROW LEVEL SECURITY policies that read the settings below (see
``shared.migration_ops.create_access_functions``). Each transaction of a unit of work sets them with
``set_config(..., is_local => true)`` (that is, SET LOCAL) as it begins, so they die with the transaction and a
pooled connection never carries one request's identity into the next. Without them a policy sees no role and
no rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from shared.auth import Principal, Role

# The service itself (consumers, workers, the relay, maintenance commands): never a role in a token.
SERVICE_ROLE = "service"

_SET_ACCESS = text(
    "SELECT set_config('sinergi.roles', :roles, true), set_config('sinergi.user_id', :user_id, true),"
    " set_config('sinergi.agency_id', :agency_id, true), set_config('sinergi.province_code', :province_code, true),"
    " set_config('sinergi.regency_code', :regency_code, true)"
)


@dataclass(frozen=True)
class AccessContext:
    """The identity one transaction acts with; empty strings mean "none"."""

    roles: frozenset[str]
    user_id: str = ""
    agency_id: str = ""
    province_code: str = ""
    regency_code: str = ""

    @classmethod
    def of(cls, principal: Principal) -> AccessContext:
        return cls(
            roles=frozenset(role.value for role in principal.roles),
            user_id=principal.user_id,
            agency_id=principal.agency_id or "",
            province_code=principal.province_code or "",
            regency_code=principal.regency_code or "",
        )

    def settings(self) -> dict[str, str]:
        return {
            "roles": ",".join(sorted(self.roles)),
            "user_id": self.user_id,
            "agency_id": self.agency_id,
            "province_code": self.province_code,
            "regency_code": self.regency_code,
        }


SERVICE_CONTEXT = AccessContext(roles=frozenset({SERVICE_ROLE}), user_id=SERVICE_ROLE)
ANONYMOUS = Principal(user_id="anonymous", roles=frozenset({Role.PUBLIC}))


def apply_access(connection: Connection, context: AccessContext) -> None:
    """SET LOCAL the access settings on the transaction ``connection`` has just begun."""
    connection.execute(_SET_ACCESS, context.settings())
