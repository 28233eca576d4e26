"""Who may create, manage, read and list which subscriptions (the API's rules; migration 0003 mirrors them as
row-level security)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from notifications.domain.access import (
    may_create,
    may_list_agency,
    may_list_province,
    may_list_region,
    may_manage,
    may_read,
    region_of_new_subscription,
)
from notifications.domain.subscriptions import AGENCY_EVENT_TYPES, Channel, Filters, Language, Scope, Subscription
from shared.auth import Principal, Role

NOW = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
AGENCY_A = "uptd-ppa-62.13"  # an agency of Kotawaringin Timur, Kalimantan Tengah (62)
AGENCY_B = "polres-62.71"


def person(
    user_id: str,
    *roles: Role,
    agency_id: str | None = None,
    province_code: str | None = None,
    regency_code: str | None = None,
) -> Principal:
    return Principal(
        user_id=user_id, roles=frozenset(roles), agency_id=agency_id,
        agency_type="uptd_ppa" if agency_id == AGENCY_A else ("police_ppa" if agency_id else None),
        province_code=province_code, regency_code=regency_code,
    )


PEOPLE: dict[str, Principal] = {
    "staff_a": person("staff-a", Role.AGENCY_STAFF, agency_id=AGENCY_A, province_code="62", regency_code="62.13"),
    "supervisor_a": person(
        "sup-a", Role.AGENCY_SUPERVISOR, agency_id=AGENCY_A, province_code="62", regency_code="62.13"
    ),
    "supervisor_b": person(
        "sup-b", Role.AGENCY_SUPERVISOR, agency_id=AGENCY_B, province_code="62", regency_code="62.71"
    ),
    "district_62_13": person("district", Role.DISTRICT_SUPERVISOR, province_code="62", regency_code="62.13"),
    "district_no_regency": person("district-x", Role.DISTRICT_SUPERVISOR, province_code="62"),
    "admin_62": person("admin-62", Role.PROVINCE_ADMIN, province_code="62"),
    "admin_63": person("admin-63", Role.PROVINCE_ADMIN, province_code="63"),
    "admin_no_province": person("admin-x", Role.PROVINCE_ADMIN),
    "auditor_62": person("auditor", Role.AUDITOR, province_code="62", regency_code="62.13"),
    "operator": person("operator", Role.OPERATOR, province_code="62", regency_code="62.13"),
    # an agency's id without an agency role is no one's
    "public_with_agency": person("public", Role.PUBLIC, agency_id=AGENCY_A, province_code="62"),
}


def subscription(scope: Scope, agency_id: str | None, region_code: str | None) -> Subscription:
    return Subscription(
        subscription_id=uuid4(), scope=scope, agency_id=agency_id, region_code=region_code,
        event_types=AGENCY_EVENT_TYPES, channel=Channel.WEBHOOK, target="https://ppa.example/hooks/sinergi",
        language=Language.INDONESIAN, filters=Filters(), paused=False, created_at=NOW, updated_at=NOW,
    )


SUBSCRIPTIONS: dict[str, Subscription] = {
    "own_a": subscription(Scope.AGENCY, AGENCY_A, None),  # agency A's supervisor made it: all its referrals
    "admin_a_62": subscription(Scope.AGENCY, AGENCY_A, "62"),  # the province 62 admin made it for agency A
    "admin_a_63": subscription(Scope.AGENCY, AGENCY_A, "63"),  # the province 63 admin made it for agency A
    "own_b": subscription(Scope.AGENCY, AGENCY_B, None),
    "region_62_13": subscription(Scope.REGION, None, "62.13"),
    "region_62_14": subscription(Scope.REGION, None, "62.14"),
    "region_62": subscription(Scope.REGION, None, "62"),
    "region_63_01": subscription(Scope.REGION, None, "63.01"),
}

MANAGES: dict[str, set[str]] = {
    "staff_a": set(),
    "supervisor_a": {"own_a"},
    "supervisor_b": {"own_b"},
    "district_62_13": {"region_62_13"},
    "district_no_regency": set(),
    "admin_62": {"admin_a_62", "region_62_13", "region_62_14", "region_62"},
    "admin_63": {"admin_a_63", "region_63_01"},
    "admin_no_province": set(),
    "auditor_62": set(),
    "operator": set(),
    "public_with_agency": set(),
}

# Reading adds, for the people of an agency, every subscription about their agency (even one an admin made).
READS: dict[str, set[str]] = {
    **MANAGES,
    "staff_a": {"own_a", "admin_a_62", "admin_a_63"},
    "supervisor_a": {"own_a", "admin_a_62", "admin_a_63"},
}

PAIRS = [(who, what) for who in PEOPLE for what in SUBSCRIPTIONS]


def test_the_tables_name_everyone() -> None:
    assert set(MANAGES) == set(READS) == set(PEOPLE)
    assert all(names <= set(SUBSCRIPTIONS) for names in READS.values())


@pytest.mark.parametrize(("who", "what"), PAIRS)
def test_may_manage(who: str, what: str) -> None:
    assert may_manage(PEOPLE[who], SUBSCRIPTIONS[what]) is (what in MANAGES[who])


@pytest.mark.parametrize(("who", "what"), PAIRS)
def test_may_read(who: str, what: str) -> None:
    assert may_read(PEOPLE[who], SUBSCRIPTIONS[what]) is (what in READS[who])


@pytest.mark.parametrize(("who", "what"), PAIRS)
def test_whoever_may_manage_may_read(who: str, what: str) -> None:
    principal, candidate = PEOPLE[who], SUBSCRIPTIONS[what]
    assert may_read(principal, candidate) or not may_manage(principal, candidate)


def test_an_agency_supervisor_may_read_but_not_change_what_an_admin_subscribed_for_the_agency() -> None:
    supervisor, made_by_admin = PEOPLE["supervisor_a"], SUBSCRIPTIONS["admin_a_62"]
    assert may_read(supervisor, made_by_admin)
    assert not may_manage(supervisor, made_by_admin)


def test_a_province_admin_does_not_manage_an_agencys_own_subscription() -> None:
    """An agency's own subscription covers all its referrals, which may lie beyond any one province."""
    assert not may_manage(PEOPLE["admin_62"], SUBSCRIPTIONS["own_a"])
    assert not may_read(PEOPLE["admin_62"], SUBSCRIPTIONS["own_a"])


