"""The directory API against the real Postgres: one agency at a time (create, replace, read, deactivate), the
filters, and the directory file (YAML export and all-or-nothing import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
import yaml

from routing.directory_data import demo_directory
from shared.auth import Role

pytestmark = pytest.mark.integration

YAML = {"content-type": "application/yaml"}
OFFICE_HOURS = {"mon": ["07:30-16:00"], "tue": ["07:30-16:00"], "wed": ["07:30-16:00"], "thu": ["07:30-16:00"],
                "fri": ["07:30-11:30", "13:00-16:30"]}


@pytest.fixture(scope="module")
def routing_app(admin_routing_app: httpx.AsyncClient) -> httpx.AsyncClient:
    return admin_routing_app  # the conftest's ``routing`` hands it to each test as it found it


def admin_of(bearer: Callable[..., dict[str, str]], province: str | None) -> dict[str, str]:
    """The admin who may write an agency of ``province``: its province admin, or the national admin."""
    if province is None:
        return bearer(Role.NATIONAL_ADMIN, user_id="admin-national")
    return bearer(Role.PROVINCE_ADMIN, user_id=f"admin-{province}", province_code=province)


async def load_demo_directory(client: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]) -> None:
    """The demo directory, each province's part by its own admin and the national agencies by the national one."""
    by_province: dict[str | None, list[dict[str, Any]]] = {}
    for entry in demo_directory():
        by_province.setdefault(entry.get("province_code"), []).append(entry)
    for province, agencies in by_province.items():
        response = await client.put("/v1/directory", json={"agencies": agencies}, headers=admin_of(bearer, province))
        assert response.status_code == 200, response.text


def new_agency(**overrides: Any) -> dict[str, Any]:
    """An agency of its own for each test (the database is shared by the session)."""
    suffix = uuid4().hex[:8]
    return {"agency_id": f"test-ngo-62.13-{suffix}", "name": f"LSM Uji {suffix}", "agency_type": "ngo",
            "level": "regency", "province_code": "62", "regency_code": "62.13", **overrides}


def locations(response: httpx.Response) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


# --- one agency -------------------------------------------------------------------------------------------------


async def test_an_agency_is_created_read_replaced_and_deactivated(routing: httpx.AsyncClient) -> None:
    agency = new_agency(services=["pengaduan", "rehabilitasi_sosial"], hours=OFFICE_HOURS,
                        phone="+62-000-6213-901", whatsapp="+62-000-6213-902", email="lsm-uji@example.org",
                        address="Jl. Contoh No. 9, Tamiang Layang")
    url = f"/v1/agencies/{agency['agency_id']}"

    created = await routing.put(url, json=agency)
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["services"] == ["pengaduan", "rehabilitasi_sosial"]
    assert shown["time_zone"] == "Asia/Jakarta"  # from province 62
    assert shown["hours"]["always_open"] is False
    assert shown["hours"]["fri"] == ["07:30-11:30", "13:00-16:30"]
    assert shown["hours"]["sat"] == []
    assert (shown["whatsapp"], shown["address"], shown["active"]) == (agency["whatsapp"], agency["address"], True)
    assert (await routing.get(url)).json() == shown

    # A PUT replaces the whole entry: what it leaves out goes back to its default.
    replaced = await routing.put(url, json={**new_agency(), "agency_id": agency["agency_id"], "name": "LSM Uji Baru",
                                            "hours": {"always_open": True}, "services": ["mediasi"]})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["name"] == "LSM Uji Baru"
    assert replaced.json()["hours"]["always_open"] is True
    assert replaced.json()["services"] == ["mediasi"]
    assert (replaced.json()["whatsapp"], replaced.json()["address"]) == (None, None)
    assert (await routing.get(url)).json() == replaced.json()

    # Deactivated, never deleted: referrals name it. Again changes nothing.
    for _ in range(2):
        deactivated = await routing.delete(url)
        assert deactivated.status_code == 200, deactivated.text
        assert deactivated.json() == {**replaced.json(), "active": False}
    listed = (await routing.get("/v1/agencies", params={"regency_code": "62.13"})).json()
    assert {**replaced.json(), "active": False} in listed


