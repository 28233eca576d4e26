"""Admins act in their own province, against the real Postgres: each province's rule set beside the national
default (which only a national admin changes), the database's own refusal of a write outside the admin's
province (row-level security, 0005, with the API's check skipped), and the import that changes only what it
names: a previewed deactivation, and no regency left without an active lead agency."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any
from uuid import uuid4

import httpx
import pytest
import yaml
from sqlalchemy.exc import DBAPIError

from routing.adapters import referrals as store
from routing.adapters import repository
from routing.app import create_app
from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.rules import NATIONAL_SCOPE, Rule, RuleSet, Target
from routing.service_layer.referrals import refer_case
from routing.settings import RoutingSettings
from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import Principal, Role
from shared.contracts.base import utc_now
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import Consent
from shared.contracts.vocabulary import AgencyType, ConsentGiver
from shared.service import Runtime
from tests.apps import as_if_fresh

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
YAML = {"content-type": "application/yaml"}


@pytest.fixture(scope="module")
async def routing_app(make_settings: Callable[..., RoutingSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(RoutingSettings, "routing", sla_check_interval_seconds=3600))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://r"
    ) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def routing(routing_app: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The module's app (its consumer groups take seconds to join on Tansu), as this test found it."""
    async with as_if_fresh(routing_app) as client:
        yield client


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def admin(bearer: Bearer, province: str) -> dict[str, str]:
    return bearer(Role.PROVINCE_ADMIN, user_id=f"admin-{province}", province_code=province)


def agency(province: str, regency: str | None, agency_type: AgencyType = AgencyType.NGO, **fields: Any) -> Agency:
    tag = uuid4().hex[:8]
    level = AgencyLevel.REGENCY if regency else AgencyLevel.PROVINCE
    return Agency(agency_id=f"{agency_type.value.replace('_', '-')}-{tag}", name=f"Uji {tag}", agency_type=agency_type,
                  level=level, province_code=province, regency_code=regency, **fields)


def entry(item: Agency, **changes: Any) -> dict[str, Any]:
    document = {"agency_id": item.agency_id, "name": item.name, "agency_type": item.agency_type.value,
                "level": item.level.value, "province_code": item.province_code, "regency_code": item.regency_code,
                "active": item.active}
    return {**{k: v for k, v in document.items() if v is not None}, **changes}


async def seed(client: httpx.AsyncClient, *agencies: Agency) -> None:
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        await repository.upsert_agencies(uow.session, agencies)
        await uow.commit()


# --- rule sets ------------------------------------------------------------------------------------------------


