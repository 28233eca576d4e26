"""The workspace over HTTP as people signed in through the real OIDC provider use it (``tests.workspace_people``:
the provider's own sign-in page, never a token put in by the test), on the whole platform behind the provider:

- a session that ends while a note is being written loses nothing: the person signs in again, comes back to the
  referral's page and finds the note in the form, to send it themselves (not sent for them; nothing of it in a
  URL or the workspace's log);
- a district supervisor's inbox lists their regency's referrals and hears, live, only their regency's events;
- the referral page says why the case was referred in the person's language, and takes a follow-up's date as
  Indonesians write it (31/12/2026), with a clear error that keeps what was typed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from sinergi_local.platform import Platform
from sinergi_local.seed import seed_directory
from tests.workspace_people import Person, signed_in
from workspace.adapters.tables import sessions
from workspace.entrypoints.session_middleware import COOKIE

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

STAFF = "agency_staff.uptd-ppa-62.13"
TYPED = "Catatan yang ditulis saat sesi berakhir: ibu korban minta dihubungi sore hari."


def report(regency: str) -> dict[str, Any]:
    """A public report in ``regency`` (of province 62) that routing refers to the regency's UPTD PPA alone."""
    return {
        "incident": {"precision": "unknown"},
        "location": {"province_code": "62", "regency_code": regency, "place": "rumah_tangga"},
        "violence_types": ["psikis"], "victims": [{"sex": "perempuan", "age": 34}],
        "reporter": {"anonymous": True, "relation": "tetangga"}, "narrative": "laporan uji ruang kerja",
    }


@pytest.fixture(scope="module")
def platform(signed_platform: Platform) -> Platform:
    seed_directory(signed_platform)
    return signed_platform


async def reported(platform: Platform, regency: str) -> dict[str, Any]:
    """A report posted to intake, and its lead referral once routing has made it (with the case number)."""
    async with httpx.AsyncClient(timeout=30) as client:
        accepted = (await client.post(f"{platform.url('intake')}/v1/reports", json=report(regency))).json()
        admin = platform.demo_bearer("province_admin.62")
        async with asyncio.timeout(120):
            while True:
                answer = await client.get(f"{platform.url('routing')}/v1/cases/{accepted['case_id']}/referrals",
                                          headers=admin)
                lead = next((r for r in answer.json() if r["is_lead"]), None) if answer.status_code == 200 else None
                if lead:
                    return {**lead, "case_number": accepted["case_number"]}
                await asyncio.sleep(0.2)


def page_of(referral: dict[str, Any]) -> str:
    return f"/cases/{referral['case_id']}/referrals/{referral['referral_id']}"


