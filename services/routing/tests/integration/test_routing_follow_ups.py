"""Follow-ups on a referral against the real Postgres: set, listed and done by the referral's agency only while
its referral is live (read during the follow-up period), the note kept encrypted, and the durable timer that
raises ``referral.follow_up_due`` once, with a clock the test moves."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text

from routing.adapters.encrypted_columns import ENCRYPTED_COLUMNS
from routing.service_layer.follow_ups import announce_due_follow_ups
from routing.service_layer.referrals import Routing, refer_case
from services.routing.tests.integration.support import Clock, runtime_of
from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import Principal, Role
from shared.contracts.examples import example_case_reported
from shared.crypto import FieldCipher
from shared.key_rotation import rotate_keys
from shared.settings import DEVELOPMENT_ENCRYPTION_KEY

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
NOTE = "Kunjungan rumah ke Ibu Sari Rahasia di Jl. Tindak Lanjut 3"
PERIOD = timedelta(days=30)





@pytest.fixture
async def referred(routing: httpx.AsyncClient) -> dict[str, Any]:
    """A case referred (with a clock the test moves) to a fresh regency's UPTD PPA."""
    clock = Clock()
    live = Routing(routing.app.state.routing.sla, clock)  # type: ignore[attr-defined]
    routing.app.state.routing = live  # type: ignore[attr-defined]
    agency, regency = f"uptd-fu-{uuid4().hex[:6]}", "91.01"
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
        await uow.session.execute(text("""
            INSERT INTO routing.agencies (agency_id, name, agency_type, level, province_code, regency_code, services,
                                          hours, active, time_zone)
            VALUES (:agency, :agency, 'uptd_ppa', 'regency', '91', :regency, '{pengaduan}', '{}', true,
                    'Asia/Jayapura')
            ON CONFLICT (agency_id) DO NOTHING"""), {"agency": agency, "regency": regency})
        await uow.commit()
    case = example_case_reported(regency_code=regency)
    referrals = await refer_case(case, runtime_of(routing).unit_of_work(SERVICE_CONTEXT), live)
    referral = next(r for r in referrals if r.is_lead)  # this UPTD PPA, or one an earlier test made there
    return {"clock": clock, "routing": live, "agency": referral.agency_id, "referral_id": str(referral.referral_id),
            "case_id": str(case.case_id)}


async def outbox_of(client: httpx.AsyncClient, case_id: str, event_type: str) -> list[dict[str, Any]]:
    async with runtime_of(client).unit_of_work(SERVICE_CONTEXT) as uow:
        rows = await uow.session.execute(text(
            "SELECT payload FROM routing.outbox WHERE message_key = :key AND event_type = :type ORDER BY id"),
            {"key": case_id, "type": event_type})
        return [json.loads(row.payload) for row in rows]


async def test_the_agency_sets_lists_and_marks_done_its_follow_ups(
    routing: httpx.AsyncClient, referred: dict[str, Any], bearer: Bearer
) -> None:
    clock, referral = referred["clock"], referred["referral_id"]
    staff = bearer(Role.AGENCY_STAFF, user_id="staff-fu", agency_id=referred["agency"])
    url = f"/v1/referrals/{referral}/follow-ups"
    later, sooner = clock.now + timedelta(days=2), clock.now + timedelta(days=1)
    first = await routing.post(url, json={"due_at": later.isoformat(), "note": NOTE}, headers=staff)
    assert first.status_code == 201, first.text
    second = await routing.post(url, json={"due_at": sooner.isoformat(), "note": "Telepon sekolah"}, headers=staff)
    assert second.status_code == 201, second.text
    assert (first.json()["note"], first.json()["created_by"], first.json()["done"]) == (NOTE, "staff-fu", False)

    listed = await routing.get(url, headers=staff)
    assert [f["follow_up_id"] for f in listed.json()] == [second.json()["follow_up_id"], first.json()["follow_up_id"]]
    assert listed.json()[1]["note"] == NOTE
    # The list of referrals shows the earliest not done.
    page = (await routing.get("/v1/referrals", params={"limit": 100}, headers=staff)).json()
    item = next(i for i in page["items"] if i["referral_id"] == referral)
    assert datetime.fromisoformat(item["next_follow_up_due"]) == sooner

    done_url = f"{url}/{second.json()['follow_up_id']}/done"
    done = await routing.post(done_url, headers=staff)
    assert done.status_code == 200, done.text
    assert (done.json()["done"], done.json()["done_by"]) == (True, "staff-fu")
    again = await routing.post(done_url, headers=bearer(Role.AGENCY_SUPERVISOR, user_id="sup-fu",
                                                         agency_id=referred["agency"]))
    assert (again.status_code, again.json()["done_by"]) == (200, "staff-fu")
    page = (await routing.get("/v1/referrals", params={"limit": 100}, headers=staff)).json()
    item = next(i for i in page["items"] if i["referral_id"] == referral)
    assert datetime.fromisoformat(item["next_follow_up_due"]) == later
    assert (await routing.post(f"{url}/{uuid4()}/done", headers=staff)).status_code == 404

    # Stored encrypted: the note is nowhere in the table.
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
        stored = (await uow.session.execute(text(
            "SELECT note_ciphertext FROM routing.follow_ups WHERE referral_id = :r"), {"r": UUID(referral)})).all()
    assert len(stored) == 2
    assert all(row.note_ciphertext.startswith("v1:") and "Sari" not in row.note_ciphertext for row in stored)