async def test_each_province_routes_by_its_own_rules_else_the_national_default(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    national = await routing.get("/v1/rules", headers=admin(bearer, "31"))
    assert national.headers["x-sinergi-rule-scope"] == NATIONAL_SCOPE
    default = RuleSet.from_yaml(national.text)
    # Province 31 has no rules of its own: the national default is in force there.
    fallback = await routing.get("/v1/provinces/31/rules", headers=admin(bearer, "31"))
    assert (fallback.headers["x-sinergi-rule-scope"], RuleSet.from_yaml(fallback.text)) == (NATIONAL_SCOPE, default)

    # A province admin may not change the national default, nor another province's rules; in their language.
    bumped = RuleSet(version=default.version + 1, rules=default.rules).to_yaml()
    refused = await routing.put("/v1/rules", content=bumped, headers={**admin(bearer, "31"), **YAML})
    assert (refused.status_code, refused.json()["detail"][0]["type"]) == (403, "outside_your_province")
    assert refused.json()["detail"][0]["msg"].startswith("Bukan wewenang Anda")
    english = await routing.put("/v1/provinces/32/rules", content=bumped,
                                headers={**admin(bearer, "31"), **YAML, "Accept-Language": "en"})
    assert (english.status_code, english.headers["content-language"]) == (403, "en")
    assert english.json()["detail"][0]["msg"].startswith("Not yours to change")
    national_admin = bearer(Role.NATIONAL_ADMIN, user_id="admin-national")
    assert (await routing.put("/v1/provinces/31/rules", content=bumped,
                              headers={**national_admin, **YAML})).status_code == 403

    # Province 31's own rules: one rule more, for its cases only.
    rule = Rule(id="police/every-case-in-31", description="Test: the police on every case of 31",
                refer=(Target(agency_type=AgencyType.POLICE_PPA),))
    own = RuleSet(version=default.version + 1, rules=(*default.rules, rule))
    stored = await routing.put("/v1/provinces/31/rules", content=own.to_yaml(), headers={**admin(bearer, "31"), **YAML})
    assert (stored.status_code, stored.headers["x-sinergi-rule-scope"]) == (200, "31"), stored.text
    assert RuleSet.from_yaml((await routing.get("/v1/provinces/31/rules", headers=national_admin)).text) == own
    assert RuleSet.from_yaml((await routing.get("/v1/rules", headers=national_admin)).text) == default

    consent = Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.POLICE_PPA,))
    routed: dict[str, set[str]] = {}
    for province, regency in (("31", "31.71"), ("32", "32.01")):
        police = agency(province, regency, AgencyType.POLICE_PPA)
        await seed(routing, agency(province, regency, AgencyType.UPTD_PPA), police)
        event = example_case_reported(province_code=province, regency_code=regency, consent=consent)
        referrals = await refer_case(event, runtime_of(routing).unit_of_work(SERVICE_CONTEXT),
                                     routing.app.state.routing)  # type: ignore[attr-defined]
        routed[province] = {r.rule for r in referrals}
    assert "police/every-case-in-31" in routed["31"]
    assert "police/every-case-in-31" not in routed["32"]


async def test_the_database_refuses_rules_outside_the_admins_province(routing: httpx.AsyncClient) -> None:
    """Row-level security on its own: the store is called directly, as the admin of 33, with no API check."""
    as_admin_33 = AccessContext.of(Principal("admin-33", frozenset({Role.PROVINCE_ADMIN}), province_code="33"))
    rules = RuleSet(version=10_000, rules=())
    for scope in (NATIONAL_SCOPE, "34"):
        async with runtime_of(routing).unit_of_work(as_admin_33) as uow:
            with pytest.raises(DBAPIError, match="row-level security"):
                await store.add_rule_set(uow.session, rules, by="admin-33", at=utc_now(), scope=scope)
    async with runtime_of(routing).unit_of_work(as_admin_33) as uow:
        assert await store.add_rule_set(uow.session, rules, by="admin-33", at=utc_now(), scope="33")
        # Not committed: the rule set was only to show the database lets the province's own admin write it.


# --- the directory, in the database ---------------------------------------------------------------------------


async def test_the_database_refuses_directory_writes_outside_the_admins_province(routing: httpx.AsyncClient) -> None:
    """As the app's role with the admin of 62's identity (``shared.access``), bypassing every API check."""
    theirs = agency("63", "63.71")
    national = Agency(agency_id=f"hotline-{uuid4().hex[:8]}", name="Uji nasional", agency_type=AgencyType.NGO,
                      level=AgencyLevel.NATIONAL)
    await seed(routing, theirs, national)
    as_admin_62 = AccessContext.of(Principal("admin-62", frozenset({Role.PROVINCE_ADMIN}), province_code="62"))
    # A new agency of 63, a change to one, a national one, and one of 63 moved into 62.
    for refused in (agency("63", "63.71"), replace(theirs, name="Diubah"), national,
                    replace(theirs, province_code="62", regency_code="62.13")):
        async with runtime_of(routing).unit_of_work(as_admin_62) as uow:
            with pytest.raises(DBAPIError, match="row-level security"):
                await repository.upsert_agencies(uow.session, [refused])
    async with runtime_of(routing).unit_of_work(as_admin_62) as uow:
        assert await repository.deactivate_agency(uow.session, theirs.agency_id) is None  # not a row it may update
        await uow.commit()
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
        assert (await repository.get_agency(uow.session, theirs.agency_id)) == theirs
    async with runtime_of(routing).unit_of_work(as_admin_62) as uow:
        mine = agency("62", "62.13")
        await repository.upsert_agencies(uow.session, [mine])  # its own province: allowed
        await uow.commit()
    as_national = AccessContext.of(Principal("admin-national", frozenset({Role.NATIONAL_ADMIN})))
    async with runtime_of(routing).unit_of_work(as_national) as uow:
        with pytest.raises(DBAPIError, match="row-level security"):
            await repository.upsert_agencies(uow.session, [agency("62", "62.13")])
    async with runtime_of(routing).unit_of_work(as_national) as uow:
        assert (await repository.deactivate_agency(uow.session, national.agency_id)) is not None
        await uow.commit()