def csrf_in(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def end_the_session(platform: Platform, person: Person) -> None:
    """The person's session goes unused past the idle timeout, as if they left the page open for two hours."""
    key = person.client.cookies.get(COOKIE)
    assert key
    engine = create_async_engine(platform.infra.app_url("workspace_app", platform.password("workspace_app")))
    try:
        async with engine.begin() as connection:
            changed = await connection.execute(
                sessions.update().where(sessions.c.key_hash == hashlib.sha256(key.encode()).digest())
                .values(last_seen_at=datetime.now(UTC) - timedelta(hours=2)))
            assert changed.rowcount == 1
    finally:
        await engine.dispose()


async def test_a_session_that_ends_mid_note_loses_nothing_typed(platform: Platform) -> None:
    referral = await reported(platform, "62.13")
    path = page_of(referral)
    async with signed_in(platform, STAFF) as staff:
        page = await staff.get(path)
        assert page.status_code == 200
        token = csrf_in(page)
        await end_the_session(platform, staff)

        posted = await staff.post(f"{path}/notes", data={"csrf_token": token, "note": TYPED})
        assert posted.status_code == 303
        assert posted.headers["location"] == "/auth/sign-in"
        back = await staff.go(posted)  # the provider still knows them: no password asked, back to the page
        if 'id="username"' in back.text:
            back = await staff.sign_in(platform, STAFF, path)
        assert str(back.url) == staff.base + path
        assert back.status_code == 200
        assert f">{TYPED}</textarea>" in back.text, "the note is back in its form"
        assert back.text.count(TYPED) == 1, "shown in the form only: not sent for them"
        assert "Sesi Anda sudah berakhir, jadi isian ini belum terkirim." in back.text
        assert not [url for url in staff.visited if "ditulis" in url or "korban" in url]

        # The form is theirs to send, with the new session's token; the old one is refused.
        stale = await staff.post(f"{path}/notes", data={"csrf_token": token, "note": TYPED})
        assert stale.status_code == 403
        sent = await staff.post(f"{path}/notes", data={"csrf_token": csrf_in(back), "note": TYPED})
        assert sent.status_code == 303
        shown = await staff.get(path)
        assert re.search(rf"<p>{re.escape(TYPED)}</p>", unescape(shown.text)), "in the case's notes now"
        assert f">{TYPED}</textarea>" not in shown.text, "a draft is shown once"
    assert TYPED not in platform.log_tail("workspace", 5_000_000)


async def _events(response: httpx.Response) -> AsyncIterator[str]:
    """The referral ids an inbox's event stream names, in order."""
    async for line in response.aiter_lines():
        if line.startswith("data: "):
            yield json.loads(line.removeprefix("data: "))["referral_id"]


async def heard_until(stream: AsyncIterator[str], referral_id: str) -> list[str]:
    """Every referral id the stream names up to ``referral_id`` (which it must name)."""
    heard = []
    async with asyncio.timeout(120):
        async for each in stream:
            heard.append(each)
            if each == referral_id:
                return heard
    raise AssertionError(f"the stream ended before {referral_id}")


async def regency_of(platform: Platform, referral_id: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.get(f"{platform.url('routing')}/v1/referrals/{referral_id}",
                                  headers=platform.demo_bearer("province_admin.62"))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["regency_code"])


async def test_a_district_supervisors_inbox_is_live_with_their_regencys_referrals_only(platform: Platform) -> None:
    async with signed_in(platform, "district_supervisor.62.13") as d13, \
            signed_in(platform, "district_supervisor.62.71") as d71, \
            d13.client.stream("GET", d13.base + "/inbox/events") as s13, \
            d71.client.stream("GET", d71.base + "/inbox/events") as s71:
        assert (s13.status_code, s71.status_code) == (200, 200)
        assert s13.headers["content-type"].startswith("text/event-stream")
        heard13, heard71 = _events(s13), _events(s71)

        # Each queue is FIFO: a 62.71 event wrongly told to 62.13 would come before the 62.13 event posted after it.
        x = await reported(platform, "62.71")
        await heard_until(heard71, x["referral_id"])
        y = await reported(platform, "62.13")
        before_y = await heard_until(heard13, y["referral_id"])
        assert x["referral_id"] not in before_y
        z = await reported(platform, "62.71")
        before_z = await heard_until(heard71, z["referral_id"])
        assert y["referral_id"] not in before_z
        assert {await regency_of(platform, r) for r in set(before_y)} == {"62.13"}
        assert {await regency_of(platform, r) for r in set(before_z)} == {"62.71"}

        inbox = await d13.get("/inbox")
        assert inbox.status_code == 200
        assert "Rujukan di kabupaten/kota Anda (62.13)" in inbox.text
        assert y["case_number"] in inbox.text
        assert x["case_number"] not in inbox.text
        assert "/static/live.js" in inbox.text
        # Their region's referral page: the facts, no form of an agency's work.
        page = await d13.get(page_of(y))
        assert page.status_code == 200
        assert y["case_number"] in page.text
        assert 'action="' + page_of(y) not in page.text
        assert "Hanya lembaga yang menangani rujukan yang melihat tindak lanjutnya." in page.text


async def test_the_referral_page_speaks_the_persons_language_and_takes_day_first_dates(platform: Platform) -> None:
    referral = await reported(platform, "62.13")
    path = page_of(referral)
    async with signed_in(platform, STAFF) as staff:
        page = await staff.get(path)
        assert "Pengelola kasus: UPTD PPA kabupaten/kota tempat kasus terjadi." in page.text
        assert referral["reason"] not in unescape(page.text), "routing's English sentence is not shown"
        assert re.search(r'<input type="text" id="due_date"', page.text)
        assert "Tanggal/bulan/tahun, contoh: 31/12/2026" in page.text
        token = csrf_in(page)
        assert (await staff.post(f"{path}/accept", data={"csrf_token": token})).status_code == 303

        wrong = await staff.post(f"{path}/follow-ups", data={
            "csrf_token": token, "due_date": "31/13/2027", "due_time": "14.30", "province": "62",
            "follow_up_note": "Kunjungan rumah"})
        assert wrong.status_code == 422
        assert "Tulis tanggal sebagai tanggal/bulan/tahun, contoh: 31/12/2026." in wrong.text
        assert 'value="31/13/2027"' in wrong.text
        assert ">Kunjungan rumah</textarea>" in wrong.text

        day = (datetime.now(UTC) + timedelta(days=3)).strftime("%d/%m/%Y")
        right = await staff.post(f"{path}/follow-ups", data={
            "csrf_token": token, "due_date": day, "due_time": "14.30", "province": "62",
            "follow_up_note": "Kunjungan rumah"})
        assert right.status_code == 303
        shown = await staff.get(path)
        assert "14:30 WIB" in shown.text

    async with signed_in(platform, STAFF, lang="en") as english:
        page = await english.get(path)
        assert "Case manager: the UPTD PPA of the case&#39;s regency." in page.text
        assert "Day/month/year, for example 31/12/2026" in page.text