async def test_only_the_referral_agency_and_only_with_a_valid_due_time(
    routing: httpx.AsyncClient, referred: dict[str, Any], bearer: Bearer
) -> None:
    clock, referral = referred["clock"], referred["referral_id"]
    url = f"/v1/referrals/{referral}/follow-ups"
    body = {"due_at": (clock.now + timedelta(hours=3)).isoformat(), "note": NOTE}
    assert (await routing.post(url, json=body)).status_code == 401
    other = bearer(Role.AGENCY_STAFF, user_id="o", agency_id="another-agency")
    assert (await routing.post(url, json=body, headers=other)).status_code == 404
    assert (await routing.get(url, headers=other)).status_code == 404
    district = bearer(Role.DISTRICT_SUPERVISOR, user_id="d", province_code="91", regency_code="91.01")
    assert (await routing.post(url, json=body, headers=district)).status_code == 403
    staff = bearer(Role.AGENCY_STAFF, user_id="s", agency_id=referred["agency"])
    past = await routing.post(url, json={**body, "due_at": (clock.now - timedelta(minutes=1)).isoformat()},
                              headers=staff)
    assert past.status_code == 422
    assert past.json()["detail"][0]["loc"] == ["body", "due_at"]
    assert past.json()["detail"][0]["msg"] == "Waktu jatuh tempo harus di masa mendatang."
    naive = await routing.post(url, json={**body, "due_at": "2030-01-01T09:00:00"}, headers=staff)
    assert naive.status_code == 422
    assert NOTE not in naive.text
    assert (await routing.post(url, json={**body, "note": ""}, headers=staff)).status_code == 422
    assert (await routing.post(url, json=body, headers=staff)).status_code == 201
    # Row-level security alone: another agency's and the district's transactions see no follow-up.
    for principal, sees in (
        (Principal("s", frozenset({Role.AGENCY_STAFF}), agency_id=referred["agency"]), 1),
        (Principal("o", frozenset({Role.AGENCY_STAFF}), agency_id="another-agency"), 0),
        (Principal("d", frozenset({Role.DISTRICT_SUPERVISOR}), province_code="91", regency_code="91.01"), 0),
        (Principal("a", frozenset({Role.PROVINCE_ADMIN}), province_code="91"), 0),
    ):
        async with runtime_of(routing).unit_of_work(AccessContext.of(principal)) as uow:
            count = await uow.session.scalar(text(
                "SELECT count(*) FROM routing.follow_ups WHERE referral_id = :r"), {"r": UUID(referral)})
        assert count == sees, principal