async def test_an_unknown_agency_is_not_found(routing: httpx.AsyncClient) -> None:
    assert (await routing.get("/v1/agencies/no-such-agency")).status_code == 404
    assert (await routing.delete("/v1/agencies/no-such-agency")).status_code == 404
    assert (await routing.get("/v1/agencies/Not A Slug")).status_code == 422


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"agency_id": "another-id"}, ["body", "agency_id"]),
        ({"services": ["pengaduan", "rujukan"]}, ["body", "services", 1]),
        ({"regency_code": "63.71"}, ["body", "regency_code"]),
        ({"hours": {"mon": ["16:00-07:30"]}}, ["body", "hours", "mon", 0]),
        ({"hours": {"tue": ["08:00-12:00", "11:00-13:00"]}}, ["body", "hours", "tue"]),
        ({"hours": {"always_open": True, "wed": ["08:00-12:00"]}}, ["body", "hours"]),
        ({"hours": {"mon": ["7:30-16:00"]}}, ["body", "hours", "mon", 0]),
        ({"time_zone": "Asia/Singapore"}, ["body", "time_zone"]),
        ({"whatsapp": "not a number"}, ["body", "whatsapp"]),
    ],
    ids=["other-id", "not-a-need", "outside-province", "closes-first", "overlap", "always-and-weekly", "not-hh-mm",
         "zone", "whatsapp"],
)
async def test_a_bad_agency_is_refused_naming_the_field(
    routing: httpx.AsyncClient, changes: dict[str, Any], location: list[Any]
) -> None:
    agency = new_agency()
    response = await routing.put(f"/v1/agencies/{agency['agency_id']}", json={**agency, **changes})
    assert response.status_code == 422, response.text
    assert location in locations(response)
    assert (await routing.get(f"/v1/agencies/{agency['agency_id']}")).status_code == 404


async def test_directory_rules_are_explained_in_the_readers_language(routing: httpx.AsyncClient) -> None:
    agency = {**new_agency(), "regency_code": "63.71"}
    url = f"/v1/agencies/{agency['agency_id']}"
    indonesian = (await routing.put(url, json=agency)).json()["detail"]
    english = (await routing.put(url, json=agency, headers={"Accept-Language": "en"})).json()["detail"]
    assert indonesian == [{"loc": ["body", "regency_code"], "msg": "Harus berada di provinsi 62.",
                           "type": "invalid_agency"}]
    assert english == [{"loc": ["body", "regency_code"], "msg": "must lie in province 62", "type": "invalid_agency"}]