def test_the_auditor_has_no_part_in_subscriptions() -> None:
    auditor = PEOPLE["auditor_62"]
    assert not any(may_read(auditor, s) or may_manage(auditor, s) for s in SUBSCRIPTIONS.values())
    assert not any(may_create(auditor, scope, agency) for scope in Scope for agency in (AGENCY_A, AGENCY_B, None))
    assert not may_list_agency(auditor, AGENCY_A)
    assert not any(may_list_region(auditor, code) for code in ("62", "62.13"))


# -- creating --------------------------------------------------------------------------------------------------


CREATES: dict[str, set[tuple[Scope, str | None]]] = {
    "staff_a": set(),
    "supervisor_a": {(Scope.AGENCY, AGENCY_A)},
    "supervisor_b": {(Scope.AGENCY, AGENCY_B)},
    "district_62_13": {(Scope.REGION, None)},
    "district_no_regency": set(),
    "admin_62": {(Scope.AGENCY, AGENCY_A), (Scope.AGENCY, AGENCY_B), (Scope.REGION, None)},  # any agency ...
    "admin_63": {(Scope.AGENCY, AGENCY_A), (Scope.AGENCY, AGENCY_B), (Scope.REGION, None)},  # ... own province
    "admin_no_province": set(),
    "auditor_62": set(),
    "operator": set(),
    "public_with_agency": set(),
}
# A region subscription names no agency (the API refuses one that does before asking); an agency one must.
REQUESTS = [(Scope.AGENCY, AGENCY_A), (Scope.AGENCY, AGENCY_B), (Scope.AGENCY, None), (Scope.REGION, None)]


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize(("scope", "agency_id"), REQUESTS)
def test_may_create(who: str, scope: Scope, agency_id: str | None) -> None:
    assert may_create(PEOPLE[who], scope, agency_id) is ((scope, agency_id) in CREATES[who])


