"""Who may see and act on referrals (the database holds the same rules as row-level security, 0002):

- agency staff and supervisors see their own agency's referrals and move them on (accept, decline, start
  service, complete);
- district supervisors (their regency), province admins and auditors (their province) see their region's, and
  district supervisors and province admins may revoke them;
- a province admin changes the agencies of their own province and their province's rule set; a national admin
  the national agencies (SAPA 129...) and the national default rule set (0005); anyone signed in reads both.
"""

from __future__ import annotations

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.referrals import Referral
from routing.domain.rules import NATIONAL_SCOPE
from shared.auth import AGENCY_ROLES, Principal, Role

REFERRAL_READERS = (*AGENCY_ROLES, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN, Role.AUDITOR)
DIRECTORY_READERS = tuple(role for role in Role if role is not Role.PUBLIC)
DIRECTORY_EDITORS = (Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN)
RULE_EDITORS = DIRECTORY_EDITORS


def may_edit_agency(principal: Principal, agency: Agency) -> bool:
    """A national agency is the national admin's; any other the admin of its province's."""
    if agency.level is AgencyLevel.NATIONAL:
        return principal.has_role(Role.NATIONAL_ADMIN)
    return (principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code is not None
            and principal.province_code == agency.province_code)


def may_edit_rules(principal: Principal, scope: str) -> bool:
    """The national default (``scope`` national) is the national admin's; a province's, its admin's."""
    if scope == NATIONAL_SCOPE:
        return principal.has_role(Role.NATIONAL_ADMIN)
    return principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code == scope


def acts_for(principal: Principal, referral: Referral) -> bool:
    return principal.works_for(referral.agency_id)


def can_view(principal: Principal, referral: Referral) -> bool:
    return acts_for(principal, referral) or principal.supervises(referral.province_code, referral.regency_code)


REVOKERS = (Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN)


def may(principal: Principal, action: str, referral: Referral) -> bool:
    """Whether ``principal`` may make ``action`` on ``referral``."""
    if action == "revoke":
        return principal.has_role(*REVOKERS) and principal.supervises(referral.province_code, referral.regency_code)
    return acts_for(principal, referral)
