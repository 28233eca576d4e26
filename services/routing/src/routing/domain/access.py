"""Who may see and act on referrals (the database holds the same rules as row-level security, 0002):

- agency staff and supervisors see their own agency's referrals and move them on (accept, decline, start
  service, complete);
- district supervisors (their regency), province admins and auditors (their province) see their region's, and
  district supervisors and province admins may revoke them;
- only a province admin changes the agency directory; anyone signed in may read it.
"""

from __future__ import annotations

from routing.domain.referrals import Referral
from shared.auth import AGENCY_ROLES, Principal, Role

REFERRAL_READERS = (*AGENCY_ROLES, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN, Role.AUDITOR)
DIRECTORY_READERS = tuple(role for role in Role if role is not Role.PUBLIC)
DIRECTORY_EDITORS = (Role.PROVINCE_ADMIN,)


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