@pytest.mark.parametrize(
    ("who", "scope", "agency_id", "region"),
    [
        ("supervisor_a", Scope.AGENCY, AGENCY_A, None),  # the agency's own: all its referrals
        ("supervisor_b", Scope.AGENCY, AGENCY_B, None),
        ("admin_62", Scope.AGENCY, AGENCY_A, "62"),  # an admin's: only the admin's province
        ("admin_63", Scope.AGENCY, AGENCY_A, "63"),
        ("admin_62", Scope.REGION, None, "62"),
        ("district_62_13", Scope.REGION, None, "62.13"),
    ],
)
def test_region_of_a_new_subscription(who: str, scope: Scope, agency_id: str | None, region: str | None) -> None:
    principal = PEOPLE[who]
    assert may_create(principal, scope, agency_id)
    made = subscription(scope, agency_id, region_of_new_subscription(principal, scope, agency_id))
    assert made.region_code == region
    assert may_manage(principal, made)  # whoever made it can manage it afterwards
    assert may_read(principal, made)


def test_a_supervisor_of_an_agency_who_is_also_a_province_admin_subscribes_for_all_its_referrals() -> None:
    both = person("both", Role.AGENCY_SUPERVISOR, Role.PROVINCE_ADMIN, agency_id=AGENCY_A, province_code="62")
    assert region_of_new_subscription(both, Scope.AGENCY, AGENCY_A) is None
    assert region_of_new_subscription(both, Scope.AGENCY, AGENCY_B) == "62"


# -- listing ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "agency_id", "allowed"),
    [
        ("staff_a", AGENCY_A, True),
        ("staff_a", AGENCY_B, False),
        ("supervisor_a", AGENCY_A, True),
        ("supervisor_a", AGENCY_B, False),
        ("supervisor_b", AGENCY_B, True),
        ("district_62_13", AGENCY_A, False),
        ("admin_62", AGENCY_A, True),  # then sees only their province's
        ("admin_63", AGENCY_A, True),
        ("admin_no_province", AGENCY_A, False),
        ("auditor_62", AGENCY_A, False),
        ("operator", AGENCY_A, False),
        ("public_with_agency", AGENCY_A, False),
    ],
)
def test_may_list_agency(who: str, agency_id: str, allowed: bool) -> None:
    assert may_list_agency(PEOPLE[who], agency_id) is allowed


@pytest.mark.parametrize(
    ("who", "region_code", "allowed"),
    [
        ("admin_62", "62", True),
        ("admin_62", "62.13", True),
        ("admin_62", "62.71", True),
        ("admin_62", "63", False),
        ("admin_62", "63.01", False),
        ("admin_63", "62.13", False),
        ("admin_63", "63.01", True),
        ("admin_no_province", "62", False),
        ("district_62_13", "62.13", True),
        ("district_62_13", "62", False),
        ("district_62_13", "62.14", False),
        ("district_no_regency", "62.13", False),
        ("supervisor_a", "62.13", False),
        ("staff_a", "62.13", False),
        ("auditor_62", "62.13", False),
        ("operator", "62.13", False),
    ],
)
def test_may_list_region(who: str, region_code: str, allowed: bool) -> None:
    assert may_list_region(PEOPLE[who], region_code) is allowed


@pytest.mark.parametrize(
    ("who", "province_code", "allowed"),
    [("admin_62", "62", True), ("admin_62", "63", False), ("admin_63", "63", True), ("admin_no_province", "62", False),
     ("district_62_13", "62", False), ("supervisor_a", "62", False), ("auditor_62", "62", False)],
)
def test_may_list_province(who: str, province_code: str, allowed: bool) -> None:
    assert may_list_province(PEOPLE[who], province_code) is allowed
