"""Service areas by kecamatan and desa against the real Postgres and broker (issue 23): the directory API keeps
and checks them, a case.reported from the kecamatan reaches the agency serving it through the consumer (another
kecamatan's case the regency's), and the rule preview says where a sample case would go, storing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Role
from shared.contracts import CASES, CaseReported
from shared.contracts.examples import example_case_reported
from shared.contracts.intake import Consent
from shared.contracts.vocabulary import AgencyType, ConsentGiver, Need
from tests.polling import eventually

pytestmark = pytest.mark.integration

# Kabupaten Kapuas (62.03): no demo agency serves it, so this module's agencies are the only ones there.
KAPUAS, SELAT, KAPUAS_HILIR = "62.03", "62.03.01", "62.03.02"


@pytest.fixture(scope="module")
def routing_app(admin_routing_app: httpx.AsyncClient) -> httpx.AsyncClient:
    return admin_routing_app  # the conftest's ``routing`` hands it to each test as it found it


def health(agency_id: str, **area: str) -> dict[str, Any]:
    return {"agency_id": agency_id, "name": f"Fasilitas kesehatan {agency_id}", "agency_type": "health",
            "level": "regency", "province_code": "62", "regency_code": KAPUAS, "services": ["kesehatan"], **area}


async def put(client: httpx.AsyncClient, agency: dict[str, Any], **headers: str) -> httpx.Response:
    return await client.put(f"/v1/agencies/{agency['agency_id']}", json=agency, headers=headers)


def needing_care(district_code: str | None) -> CaseReported:
    return example_case_reported(
        regency_code=KAPUAS, district_code=district_code, needs=(Need.KESEHATAN,),
        consent=Consent(given_by=ConsentGiver.KORBAN, agency_types=(AgencyType.HEALTH,)),
    )


async def publish(client: httpx.AsyncClient, event: CaseReported) -> None:
    """What intake's outbox relay does: the event's JSON on the cases topic, keyed by case."""
    servers = client.app.state.runtime.settings.kafka_bootstrap_servers  # type: ignore[attr-defined]
    producer = AIOKafkaProducer(bootstrap_servers=servers)
    await producer.start()
    try:
        await producer.send_and_wait(CASES.name, value=event.to_json(), key=event.key)
    finally:
        await producer.stop()


async def referrals_of(client: httpx.AsyncClient, event: CaseReported) -> list[dict[str, Any]]:
    """The case's referrals once routing has made them (404 until then)."""

    async def made() -> httpx.Response | None:
        response = await client.get(f"/v1/cases/{event.case_id}/referrals")
        return None if response.status_code == 404 else response

    response: httpx.Response = await eventually(made, "the case's referrals")
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.fixture(scope="module")
async def kapuas_health(routing_app: httpx.AsyncClient) -> dict[str, str]:
    """A regency-wide hospital of Kapuas and a Puskesmas serving its kecamatan Selat."""
    suffix = uuid4().hex[:6]
    agencies = {"regency": f"rsud-kapuas-{suffix}", "selat": f"puskesmas-selat-{suffix}"}
    for agency in (health(agencies["regency"]), health(agencies["selat"], district_code=SELAT)):
        response = await put(routing_app, agency)
        assert response.status_code in (200, 201), response.text
    return agencies


# --- the directory ---------------------------------------------------------------------------------------------


async def test_an_agency_serving_a_desa_is_stored_with_its_kecamatan(routing: httpx.AsyncClient) -> None:
    agency = health(f"poskesdes-{uuid4().hex[:6]}", village_code="62.03.01.1007")
    assert (await put(routing, agency)).status_code == 201
    stored = (await routing.get(f"/v1/agencies/{agency['agency_id']}")).json()
    assert (stored["district_code"], stored["village_code"]) == (SELAT, "62.03.01.1007")
    export = (await routing.get("/v1/directory/export", params={"province": "62"})).text
    assert "62.03.01.1007" in export


@pytest.mark.parametrize(("area", "indonesian", "english"), [
    ({"district_code": "62.71.01"}, "Harus kecamatan di kabupaten/kota lembaga ini.",
     "must be a kecamatan of the agency's regency"),
    ({"district_code": "62.03.99"}, "Harus kode kecamatan yang terdaftar, mis. 62.13.01.",
     "must be a known kecamatan code such as 62.13.01"),
    ({"village_code": "62.13.01.2003"}, "Harus desa/kelurahan di kabupaten/kota lembaga ini.",
     "must be a desa/kelurahan of the agency's regency"),
])
async def test_an_area_outside_the_regency_is_refused_in_both_languages(
    routing: httpx.AsyncClient, area: dict[str, str], indonesian: str, english: str,
) -> None:
    agency = health(f"puskesmas-{uuid4().hex[:6]}", **area)
    [field] = area
    answers = [(await put(routing, agency, **language)) for language in ({}, {"Accept-Language": "en"})]
    assert [answer.status_code for answer in answers] == [422, 422]
    assert answers[0].json()["detail"] == [{"loc": ["body", field], "msg": indonesian, "type": "invalid_agency"}]
    assert answers[1].json()["detail"] == [{"loc": ["body", field], "msg": english, "type": "invalid_agency"}]
    assert (await routing.get(f"/v1/agencies/{agency['agency_id']}")).status_code == 404


# --- routing a reported case -----------------------------------------------------------------------------------


