"""Who may manage and read an agency's subscriptions and delivery logs (the database holds the same rules as
row-level security, 0002):

- an agency supervisor manages their own agency's subscriptions, and its staff may read them;
- a province admin manages subscriptions for any agency of the directory, but each is limited to the admin's
  province (it only carries referrals of cases there), and sees only the subscriptions of that province.
"""

from __future__ import annotations

from notifications.domain.subscriptions import Subscription
from shared.auth import Principal, Role

SUBSCRIBERS = (Role.AGENCY_SUPERVISOR, Role.PROVINCE_ADMIN)
SUBSCRIPTION_READERS = (Role.AGENCY_STAFF, *SUBSCRIBERS)


def province_of_new_subscription(principal: Principal) -> str | None:
    """A province admin's subscriptions carry only their province's cases; an agency's own, all of its."""
    if _is_province_admin(principal):
        return principal.province_code
    return None


def _is_province_admin(principal: Principal) -> bool:
    return principal.has_role(Role.PROVINCE_ADMIN) and principal.province_code is not None


def may_subscribe(principal: Principal, agency_id: str) -> bool:
    return _is_province_admin(principal) or (
        principal.has_role(Role.AGENCY_SUPERVISOR) and principal.works_for(agency_id)
    )


def may_read_agency(principal: Principal, agency_id: str) -> bool:
    """May ask for the agency's subscriptions at all (a province admin then sees their province's only)."""
    return _is_province_admin(principal) or principal.works_for(agency_id)


def may_read(principal: Principal, subscription: Subscription) -> bool:
    if principal.works_for(subscription.agency_id):
        return True
    return _is_province_admin(principal) and subscription.province_code == principal.province_code