async def test_while_live_only_then_read_during_the_follow_up_period(
    routing: httpx.AsyncClient, referred: dict[str, Any], bearer: Bearer
) -> None:
    clock, referral = referred["clock"], referred["referral_id"]
    staff = bearer(Role.AGENCY_STAFF, user_id="s", agency_id=referred["agency"])
    url = f"/v1/referrals/{referral}/follow-ups"
    made = await routing.post(url, json={"due_at": (clock.now + timedelta(days=3)).isoformat(), "note": NOTE},
                              headers=staff)
    assert made.status_code == 201
    for move, body in (("accept", None), ("start", None), ("complete", {"services_given": ["pengaduan"]})):
        moved = await routing.post(f"/v1/referrals/{referral}/{move}", json=body, headers=staff)
        assert moved.status_code == 200, moved.text
    refused = await routing.post(url, json={"due_at": (clock.now + timedelta(days=3)).isoformat(), "note": NOTE},
                                 headers=staff)
    assert refused.status_code == 409
    assert [(i["loc"], i["type"]) for i in refused.json()["detail"]] == [(["path", "referral_id"], "referral_not_live")]
    assert (await routing.post(f"{url}/{made.json()['follow_up_id']}/done", headers=staff)).status_code == 409
    assert (await routing.get(url, headers=staff)).status_code == 200  # the follow-up period
    clock.now += PERIOD + timedelta(days=1)
    assert (await routing.get(url, headers=staff)).status_code == 403


async def test_a_due_follow_up_raises_one_event_without_its_note(
    routing: httpx.AsyncClient, referred: dict[str, Any], bearer: Bearer
) -> None:
    clock, referral, live = referred["clock"], referred["referral_id"], referred["routing"]
    staff = bearer(Role.AGENCY_STAFF, user_id="s", agency_id=referred["agency"])
    url = f"/v1/referrals/{referral}/follow-ups"
    due = clock.now + timedelta(hours=5)
    kept = (await routing.post(url, json={"due_at": due.isoformat(), "note": NOTE}, headers=staff)).json()
    done = (await routing.post(url, json={"due_at": due.isoformat(), "note": "selesai"}, headers=staff)).json()
    assert (await routing.post(f"{url}/{done['follow_up_id']}/done", headers=staff)).status_code == 200

    async def announce() -> None:
        await announce_due_follow_ups(runtime_of(routing).unit_of_work(SERVICE_CONTEXT), live, follow_up_period=PERIOD)

    await announce()
    assert await outbox_of(routing, referred["case_id"], "referral.follow_up_due") == []
    clock.now = due + timedelta(seconds=1)
    await announce()
    await announce()  # once only
    events = await outbox_of(routing, referred["case_id"], "referral.follow_up_due")
    assert len(events) == 1
    event = events[0]
    assert (event["referral_id"], event["agency_id"], event["follow_up_id"]) == (
        referral, referred["agency"], kept["follow_up_id"])
    assert datetime.fromisoformat(event["due_at"]) == due
    assert "Sari" not in json.dumps(event)
    assert set(event) == {"event_id", "event_type", "schema_version", "occurred_at", "case_id", "producer",
                          "referral_id", "agency_id", "follow_up_id", "due_at", "province_code", "regency_code"}
    assert event["regency_code"].startswith(f"{event['province_code']}.")  # codes of the case's region, not names


async def test_notes_are_re_encrypted_by_key_rotation(
    routing: httpx.AsyncClient, referred: dict[str, Any], bearer: Bearer
) -> None:
    """``python -m routing rotate-keys`` covers the notes: under a new active key they still read the same."""
    clock, referral = referred["clock"], referred["referral_id"]
    staff = bearer(Role.AGENCY_STAFF, user_id="s", agency_id=referred["agency"])
    url = f"/v1/referrals/{referral}/follow-ups"
    made = await routing.post(url, json={"due_at": (clock.now + timedelta(days=1)).isoformat(), "note": NOTE},
                              headers=staff)
    assert made.status_code == 201
    rotated_cipher = FieldCipher({"dev": base64.b64decode(DEVELOPMENT_ENCRYPTION_KEY), "next": os.urandom(32)}, "next")
    counts = await rotate_keys(runtime_of(routing).engine, rotated_cipher, ENCRYPTED_COLUMNS)
    assert sum(count for name, count in counts.items() if name.endswith("rotated")) >= 1
    async with runtime_of(routing).unit_of_work(SERVICE_CONTEXT) as uow:
        row = (await uow.session.execute(text(
            "SELECT follow_up_id, note_ciphertext FROM routing.follow_ups WHERE follow_up_id = :f"),
            {"f": UUID(made.json()["follow_up_id"])})).one()
    assert row.note_ciphertext.startswith("v1:next:")
    assert rotated_cipher.decrypt(row.note_ciphertext, case_id=row.follow_up_id, field="note") == NOTE
