"""Who may manage and read which subscriptions and delivery logs (the database holds the same rules as
row-level security, migration 0003):

- an agency supervisor manages their own agency's subscriptions, and its staff may read them;
- a district supervisor manages region subscriptions for their regency;
- a province admin manages subscriptions for any agency and region subscriptions, each limited to the admin's
  province (an agency subscription made by the admin carries only that province's cases), and sees those.
"""

from __future__ import annotations

from notifications.domain.subscriptions import Scope, Subscription
from shared.auth import AGENCY_ROLES, Principal, Role

SUBSCRIBERS = (Role.AGENCY_SUPERVISOR, Role.DISTRICT_SUPERVISOR, Role.PROVINCE_ADMIN)
SUBSCRIPTION_READERS = (Role.AGENCY_STAFF, *SUBSCRIBERS)


def _province_admin(principal: Principal) -> bool:
    return principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code is not None


def _district_supervisor(principal: Principal) -> bool:
    return principal.has_role(Role.DISTRICT_SUPERVISOR) and principal.regency_code is not None


def may_create(principal: Principal, scope: Scope, agency_id: str | None) -> bool:
    if scope is Scope.AGENCY:
        own = agency_id is not None and principal.has_role(Role.AGENCY_SUPERVISOR) and principal.works_for(agency_id)
        return agency_id is not None and (own or _province_admin(principal))
    return _district_supervisor(principal) or _province_admin(principal)


def region_of_new_subscription(principal: Principal, scope: Scope, agency_id: str | None) -> str | None:
    """The region a new subscription ``may_create`` allowed is limited to: None for an agency's own (all its
    referrals), else the maker's regency (a district supervisor) or province (a province admin)."""
    if scope is Scope.AGENCY and agency_id is not None and principal.has_role(Role.AGENCY_SUPERVISOR) \
            and principal.works_for(agency_id):
        return None
    if scope is Scope.REGION and _district_supervisor(principal):
        return principal.regency_code
    return principal.province_code


def may_manage(principal: Principal, subscription: Subscription) -> bool:
    if _province_admin(principal) and subscription.province_code == principal.province_code:
        return True
    if subscription.scope is Scope.REGION:
        return _district_supervisor(principal) and subscription.region_code == principal.regency_code
    return (
        principal.has_role(Role.AGENCY_SUPERVISOR)
        and subscription.agency_id is not None
        and principal.works_for(subscription.agency_id)
        and subscription.region_code is None
    )


def may_read(principal: Principal, subscription: Subscription) -> bool:
    if may_manage(principal, subscription):
        return True
    return (
        subscription.scope is Scope.AGENCY
        and subscription.agency_id is not None
        and principal.has_role(*AGENCY_ROLES)
        and principal.works_for(subscription.agency_id)
    )


def may_list_agency(principal: Principal, agency_id: str) -> bool:
    """May ask for the agency's subscriptions at all (a province admin then sees their province's only)."""
    return _province_admin(principal) or principal.works_for(agency_id)


def may_list_province(principal: Principal, province_code: str) -> bool:
    """Every subscription limited to the province: its province admin's to see."""
    return _province_admin(principal) and province_code == principal.province_code


def may_list_region(principal: Principal, region_code: str) -> bool:
    if _province_admin(principal) and region_code[:2] == principal.province_code:
        return True
    return _district_supervisor(principal) and region_code == principal.regency_code
