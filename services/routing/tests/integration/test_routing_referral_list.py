"""``GET /v1/referrals`` against the real Postgres: who lists what, the filters, the order, keyset paging over
many referrals, the case facts routing keeps for it, and row-level security under the app role."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text

from routing.adapters import referral_list as store
from routing.domain.referral_list import SEGMENTS, Scope, ScopeKind
from routing.service_layer.referrals import Routing, record_case_update, refer_case
from services.routing.tests.integration.support import Clock, runtime_of
from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import Principal, Role
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import CaseUpdated
from shared.contracts.vocabulary import Priority, ViolenceType
from sinergi_local.infrastructure import Infrastructure
from tests.databases import execute

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
# As the table's owner (the admin): the app role may not analyse it, and Postgres only warns when it tries.
ANALYZE = "ANALYZE routing.referrals"
STATUSES = ("created", "accepted", "in_service", "completed", "declined", "revoked")





def use_clock(client: httpx.AsyncClient, clock: Clock) -> Routing:
    routing = Routing(client.app.state.routing.sla, clock)  # type: ignore[attr-defined]
    client.app.state.routing = routing  # type: ignore[attr-defined]
    return routing


async def seed(client: httpx.AsyncClient, *, count: int, agency: str, province: str, regency: str,
               now: datetime) -> None:
    """``count`` referrals of ``agency`` straight into the table, in one statement: every status and priority,
    deadlines from 50 hours before ``now`` to 50 hours after it (so some are overdue), some sharing a deadline."""
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        await uow.session.execute(text("""
            INSERT INTO routing.referrals (referral_id, case_id, agency_id, agency_name, agency_type, is_lead, rule,
                reason, status, province_code, regency_code, created_at, accept_by, first_service_by, priority,
                violence_types, case_number)
            SELECT gen_random_uuid(), gen_random_uuid(), :agency, 'Seed', 'uptd_ppa', true, 'seed', 'seed',
                (ARRAY['created','accepted','in_service','completed','declined','revoked'])[1 + i % 6],
                :province, :regency, CAST(:now AS timestamptz),
                CAST(:now AS timestamptz) + make_interval(hours => (i % 101) - 50),
                CAST(:now AS timestamptz) + make_interval(hours => (i % 101) - 40),
                'P' || (1 + (i / 7) % 3), ARRAY['fisik'], 'SEED-' || i
            FROM generate_series(1, :count) AS i"""),
            {"agency": agency, "province": province, "regency": regency, "now": now, "count": count})
        await uow.commit()


async def expected_order(client: httpx.AsyncClient, agency: str, as_of: datetime) -> list[str]:
    """The list's order, worked out here from every row: overdue first, priority, running deadline, id."""
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        rows = (await uow.session.execute(text(
            "SELECT referral_id, status, priority, accept_by, first_service_by FROM routing.referrals"
            " WHERE agency_id = :agency"), {"agency": agency})).all()

    def key(row: Any) -> tuple[bool, str, datetime, UUID]:
        running = {"created": row.accept_by, "accepted": row.first_service_by}.get(row.status)
        overdue = running is not None and running < as_of
        return (not overdue, row.priority, running or datetime.max.replace(tzinfo=as_of.tzinfo), row.referral_id)

    return [str(row.referral_id) for row in sorted(rows, key=key)]


