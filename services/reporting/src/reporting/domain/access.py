"""Who may read what reporting holds (the database holds the same rules as row-level security, 0002-0004):

- exact statistics: district supervisors for their regency, province admins and auditors for their province;
  anyone else, or a supervisor asking beyond their region, gets the public aggregates (``disclosure``);
- the audit trails: auditors, for the cases of their province.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from reporting.domain.statistics import StatsFilter
from shared.auth import Principal, Role

STATS_READERS = (Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN, Role.AUDITOR)
AUDIT_READERS = (Role.AUDITOR,)

Query = TypeVar("Query", bound=StatsFilter)


def may_audit(principal: Principal, province_code: str, regency_code: str) -> bool:
    return principal.has_role(*AUDIT_READERS) and principal.supervises(province_code, regency_code)


class OutsideRegionError(ValueError):
    """Statistics asked for a region the principal does not supervise."""


def scoped_to_region(principal: Principal, query: Query) -> Query:
    """``query`` narrowed to the region the principal supervises (their whole region when the query names
    none); OutsideRegionError if it asks beyond it or the principal supervises no region."""
    if principal.has_role(Role.PROVINCE_ADMIN, Role.AUDITOR) and principal.province_code:
        province = principal.province_code
        if query.province_code not in (None, province):
            raise OutsideRegionError("province")
        if query.regency_code is not None and not query.regency_code.startswith(f"{province}."):
            raise OutsideRegionError("regency")
        return replace(query, province_code=province)
    if principal.has_role(Role.DISTRICT_SUPERVISOR) and principal.regency_code:
        regency = principal.regency_code
        if query.regency_code not in (None, regency):
            raise OutsideRegionError("regency")
        if query.province_code not in (None, regency.split(".", 1)[0]):
            raise OutsideRegionError("province")
        return replace(query, regency_code=regency)
    raise OutsideRegionError("region")