# --- the import -----------------------------------------------------------------------------------------------


async def test_a_deactivation_is_applied_only_with_the_flag_and_the_digest_of_its_preview(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    lead, ngo, other = agency("35", "35.01", AgencyType.UPTD_PPA), agency("35", "35.01"), agency("35", "35.02")
    await seed(routing, lead, ngo, other)
    headers = {**admin(bearer, "35"), **YAML}
    file = yaml.safe_dump({"agencies": [entry(ngo, active=False), entry(other, name="Uji (baru)")]})

    without_flag = await routing.put("/v1/directory/import", content=file, headers=headers)
    assert without_flag.status_code == 422, without_flag.text
    [item] = without_flag.json()["detail"]
    assert (item["loc"], item["type"]) == (["query", "deactivate"], "deactivation_not_previewed")
    assert "dry_run=true" in item["msg"]
    assert item["msg"].startswith("Ini menonaktifkan 1 lembaga")

    preview = await routing.put("/v1/directory/import", content=file, headers=headers, params={"dry_run": "true"})
    assert preview.status_code == 200, preview.text
    diff = preview.json()
    assert (diff["dry_run"], diff["upserted"], diff["deactivated"], diff["changed"]) == (
        True, 0, [ngo.agency_id], [other.agency_id])
    assert (await agency_state(routing, bearer, ngo)) == (True, ngo.name)  # a dry run stores nothing
    assert (await agency_state(routing, bearer, other)) == (True, other.name)

    no_digest = await routing.put("/v1/directory/import", content=file, headers=headers,
                                  params={"deactivate": "true"})
    assert [i["loc"] for i in no_digest.json()["detail"]] == [["query", "digest"]]
    # The digest of another file's preview does not apply this one.
    other_file = yaml.safe_dump({"agencies": [entry(ngo, active=False)]})
    other_preview = await routing.put("/v1/directory/import", content=other_file, headers=headers,
                                      params={"dry_run": "true"})
    wrong = await routing.put("/v1/directory/import", content=file, headers={**headers, "Accept-Language": "en"},
                              params={"deactivate": "true", "digest": other_preview.json()["digest"]})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["msg"].startswith("This takes 1 active agencies out of service")
    assert (await agency_state(routing, bearer, ngo)) == (True, ngo.name)

    applied = await routing.put("/v1/directory/import", content=file, headers=headers,
                                params={"deactivate": "true", "digest": diff["digest"]})
    assert applied.status_code == 200, applied.text
    assert (applied.json()["upserted"], applied.json()["deactivated"]) == (2, [ngo.agency_id])
    assert (await agency_state(routing, bearer, ngo)) == (False, ngo.name)
    assert (await agency_state(routing, bearer, other)) == (True, "Uji (baru)")
    assert (await agency_state(routing, bearer, lead)) == (True, lead.name)  # not named: not touched
    # Applied again, the file takes no active agency out of service any more: nothing to preview.
    again = await routing.put("/v1/directory/import", content=file, headers=headers,
                              params={"deactivate": "true", "digest": diff["digest"]})
    assert again.status_code == 200  # nothing left to deactivate: it names no active agency going out
    assert again.json()["deactivated"] == []


async def agency_state(client: httpx.AsyncClient, bearer: Bearer, item: Agency) -> tuple[bool, str]:
    found = (await client.get(f"/v1/agencies/{item.agency_id}", headers=admin(bearer, "35"))).json()
    return found["active"], found["name"]


async def test_an_import_that_leaves_a_regency_without_a_lead_agency_is_refused(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    uptd, dinas = agency("36", "36.01", AgencyType.UPTD_PPA), agency("36", "36.01", AgencyType.DINAS_PPA)
    await seed(routing, uptd, dinas)
    headers = {**admin(bearer, "36"), **YAML}
    one = yaml.safe_dump({"agencies": [entry(uptd, active=False)]})
    preview = await routing.put("/v1/directory/import", content=one, headers=headers, params={"dry_run": "true"})
    assert preview.status_code == 200  # the Dinas PPA still leads 36.01
    both = yaml.safe_dump({"agencies": [entry(uptd, active=False), entry(dinas, active=False)]})
    for params in ({"dry_run": "true"}, {"deactivate": "true", "digest": preview.json()["digest"]}):
        refused = await routing.put("/v1/directory/import", content=both, headers=headers, params=params)
        assert refused.status_code == 422, refused.text
        [item] = refused.json()["detail"]
        assert (item["loc"], item["type"]) == (["body", "agencies"], "regency_without_lead_agency")
        assert "kabupaten/kota 36.01 tanpa lembaga utama aktif" in item["msg"]
    english = await routing.put("/v1/directory/import", content=both, headers={**headers, "Accept-Language": "en"},
                                params={"dry_run": "true"})
    assert "leave regency 36.01 with no active lead agency" in english.json()["detail"][0]["msg"]
    assert (await agency_state_36(routing, bearer, uptd), await agency_state_36(routing, bearer, dinas)) == (True, True)


async def agency_state_36(client: httpx.AsyncClient, bearer: Bearer, item: Agency) -> bool:
    active: bool = (await client.get(f"/v1/agencies/{item.agency_id}", headers=admin(bearer, "36"))).json()["active"]
    return active


async def test_one_agency_written_or_deactivated_may_not_leave_its_regency_without_a_lead_agency(
    routing: httpx.AsyncClient, bearer: Bearer
) -> None:
    """`PUT /v1/agencies/{id}` with `active: false` (and `DELETE`) follow the import's rule."""
    uptd, dinas = agency("37", "37.01", AgencyType.UPTD_PPA), agency("37", "37.01", AgencyType.DINAS_PPA)
    await seed(routing, uptd, dinas)
    headers = admin(bearer, "37")
    first = await routing.put(f"/v1/agencies/{uptd.agency_id}", json=entry(uptd, active=False), headers=headers)
    assert first.status_code == 200, first.text  # the Dinas PPA still leads 37.01

    url = f"/v1/agencies/{dinas.agency_id}"
    refused = await routing.put(url, json=entry(dinas, active=False), headers=headers)
    english = await routing.put(url, json=entry(dinas, active=False), headers={**headers, "Accept-Language": "en"})
    assert refused.status_code == english.status_code == 422, refused.text
    [item] = refused.json()["detail"]
    assert (item["loc"], item["type"]) == (["body", "active"], "regency_without_lead_agency")
    assert "kabupaten/kota 37.01 tanpa lembaga utama aktif" in item["msg"]
    assert "leave regency 37.01 with no active lead agency" in english.json()["detail"][0]["msg"]
    # Turned into another type, it leads no more either: the field named is the one that does it.
    retyped = await routing.put(url, json=entry(dinas, agency_type="ngo"), headers=headers)
    assert [(i["loc"], i["type"]) for i in retyped.json()["detail"]] == [
        (["body", "agency_type"], "regency_without_lead_agency")]
    deleted = await routing.delete(url, headers=headers)
    assert deleted.status_code == 422, deleted.text
    assert [(i["loc"], i["type"]) for i in deleted.json()["detail"]] == [
        (["path", "agency_id"], "regency_without_lead_agency")]
    still = await routing.get(url, headers=headers)
    assert (still.json()["active"], still.json()["agency_type"]) == (True, "dinas_ppa")
