"""``GET /v1/cases/{case_id}/notes`` against the real Postgres: every update of a case with who wrote it (user
and agency) and when, for everyone who sees the case; each note's text only for those who may read the case's
narrative, and that read audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text

from intake.service_layer.handlers import record_referral
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import ReferralCreated

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
TODAY = date.today()  # noqa: DTZ011 - the record's rules use the local calendar date too


async def refer(client: httpx.AsyncClient, case_id: UUID, agency_id: str, agency_type: str) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    event = ReferralCreated(
        case_id=case_id, referral_id=uuid4(), agency_id=agency_id, agency_type=agency_type,
        is_lead=agency_type == "uptd_ppa", province_code="62", regency_code="62.13", rule="test", reason="test",
    )
    await record_referral(event, runtime.unit_of_work(SERVICE_CONTEXT))


async def audited_reads(client: httpx.AsyncClient, case_id: UUID) -> list[dict[str, Any]]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        rows = await uow.session.execute(text(
            "SELECT payload FROM intake.outbox WHERE message_key = :key AND event_type = 'personal_data.read'"
            " ORDER BY id"), {"key": str(case_id)})
        return [json.loads(row.payload) for row in rows]


async def test_notes_show_their_authors_to_all_who_see_the_case_and_their_text_to_readers_of_the_narrative(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    tag = uuid4().hex[:8]
    reported = await intake.post("/v1/reports", json={
        "incident": {"date": (TODAY - timedelta(days=5)).isoformat(), "precision": "day"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 30}],
        "reporter": {"relation": "tetangga", "anonymous": True}, "narrative": f"Kejadian uji catatan {tag}.",
        # The victim consents to the school's part: an agency whose type consent does not cover holds nothing.
        "consent": {"given_by": "korban", "agency_types": ["dinas_pendidikan"]},
    })
    assert reported.status_code == 201, reported.text
    case_id = UUID(reported.json()["case_id"])
    uptd_id, school_id = f"uptd-{tag}", f"disdik-{tag}"
    await refer(intake, case_id, uptd_id, "uptd_ppa")
    await refer(intake, case_id, school_id, "dinas_pendidikan")
    uptd = bearer(Role.AGENCY_STAFF, user_id=f"staff-{tag}", agency_id=uptd_id, agency_type="uptd_ppa")
    school = bearer(Role.AGENCY_SUPERVISOR, user_id=f"guru-{tag}", agency_id=school_id,
                    agency_type="dinas_pendidikan")
    updates = f"/v1/cases/{case_id}/updates"
    first_note, school_note = f"Korban aman di rumah Bu Ani {tag}", f"Anak tetap bersekolah {tag}"
    for headers, body in (
        (uptd, {"kind": "information_added", "note": first_note}),
        (school, {"kind": "information_added", "note": school_note}),
        (uptd, {"kind": "corrected", "changes": {"violence_types": ["psikis", "fisik"]}}),
    ):
        made = await intake.post(updates, json=body, headers=headers)
        assert made.status_code == 201, made.text

    url = f"/v1/cases/{case_id}/notes"
    before = len(await audited_reads(intake, case_id))
    as_uptd = await intake.get(url, headers=uptd)
    assert as_uptd.status_code == 200, as_uptd.text
    notes = as_uptd.json()
    assert [(n["kind"], n["author"], n["note"]) for n in notes] == [
        ("information_added", {"user_id": f"staff-{tag}", "agency_id": uptd_id}, first_note),
        ("information_added", {"user_id": f"guru-{tag}", "agency_id": school_id}, school_note),
        ("corrected", {"user_id": f"staff-{tag}", "agency_id": uptd_id}, None),
    ]
    assert notes[2]["changed_fields"] == ["violence_types"]
    times = [datetime.fromisoformat(n["written_at"]) for n in notes]
    assert times == sorted(times)
    reads = await audited_reads(intake, case_id)
    assert len(reads) == before + 1
    assert (reads[-1]["actor_user_id"], reads[-1]["fields"], reads[-1]["endpoint"]) == (
        f"staff-{tag}", ["narrative"], "GET /v1/cases/{case_id}/notes")

    # Who sees the case but not its narrative: the authors and times, no text, and no audited read.
    district = bearer(Role.DISTRICT_SUPERVISOR, user_id="d", province_code="62", regency_code="62.13")
    for headers in (school, district):
        seen = await intake.get(url, headers=headers)
        assert seen.status_code == 200, seen.text
        assert [n["author"]["user_id"] for n in seen.json()] == [f"staff-{tag}", f"guru-{tag}", f"staff-{tag}"]
        assert [n["note"] for n in seen.json()] == [None, None, None]
        assert first_note not in seen.text
        assert school_note not in seen.text
    assert len(await audited_reads(intake, case_id)) == before + 1

    # Who does not see the case: as if it did not exist.
    for headers in (bearer(Role.AGENCY_STAFF, user_id="p", agency_id="polres-x", agency_type="police_ppa"),
                    bearer(Role.PROVINCE_ADMIN, user_id="a", province_code="63"), bearer(Role.OPERATOR, user_id="o")):
        refused = await intake.get(url, headers=headers)
        assert refused.status_code == 404
        assert first_note not in refused.text
    assert (await intake.get(url)).status_code == 401
    assert (await intake.get(f"/v1/cases/{uuid4()}/notes", headers=uptd)).status_code == 404
