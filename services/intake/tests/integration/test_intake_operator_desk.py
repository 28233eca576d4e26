"""The hotline operator's intake API: a report's possible duplicates before it is saved (their region only, no
personal field), saving it linked to one, and raising a case's priority with a reason (never lowering it), on
the event reporting's audit trail records. Against the real Postgres and broker."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import text

from shared.access import SERVICE_CONTEXT
from shared.auth import Role

TODAY = date.today()  # noqa: DTZ011 - the record's rules use the local calendar date too
Bearer = Callable[..., dict[str, str]]


def uid() -> str:
    return uuid4().hex[:10]


def report(name: str, *, regency: str = "62.13", **overrides: Any) -> dict[str, Any]:
    """A hotline report of a named child victim with a birth date: its victim fingerprint is (name, birth)."""
    body: dict[str, Any] = {
        "incident": {"date": (TODAY - timedelta(days=2)).isoformat(), "precision": "day"},
        "location": {"province_code": regency[:2], "regency_code": regency, "place": "rumah_tangga"},
        "violence_types": ["fisik"],
        "victims": [{"sex": "perempuan", "name": name, "birth_date": "2015-03-04"}],
        "reporter": {"relation": "tetangga", "anonymous": True},
        "narrative": f"Kejadian uji {uid()}.",
        "channel": "hotline",
    }
    body.update(overrides)
    return body


def operator(
    bearer: Bearer, regency: str | None = "62.13", province: str = "62", *, user_id: str = ""
) -> dict[str, str]:
    return bearer(Role.OPERATOR, user_id=user_id or f"operator-{uid()}", province_code=province, regency_code=regency)


async def service_query(client: httpx.AsyncClient, sql: str, **params: Any) -> list[Any]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return list((await uow.session.execute(text(sql), params)).all())


async def submit(client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str], **params: str) -> UUID:
    response = await client.post("/v1/reports", json=body, headers=headers, params=params)
    assert response.status_code == 201, response.text
    return UUID(response.json()["case_id"])


async def test_possible_duplicates_are_shown_from_the_region_without_personal_fields(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    name = f"Sari Wulandari {uid()}"
    in_region = await submit(intake, report(name), operator(bearer))
    elsewhere = await submit(intake, report(name, regency="63.71"), operator(bearer, "63.71", "63"))
    taking = operator(bearer)

    found = await intake.post("/v1/reports/duplicates", json=report(f"  {name.upper()} "), headers=taking)
    assert found.status_code == 200, found.text
    assert [(m["case_id"], m["reasons"], m["status"]) for m in found.json()] == [
        (str(in_region), ["same_victim"], "open")
    ]
    assert {"case_number", "reported_at", "priority"} <= set(found.json()[0])
    assert name.lower() not in json.dumps(found.json()).lower()
    # A province operator sees their province's; nothing is saved by asking.
    province = await intake.post("/v1/reports/duplicates", json=report(name), headers=operator(bearer, None, "63"))
    assert [m["case_id"] for m in province.json()] == [str(elsewhere)]
    saved = await service_query(intake, "SELECT count(*) FROM intake.case_fingerprints WHERE case_id NOT IN (:a, :b)"
                                " AND digest IN (SELECT digest FROM intake.case_fingerprints WHERE case_id = :a)",
                                a=in_region, b=elsewhere)
    assert saved[0][0] == 0
    # Not for the public, and a bad record is a localized 422 naming the field.
    assert (await intake.post("/v1/reports/duplicates", json=report(name))).status_code in {401, 403}
    bad = await intake.post("/v1/reports/duplicates", json=report(name, violence_types=[]), headers=taking)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "violence_types"]


async def test_a_report_is_saved_linked_to_a_possible_duplicate(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    name = f"Rina Anggraini {uid()}"
    first = await submit(intake, report(name), operator(bearer))
    taking = operator(bearer, user_id=(who := f"operator-{uid()}"))
    second = await submit(intake, report(name), taking, link_to=str(first))

    shown = (await intake.get(f"/v1/cases/{second}", headers=taking)).json()
    assert shown["links"] == [{"case_id": str(first), "reasons": ["same_victim"]}]
    confirmed = await service_query(
        intake, "SELECT kind, changed_fields, updated_by FROM intake.case_updates WHERE case_id = :c", c=second)
    assert [tuple(row) for row in confirmed] == [("link_confirmed", ["links"], who)]


async def test_a_link_to_a_case_that_is_not_a_possible_duplicate_saves_nothing(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    taking = operator(bearer)
    unrelated = await submit(intake, report(f"Lain {uid()}"), taking)
    other_region = await submit(intake, report(name := f"Dewi {uid()}", regency="63.71"),
                                operator(bearer, "63.71", "63"))
    before = await service_query(intake, "SELECT count(*) FROM intake.cases")
    for link_to in (unrelated, other_region, uuid4()):
        refused = await intake.post("/v1/reports", json=report(name), headers={**taking, "accept-language": "en"},
                                    params={"link_to": str(link_to)})
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["query", "link_to"]
        assert "possible duplicates" in refused.json()["detail"][0]["msg"]
    indonesian = await intake.post("/v1/reports", json=report(name), headers=taking,
                                   params={"link_to": str(unrelated)})
    assert "kemungkinan duplikat" in indonesian.json()["detail"][0]["msg"]
    assert await service_query(intake, "SELECT count(*) FROM intake.cases") == before


async def test_the_operator_raises_a_priority_with_a_reason_and_never_lowers_it(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    adult = report(f"Ayu {uid()}", victims=[{"sex": "perempuan", "age": 30}])
    taking = operator(bearer)
    case_id = await submit(intake, adult, taking)
    assert (await intake.get(f"/v1/cases/{case_id}", headers=taking)).json()["priority"] == "P3"

    raised = await intake.post(f"/v1/cases/{case_id}/priority", headers=taking,
                               json={"priority": "P1", "reason": "Penelepon mendengar ancaman lagi."})
    assert raised.status_code == 200, raised.text
    update_id = raised.json()["update_id"]
    shown = (await intake.get(f"/v1/cases/{case_id}", headers=taking)).json()
    assert shown["priority"] == "P1"
    assert shown["personal"][f"notes.{update_id}"] == "Penelepon mendengar ancaman lagi."
    # The event carries the new priority and who raised it, never the reason.
    outbox = await service_query(
        intake, "SELECT payload FROM intake.outbox WHERE message_key = :k AND event_type = 'case.updated'",
        k=str(case_id))
    payload = outbox[-1][0] if isinstance(outbox[-1][0], dict) else json.loads(outbox[-1][0])
    assert (payload["priority"], payload["changed_fields"]) == ("P1", ["priority", "notes"])
    assert payload["updated_by"]
    assert "ancaman" not in json.dumps(payload)

    # Never lowered, nor set to what it is: a 409 naming the field and why, in the caller's language.
    for priority in ("P1", "P2"):
        again = await intake.post(f"/v1/cases/{case_id}/priority", headers={**taking, "accept-language": "en"},
                                  json={"priority": priority, "reason": "Turunkan."})
        assert again.status_code == 409
        assert again.json()["detail"][0]["loc"] == ["body", "priority"]
        assert "only be raised" in again.json()["detail"][0]["msg"]
    # A correction triages the record again, and keeps the raise.
    corrected = await intake.post(f"/v1/cases/{case_id}/updates", headers=taking,
                                  json={"kind": "corrected", "changes": {"violence_types": ["psikis"]}})
    assert corrected.status_code == 201, corrected.text
    assert (await intake.get(f"/v1/cases/{case_id}", headers=taking)).json()["priority"] == "P1"


async def test_only_the_operator_who_may_change_the_case_raises_it(intake: httpx.AsyncClient, bearer: Bearer) -> None:
    case_id = await submit(intake, report(f"Nia {uid()}"), operator(bearer))
    body = {"priority": "P1", "reason": "Mendesak."}
    # Another operator of the region sees the case, and may not change it; one of another region does not see it.
    other = await intake.post(f"/v1/cases/{case_id}/priority", headers=operator(bearer), json=body)
    assert other.status_code == 403
    elsewhere = await intake.post(f"/v1/cases/{case_id}/priority", headers=operator(bearer, "63.71", "63"), json=body)
    assert elsewhere.status_code == 404
    staff = bearer(Role.AGENCY_STAFF, user_id=f"staff-{uid()}", agency_id="uptd-x", agency_type="uptd_ppa")
    assert (await intake.post(f"/v1/cases/{case_id}/priority", headers=staff, json=body)).status_code == 403
    empty = await intake.post(f"/v1/cases/{case_id}/priority", headers=operator(bearer), json={"priority": "P1",
                                                                                             "reason": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "reason"]


async def test_an_operator_sees_the_cases_of_their_region_without_personal_fields(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    name = f"Wulan {uid()}"
    here = await submit(intake, report(name), operator(bearer))
    there = await submit(intake, report(name, regency="63.71"), operator(bearer, "63.71", "63"))
    colleague = operator(bearer)
    listed = [c["case_id"] for c in (await intake.get("/v1/cases", headers=colleague,
                                                      params={"limit": "500"})).json()]
    assert str(here) in listed
    assert str(there) not in listed
    shown = (await intake.get(f"/v1/cases/{here}", headers=colleague)).json()
    assert (shown["personal"], shown["priority"]) == ({}, "P2")
    assert name not in json.dumps(shown)
    assert (await intake.get(f"/v1/cases/{there}", headers=colleague)).status_code == 404
    # An operator without a regency sees their province's cases.
    province = [c["case_id"] for c in (await intake.get("/v1/cases", headers=operator(bearer, None, "63"),
                                                        params={"limit": "500"})).json()]
    assert str(there) in province
    assert str(here) not in province