async def test_agencies_are_filtered_by_type_and_service(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    await load_demo_directory(routing, bearer)
    police = (await routing.get("/v1/agencies", params={"agency_type": "police_ppa"})).json()
    assert police
    assert {a["agency_type"] for a in police} == {"police_ppa"}
    assert {"police-ppa-national", "police-ppa-62.13", "police-ppa-63.71"} <= {a["agency_id"] for a in police}

    health_62 = (await routing.get("/v1/agencies", params={"service": "kesehatan", "province_code": "62"})).json()
    assert {a["agency_id"] for a in health_62} >= {"rsud-doris-sylvanus", "puskesmas-tamiang-layang"}
    assert all("kesehatan" in a["services"] and a["province_code"] == "62" for a in health_62)

    shelters = (await routing.get("/v1/agencies", params={"service": "penampungan_sementara",
                                                          "agency_type": "dinas_sosial"})).json()
    assert [a["agency_id"] for a in shelters] == ["dinsos-63"]

    refused = await routing.get("/v1/agencies", params={"service": "rujukan"})
    assert refused.status_code == 422
    assert ["query", "service"] in locations(refused)


# --- the directory file ---------------------------------------------------------------------------------------


async def test_export_then_import_changes_nothing(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    await load_demo_directory(routing, bearer)
    before = (await routing.get("/v1/agencies")).json()

    exported = await routing.get("/v1/directory/export")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.headers["content-disposition"] == 'attachment; filename="sinergi-directory.yaml"'
    document = yaml.safe_load(exported.text)
    assert [entry["agency_id"] for entry in document["agencies"]] == [a["agency_id"] for a in before]

    # An admin imports their own province's file (the whole directory is not one admin's to write).
    province = await routing.get("/v1/directory/export", params={"province": "62"})
    imported = await routing.put("/v1/directory/import", content=province.content, headers=YAML)
    assert imported.status_code == 200, imported.text
    mine = [a["agency_id"] for a in before if a["province_code"] == "62"]
    assert imported.json()["upserted"] == len(mine)
    assert sorted(imported.json()["unchanged"]) == sorted(mine)
    assert (await routing.get("/v1/agencies")).json() == before
    assert (await routing.get("/v1/directory/export")).text == exported.text


async def test_a_province_is_exported_alone_in_the_demo_files_format(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    await load_demo_directory(routing, bearer)
    exported = await routing.get("/v1/directory/export", params={"province": "63"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"] == 'attachment; filename="sinergi-directory-63.yaml"'
    entries = yaml.safe_load(exported.text)["agencies"]
    assert {entry["province_code"] for entry in entries} == {"63"}
    demo = {entry["agency_id"]: entry for entry in demo_directory() if entry.get("province_code") == "63"}
    # The demo file's own entries come back as they were written.
    assert {entry["agency_id"]: entry for entry in entries if entry["agency_id"] in demo} == demo
    assert (await routing.get("/v1/directory/export", params={"province": "6"})).status_code == 422


async def test_an_edited_file_is_imported(routing: httpx.AsyncClient) -> None:
    agency = new_agency(services=["pengaduan"])
    text = yaml.safe_dump({"agencies": [agency]})
    assert (await routing.put("/v1/directory/import", content=text, headers=YAML)).json()["upserted"] == 1
    edited = text.replace("  - pengaduan\n", "  - pengaduan\n  - mediasi\n")
    edited = edited.replace("  agency_type: ngo\n", "  agency_type: ngo\n  hours: {always_open: true}\n")
    response = await routing.put("/v1/directory/import", content=edited,
                                 headers={"content-type": "application/yaml; charset=utf-8"})
    assert response.status_code == 200, response.text
    stored = (await routing.get(f"/v1/agencies/{agency['agency_id']}")).json()
    assert stored["services"] == ["pengaduan", "mediasi"]
    assert stored["hours"]["always_open"] is True


async def test_an_import_with_bad_entries_names_each_and_stores_nothing(routing: httpx.AsyncClient) -> None:
    good, unknown_service, outside, hours, extra = (new_agency() for _ in range(5))
    entries = [
        good,
        {**unknown_service, "services": ["rujukan"]},
        {**outside, "regency_code": "64.01"},
        {**good, "name": "The same id again"},
        {**hours, "hours": {"mon": ["08:00-12:00", "25:00-26:00"]}},
        {**extra, "contact_person": "Ibu Siti"},
        "not an agency",
    ]
    response = await routing.put("/v1/directory/import", content=yaml.safe_dump({"agencies": entries}),
                                 headers=YAML)
    assert response.status_code == 422, response.text
    assert sorted(map(str, locations(response))) == sorted(map(str, [
        ["body", "agencies", 1, "services", 0],
        ["body", "agencies", 2, "regency_code"],
        ["body", "agencies", 3, "agency_id"],
        ["body", "agencies", 4, "hours", "mon", 1],
        ["body", "agencies", 5, "contact_person"],
        ["body", "agencies", 6],
    ]))
    assert "Ibu Siti" not in response.text
    for entry in (good, unknown_service, outside, hours, extra):
        assert (await routing.get(f"/v1/agencies/{entry['agency_id']}")).status_code == 404


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("agencies: [\n  {agency_id: x\n", ["body"]),
        ("first: &agency {agency_id: x}\nagencies: [*agency, *agency]\n", ["body"]),
        ("agencies: !!python/object/apply:os.system ['true']\n", ["body"]),
        ("- agency_id: x\n", ["body"]),
        ("agencies: []\nowner: someone\n", ["body", "owner"]),
        ("", ["body"]),
        ("[" * 3000, ["body"]),
    ],
    ids=["not-yaml", "aliases", "python-tag", "a-list", "extra-key", "empty", "too-deep"],
)
async def test_a_file_that_is_not_a_plain_directory_is_refused(
    routing: httpx.AsyncClient, text: str, location: list[Any]
) -> None:
    response = await routing.put("/v1/directory/import", content=text, headers=YAML)
    assert response.status_code == 422, response.text
    assert location in locations(response)


async def test_the_import_takes_yaml_of_a_bounded_size(routing: httpx.AsyncClient) -> None:
    text = yaml.safe_dump({"agencies": [new_agency()]})
    wrong_type = await routing.put("/v1/directory/import", content=text, headers={"content-type": "application/json"})
    assert wrong_type.status_code == 415
    too_large = await routing.put("/v1/directory/import", content="#" * (300 * 1024), headers=YAML)
    assert too_large.status_code == 413
    not_yaml = await routing.put("/v1/directory/import", content="agencies: [\n", headers=YAML)
    assert "line 2" in not_yaml.json()["detail"][0]["msg"] or "baris 2" in not_yaml.json()["detail"][0]["msg"]


# --- who may ----------------------------------------------------------------------------------------------------


async def test_only_a_province_admin_changes_the_directory(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    agency = new_agency()
    url = f"/v1/agencies/{agency['agency_id']}"
    assert (await routing.put(url, json=agency)).status_code == 201
    file = yaml.safe_dump({"agencies": [agency]})
    others = {
        "district supervisor": bearer(Role.DISTRICT_SUPERVISOR, user_id="sup-62.13", province_code="62",
                                      regency_code="62.13"),
        "the agency's own staff": bearer(Role.AGENCY_SUPERVISOR, user_id="lsm-1", agency_id=agency["agency_id"]),
        "auditor": bearer(Role.AUDITOR, user_id="aud-62", province_code="62"),
        "operator": bearer(Role.OPERATOR, user_id="op-1"),
    }
    for who, headers in others.items():
        assert (await routing.put(url, json=agency, headers=headers)).status_code == 403, who
        assert (await routing.delete(url, headers=headers)).status_code == 403, who
        assert (await routing.put("/v1/directory/import", content=file, headers={**YAML, **headers})
                ).status_code == 403, who
        # ...and all of them read it.
        assert (await routing.get(url, headers=headers)).status_code == 200, who
        assert (await routing.get("/v1/directory/export", headers=headers)).status_code == 200, who
    anonymous = {"Authorization": ""}
    for method, path in (("GET", url), ("PUT", url), ("DELETE", url), ("GET", "/v1/directory/export"),
                         ("PUT", "/v1/directory/import")):
        assert (await routing.request(method, path, headers=anonymous)).status_code == 401, (method, path)
    assert (await routing.get(url)).json()["active"] is True


async def test_a_province_admin_edits_only_their_own_provinces_agencies(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]]
) -> None:
    """``routing.domain.access.may_edit_agency`` (row-level security of 0005): a province admin writes their own
    province's agencies; another province's, or a national one, is refused with 403 in the caller's language;
    the national agencies are the national admin's, and only theirs."""
    agency = new_agency()
    url = f"/v1/agencies/{agency['agency_id']}"
    admin_63 = bearer(Role.PROVINCE_ADMIN, user_id="admin-63", province_code="63")
    refused = await routing.put(url, json=agency, headers=admin_63)
    [item] = refused.json()["detail"]
    assert (refused.status_code, item["loc"], item["type"]) == (403, ["path", "agency_id"], "outside_your_province")
    assert refused.headers["content-language"] == "id"
    assert "Bukan wewenang Anda" in item["msg"]
    english = await routing.put(url, json=agency, headers={**admin_63, "Accept-Language": "en"})
    assert english.json()["detail"][0]["msg"].startswith("Not yours to change")
    assert (await routing.put(url, json=agency)).status_code == 201  # admin-62, its own province
    assert (await routing.delete(url, headers=admin_63)).status_code == 403
    moved = {**agency, "province_code": "63", "regency_code": "63.71"}
    assert (await routing.put(url, json=moved)).status_code == 403  # not into another province either
    assert (await routing.put(url, json=moved, headers=admin_63)).status_code == 403  # nor out of 62
    file = yaml.safe_dump({"agencies": [agency]})
    assert (await routing.put("/v1/directory/import", content=file, headers={**YAML, **admin_63})).status_code == 403
    assert (await routing.get(url)).json()["active"] is True

    national = new_agency(level="national", province_code=None, regency_code=None)
    national_url = f"/v1/agencies/{national['agency_id']}"
    assert (await routing.put(national_url, json=national)).status_code == 403
    national_admin = bearer(Role.NATIONAL_ADMIN, user_id="admin-national")
    assert (await routing.put(national_url, json=national, headers=national_admin)).status_code == 201
    assert (await routing.put(url, json=agency, headers=national_admin)).status_code == 403
    assert (await routing.delete(national_url)).status_code == 403
    assert (await routing.delete(national_url, headers=national_admin)).json()["active"] is False