async def test_a_case_from_the_kecamatan_reaches_its_puskesmas(
    routing: httpx.AsyncClient, kapuas_health: dict[str, str],
) -> None:
    event = needing_care(SELAT)
    await publish(routing, event)
    supporting = [r for r in await referrals_of(routing, event) if not r["is_lead"]]
    assert [r["agency_id"] for r in supporting] == [kapuas_health["selat"]]
    assert f"kecamatan {SELAT}" in supporting[0]["reason"]


async def test_a_case_from_another_kecamatan_goes_to_the_regency_hospital(
    routing: httpx.AsyncClient, kapuas_health: dict[str, str],
) -> None:
    for event in (needing_care(KAPUAS_HILIR), needing_care(None)):
        await publish(routing, event)
        supporting = [r for r in await referrals_of(routing, event) if not r["is_lead"]]
        assert [r["agency_id"] for r in supporting] == [kapuas_health["regency"]]


# --- the rule preview ------------------------------------------------------------------------------------------

PREVIEW = "/v1/provinces/62/rules/preview"
CARE = {"regency_code": KAPUAS, "needs": ["kesehatan"], "consented": ["health"]}
UNKNOWN_KECAMATAN = ("version: 2\nrules: [{id: x, description: y, when: {regions: ['62.13.99']}, "
                     "refer: [{agency_type: ngo}]}]\n")
NO_CARE_RULES = "version: 99\nrules:\n  - {id: ngo/all, description: Every case, refer: [{agency_type: ngo}]}\n"


async def test_the_preview_says_where_a_sample_case_would_go_and_why(
    routing: httpx.AsyncClient, kapuas_health: dict[str, str],
) -> None:
    answer = await routing.post(PREVIEW, json={"case": {**CARE, "district_code": SELAT}})
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    lead, *supporting = preview["referrals"]
    assert lead["is_lead"] is True
    assert [(r["agency_id"], r["rule"]) for r in supporting] == [(kapuas_health["selat"], "health/medical-care")]
    assert "kecamatan 62.03.01" in supporting[0]["reason"]


async def test_the_preview_of_candidate_rules_stores_nothing(
    routing: httpx.AsyncClient, kapuas_health: dict[str, str],
) -> None:
    before = (await routing.get("/v1/provinces/62/rules")).text
    answer = await routing.post(PREVIEW, json={"rules": NO_CARE_RULES, "case": {**CARE, "district_code": SELAT}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 99
    assert [r for r in answer.json()["referrals"] if r["agency_type"] == "health"] == []
    assert (await routing.get("/v1/provinces/62/rules")).text == before
    assert kapuas_health  # the directory still has the Puskesmas the candidate rules no longer refer to


@pytest.mark.parametrize(("body", "loc"), [
    ({"rules": "version: [", "case": CARE}, ["body", "rules"]),
    ({"rules": "version: 0\nrules: []\n", "case": CARE}, ["body", "rules", "version"]),
    ({"rules": "version: 2\nrules: [{id: x, description: y, refer: []}]\n", "case": CARE},
     ["body", "rules", "rules", 0, "refer"]),
    ({"rules": UNKNOWN_KECAMATAN, "case": CARE},  # no such kecamatan: the rule would never hold
     ["body", "rules", "rules", 0, "when", "regions", 0]),
    ({"case": {**CARE, "regency_code": "63.71"}}, ["body", "case", "regency_code"]),
    ({"case": {**CARE, "district_code": "62.71.01"}}, ["body", "case", "district_code"]),
    ({"case": {**CARE, "district_code": SELAT, "village_code": "62.03.02.1001"}}, ["body", "case", "village_code"]),
])
async def test_a_bad_preview_names_the_field(
    routing: httpx.AsyncClient, body: dict[str, Any], loc: list[Any],
) -> None:
    answers = [await routing.post(PREVIEW, json=body, headers=h) for h in ({}, {"Accept-Language": "en"})]
    assert [a.status_code for a in answers] == [422, 422]
    assert loc in [item["loc"] for item in answers[0].json()["detail"]]
    assert answers[0].json()["detail"] != answers[1].json()["detail"]  # Bahasa Indonesia first, English on request


async def test_rules_naming_an_unknown_kecamatan_are_not_stored(routing: httpx.AsyncClient) -> None:
    in_force = (await routing.get("/v1/provinces/62/rules")).text
    version = int(in_force.split("version:", 1)[1].split()[0])
    unknown = f"version: {version + 1}\nrules: [{{id: x, description: y, when: {{regions: ['62.13.99']}}, " \
              "refer: [{agency_type: ngo}]}]\n"
    answer = await routing.put("/v1/provinces/62/rules", content=unknown, headers={"content-type": "application/yaml"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "rules", 0, "when", "regions", 0]
    assert (await routing.get("/v1/provinces/62/rules")).text == in_force


async def test_only_the_provinces_admin_previews_its_rules(
    routing: httpx.AsyncClient, bearer: Callable[..., dict[str, str]],
) -> None:
    admin_63 = bearer(Role.PROVINCE_ADMIN, user_id="admin-63", province_code="63")
    operator = bearer(Role.OPERATOR, user_id="operator-1")
    assert (await routing.post(PREVIEW, json={"case": CARE}, headers=admin_63)).status_code == 403
    assert (await routing.post(PREVIEW, json={"case": CARE}, headers=operator)).status_code == 403