async def all_pages(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get("/v1/referrals", params={**params, **({"cursor": cursor} if cursor else {})},
                                    headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def test_paging_visits_every_referral_exactly_once_in_order(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    clock = Clock()
    use_clock(routing, clock)
    agency = f"list-{uuid4().hex[:8]}"
    await seed(routing, count=1500, agency=agency, province="98", regency="98.01", now=clock.now)
    staff = bearer(Role.AGENCY_STAFF, user_id="lister", agency_id=agency)
    expected = await expected_order(routing, agency, clock.now)
    first = await routing.get("/v1/referrals", params={"limit": 100}, headers=staff)
    clock.now += timedelta(hours=30)  # deadlines pass while paging: the cursor keeps the first page's moment
    items = await all_pages(routing, staff, limit=73)
    assert [item["referral_id"] for item in items] != []
    listed = [item["referral_id"] for item in first.json()["items"]]
    assert listed == expected[:100]
    # A fresh listing (now 30 hours later) pages through every referral once, in the order as of its moment.
    assert [item["referral_id"] for item in items] == await expected_order(routing, agency, clock.now)
    overdue = [item["overdue"] for item in items]
    assert overdue == sorted(overdue, reverse=True)
    assert True in overdue
    assert False in overdue
    # And the first listing's cursor goes on from where it stopped, with its own moment, however late.
    rest = await all_pages(routing, staff, limit=100, cursor=first.json()["next_cursor"])
    assert listed + [item["referral_id"] for item in rest] == expected
    assert len(set(expected)) == 1500


async def test_filters_priority_status_and_overdue(routing: httpx.AsyncClient, bearer: Bearer) -> None:
    clock = Clock()
    use_clock(routing, clock)
    agency = f"list-{uuid4().hex[:8]}"
    await seed(routing, count=300, agency=agency, province="98", regency="98.02", now=clock.now)
    staff = bearer(Role.AGENCY_SUPERVISOR, user_id="lister", agency_id=agency)
    expected = await expected_order(routing, agency, clock.now)
    p2_waiting = await all_pages(routing, staff, limit=40, priority="P2", status=["created", "accepted"])
    assert p2_waiting
    assert {(item["priority"], item["status"]) for item in p2_waiting} <= {("P2", "created"), ("P2", "accepted")}
    assert [item["referral_id"] for item in p2_waiting] == [
        r for r in expected if r in {item["referral_id"] for item in p2_waiting}]
    overdue = await all_pages(routing, staff, limit=30, overdue="true")
    assert overdue
    assert all(item["overdue"] for item in overdue)
    assert [item["referral_id"] for item in overdue] == expected[:len(overdue)]
    done = await all_pages(routing, staff, status="completed")
    assert done
    assert {item["status"] for item in done} == {"completed"}
    assert all(item["next_deadline"] is None and not item["overdue"] for item in done)
    # A cursor of one query is refused by another, in the caller's language.
    page = (await routing.get("/v1/referrals", params={"limit": 5}, headers=staff)).json()
    refused = await routing.get("/v1/referrals", params={"cursor": page["next_cursor"], "priority": "P1"},
                                headers={**staff, "Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "cursor"]
    assert "cursor" in refused.json()["detail"][0]["msg"]
    assert (await routing.get("/v1/referrals", params={"cursor": "bm90IGEgY3Vyc29y"}, headers=staff)).status_code == 422
    assert (await routing.get("/v1/referrals", params={"limit": 101}, headers=staff)).status_code == 422


async def test_each_audience_lists_its_own_referrals_with_the_case_facts(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    clock = Clock()
    live = use_clock(routing, clock)
    agencies = {"97.01": f"uptd-9701-{uuid4().hex[:6]}", "97.02": f"uptd-9702-{uuid4().hex[:6]}"}
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
        for regency, agency in agencies.items():
            await uow.session.execute(text("""
                INSERT INTO routing.agencies (agency_id, name, agency_type, level, province_code, regency_code,
                                              services, hours, active, time_zone)
                VALUES (:agency, :agency, 'uptd_ppa', 'regency', '97', :regency, '{pengaduan}', '{}', true,
                        'Asia/Jakarta')"""), {"agency": agency, "regency": regency})
        await uow.commit()
    cases = {regency: example_case_reported(regency_code=regency, case_number=f"{regency}-LIST-{uuid4().hex[:4]}",
                                            priority=Priority.P2, violence_types=(ViolenceType.FISIK,))
             for regency in agencies}
    for case in cases.values():
        referred = await refer_case(case, runtime_of(routing).unit_of_work(SERVICE_CONTEXT), live)
        assert any(r.agency_id in agencies.values() for r in referred)

    def ids(response: httpx.Response) -> set[str]:
        assert response.status_code == 200, response.text
        return {item["case_id"] for item in response.json()["items"]}

    async def listed(**claims: Any) -> httpx.Response:
        roles = claims.pop("roles")
        return await routing.get("/v1/referrals", params={"limit": 100}, headers=bearer(*roles, user_id="u", **claims))

    a, b = str(cases["97.01"].case_id), str(cases["97.02"].case_id)
    staff = await listed(roles=[Role.AGENCY_STAFF], agency_id=agencies["97.01"])
    assert ids(staff) == {a}
    item = staff.json()["items"][0]
    assert item["case_number"] == cases["97.01"].case_number
    assert (item["priority"], item["violence_types"], item["province_code"], item["regency_code"]) == (
        "P2", ["fisik"], "97", "97.01")
    assert item["accept_by"] == item["next_deadline"]
    assert item["is_lead"]
    assert item["status"] == "created"
    assert ids(await listed(roles=[Role.DISTRICT_SUPERVISOR], province_code="97", regency_code="97.02")) >= {b}
    assert a not in ids(await listed(roles=[Role.DISTRICT_SUPERVISOR], province_code="97", regency_code="97.02"))
    assert ids(await listed(roles=[Role.PROVINCE_ADMIN], province_code="97")) >= {a, b}
    assert not ids(await listed(roles=[Role.PROVINCE_ADMIN], province_code="96")) & {a, b}
    for roles in ([Role.AUDITOR], [Role.OPERATOR], [Role.NATIONAL_ADMIN]):
        refused = await listed(roles=roles, province_code="97")
        assert refused.status_code == 403, roles
    assert (await routing.get("/v1/referrals")).status_code == 401

    # case.updated: a new priority moves the referral, and the list shows it.
    update = CaseUpdated(**{**cases["97.01"].model_dump(exclude={"event_id", "event_type", "occurred_at"}),
                            "priority": Priority.P1, "violence_types": (ViolenceType.SEKSUAL,),
                            "update_id": uuid4(), "kind": "corrected", "changed_fields": ("violence_types",),
                            "updated_by": "op"})
    await record_case_update(update, runtime_of(routing).unit_of_work(SERVICE_CONTEXT), live)
    after = (await listed(roles=[Role.AGENCY_STAFF], agency_id=agencies["97.01"])).json()["items"][0]
    assert (after["priority"], after["violence_types"]) == ("P1", ["seksual"])


async def test_row_level_security_alone_limits_the_list(routing: httpx.AsyncClient) -> None:
    """The list's query run as the app role with another audience's identity sees none of the rows, whatever
    scope it asks for."""
    clock = Clock()
    agency = f"list-{uuid4().hex[:8]}"
    await seed(routing, count=50, agency=agency, province="96", regency="96.01", now=clock.now)
    outsiders = {
        "other agency": Principal("x", frozenset({Role.AGENCY_STAFF}), agency_id="someone-else"),
        "other regency": Principal("x", frozenset({Role.DISTRICT_SUPERVISOR}), province_code="96",
                                   regency_code="96.02"),
        "other province": Principal("x", frozenset({Role.PROVINCE_ADMIN}), province_code="94"),
        "operator": Principal("x", frozenset({Role.OPERATOR})),
    }
    insiders = {
        "agency": Principal("x", frozenset({Role.AGENCY_STAFF}), agency_id=agency),
        "regency": Principal("x", frozenset({Role.DISTRICT_SUPERVISOR}), province_code="96", regency_code="96.01"),
        "province": Principal("x", frozenset({Role.PROVINCE_ADMIN}), province_code="96"),
    }
    for scope in (Scope(ScopeKind.AGENCY, agency), Scope(ScopeKind.REGENCY, "96.01"), Scope(ScopeKind.PROVINCE, "96")):
        for who, principal in {**outsiders, **insiders}.items():
            async with runtime_of(routing).unit_of_work(AccessContext.of(principal)) as uow:
                rows = await store.page(uow.session, scope, as_of=clock.now, after=None, statuses=[],
                                        segments=range(len(SEGMENTS)), limit=100)
            # Only this test's rows count: other tests may refer cases in the same region.
            assert len([row for row in rows if row.agency_id == agency]) == (50 if who in insiders else 0), (scope, who)


async def test_a_page_deep_in_a_hundred_thousand_referrals_reads_the_index(
    routing: httpx.AsyncClient, bearer: Bearer, infra: Infrastructure
) -> None:
    """100,000 referrals of one province: the page query is index range scans (no sequential scan, no sort of
    the whole list), and a page from deep in the list follows on from its cursor."""
    clock = Clock()
    use_clock(routing, clock)
    agency = f"list-{uuid4().hex[:8]}"
    await seed(routing, count=100_000, agency=agency, province="93", regency="93.01", now=clock.now)
    try:
        await execute(infra.admin_dsn, ANALYZE)
        admin = bearer(Role.PROVINCE_ADMIN, user_id="admin", province_code="93")
        page = (await routing.get("/v1/referrals", params={"limit": 100}, headers=admin)).json()
        for _ in range(5):
            page = (await routing.get("/v1/referrals", params={"limit": 100, "cursor": page["next_cursor"]},
                                      headers=admin)).json()
        assert len(page["items"]) == 100
        expected = await expected_order(routing, agency, clock.now)
        assert [item["referral_id"] for item in page["items"]] == expected[500:600]
        async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
            query = store.page_query(Scope(ScopeKind.PROVINCE, "93"), as_of=clock.now, after=None, statuses=[],
                                     segments=range(len(SEGMENTS)), limit=101)
            connection = await uow.session.connection()
            compiled = query.compile(dialect=connection.dialect)
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            values = [compiled.params[name] for name in compiled.positiontup or ()]
            plan = "\n".join(row[0] for row in await raw.fetch(f"EXPLAIN {compiled}", *values))
        assert "referrals_list_by_province_code" in plan, plan
        assert "Seq Scan" not in plan, plan
    finally:
        async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
            await uow.session.execute(text("DELETE FROM routing.referrals WHERE agency_id = :a"), {"a": agency})
            await uow.commit()


def rows_read(plan: dict[str, Any]) -> int:
    """The rows the scans of an EXPLAIN ANALYZE (JSON) plan read from routing.referrals: those they returned and
    those they dropped by a filter."""
    read = 0
    if plan.get("Relation Name") == "referrals":
        read += plan["Actual Rows"] * plan["Actual Loops"] + plan.get("Rows Removed by Filter", 0) + plan.get(
            "Rows Removed by Index Recheck", 0)
    return read + sum(rows_read(child) for child in plan.get("Plans", []))


async def test_a_status_filter_reads_only_the_referrals_of_that_status(
    routing: httpx.AsyncClient, bearer: Bearer, infra: Infrastructure
) -> None:
    """Most of an agency's referrals are done (no running deadline: at the end of each range). Asking for the few
    still in the queue reads those few, by the index that leads with the status (0007), not every done referral
    on the way to them."""
    clock = Clock()
    use_clock(routing, clock)
    agency = f"list-{uuid4().hex[:8]}"
    await seed(routing, count=6000, agency=agency, province="93", regency="93.02", now=clock.now)
    try:
        async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
            # 20 waiting (SEED-6, SEED-12 ... SEED-120), the rest done.
            await uow.session.execute(text(
                "UPDATE routing.referrals SET status = 'completed' WHERE agency_id = :a"
                " AND (status <> 'created' OR substring(case_number from 6)::int > 120)"), {"a": agency})
            await uow.commit()
        await execute(infra.admin_dsn, ANALYZE)
        staff = bearer(Role.AGENCY_STAFF, user_id="lister", agency_id=agency)
        waiting = await all_pages(routing, staff, limit=25, status="created")
        assert len(waiting) == 20
        assert {item["status"] for item in waiting} == {"created"}
        async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
            query = store.page_query(Scope(ScopeKind.AGENCY, agency), as_of=clock.now, after=None,
                                     statuses=["created"], segments=range(len(SEGMENTS)), limit=26)
            connection = await uow.session.connection()
            compiled = query.compile(dialect=connection.dialect)
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            values = [compiled.params[name] for name in compiled.positiontup or ()]
            [[document]] = await raw.fetch(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", *values)
        # The session's connection decodes json itself.
        found = json.loads(document) if isinstance(document, str) else document
        plan, shown = found[0]["Plan"], json.dumps(found, indent=1)
        assert "referrals_list_by_agency_id_status" in shown, shown
        assert rows_read(plan) == 20, shown
    finally:
        async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
            await uow.session.execute(text("DELETE FROM routing.referrals WHERE agency_id = :a"), {"a": agency})
            await uow.commit()
