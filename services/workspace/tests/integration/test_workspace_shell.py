"""The workspace's shell: its schema, sessions kept on the server and encrypted, the headers of every page,
CSRF on every form, and the way back to sign-in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from workspace.adapters.session_store import key_hash
from workspace.adapters.tables import sessions
from workspace.entrypoints.session_middleware import COOKIE

pytestmark = pytest.mark.integration


async def _rows(app: FastAPI) -> list[sa.Row[tuple[object, ...]]]:
    async with app.state.runtime.engine.connect() as connection:
        return list((await connection.execute(sa.select(sessions))).all())


async def _sign_in_as(app: FastAPI, client: httpx.AsyncClient, claims: dict[str, object]) -> None:
    """Puts a signed-in person into the client's session the way the callback does (the real sign-in, through
    the provider, is the browser tests' part)."""
    store = app.state.session_store
    key = "k-" + datetime.now(UTC).isoformat()
    await store.create(key, {"person": claims, "tokens": {"access_token": "t", "expires_at": 4e9}},
                       datetime.now(UTC))
    client.cookies.set(COOKIE, key, domain="127.0.0.1")


async def test_the_version_table_is_in_the_workspace_schema(workspace_app: FastAPI) -> None:
    async with workspace_app.state.runtime.engine.connect() as connection:
        found = await connection.scalar(sa.text(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'workspace' "
            "AND table_name IN ('alembic_version', 'sessions')"))
    assert found == 2


async def test_a_page_without_a_session_goes_to_sign_in_and_remembers_the_page(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    response = await browser_client.get("/?status=accepted")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/sign-in"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    key = browser_client.cookies[COOKIE]
    row = next(r for r in await _rows(workspace_app) if r.key_hash == key_hash(key))
    assert row.data.startswith("v1:")  # encrypted with shared.crypto
    assert "status=accepted" not in row.data
    assert key not in row.data
    stored = await workspace_app.state.session_store.load(key)
    assert stored.data["return_to"] == "/?status=accepted"


async def test_every_page_forbids_inline_code_and_other_origins_and_is_never_cached(
    browser_client: httpx.AsyncClient
) -> None:
    response = await browser_client.get("/auth/signed-out")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text  # Bahasa Indonesia unless the person or the browser asks
    assert "Anda sudah keluar" in response.text
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text
    assert "style=" not in response.text
    static = await browser_client.get("/static/workspace.css")
    assert static.status_code == 200
    assert "set-cookie" not in static.headers


async def test_a_form_without_the_sessions_csrf_token_is_refused(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    await _sign_in_as(workspace_app, browser_client, {"sub": "u1", "name": "Sari", "sinergi_roles": ["agency_staff"],
                                                      "sinergi_agency": "uptd-ppa-62.13"})
    page = await browser_client.get("/")
    assert page.status_code == 200
    assert "Sari" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    refused = await browser_client.post("/language", data={"lang": "en", "csrf_token": "forged"})
    assert refused.status_code == 403
    missing = await browser_client.post("/language", data={"lang": "en"})
    assert missing.status_code == 403
    accepted = await browser_client.post("/language", data={"lang": "en", "csrf_token": token.group(1), "back": "/"})
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/"
    assert (await browser_client.get("/")).headers["content-language"] == "en"


async def test_an_idle_session_is_ended_and_its_tokens_deleted(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    await _sign_in_as(workspace_app, browser_client, {"sub": "u2", "name": "Dewi", "sinergi_roles": ["agency_staff"]})
    key = browser_client.cookies[COOKIE]
    async with workspace_app.state.runtime.engine.begin() as connection:
        await connection.execute(sessions.update().where(sessions.c.key_hash == key_hash(key))
                                 .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    response = await browser_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/sign-in"
    assert all(r.key_hash != key_hash(key) for r in await _rows(workspace_app))


async def test_sign_in_with_the_provider_down_says_so(browser_client: httpx.AsyncClient) -> None:
    response = await browser_client.get("/auth/sign-in", headers={"accept-language": "en"})
    assert response.status_code == 503
    assert "sign-in service cannot be reached" in response.text


CASE, REFERRAL = "6f1c2b4e-1d2a-4b7c-9e0f-0a1b2c3d4e5f", "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70"
PAGE = f"/cases/{CASE}/referrals/{REFERRAL}"
TYPED = "Catatan rahasia yang diketik sebelum sesi berakhir."


async def _csrf(client: httpx.AsyncClient) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/")).text)
    assert token is not None
    return token.group(1)


async def test_a_form_posted_after_the_session_ended_is_kept_for_its_person_alone(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    """The purge has retired the session (no token left in its row); its person posts a note from the page they
    still have open: sign in first, and the note waits, encrypted in the new session, as their draft."""
    await _sign_in_as(workspace_app, browser_client, {"sub": "u3", "name": "Rina", "sinergi_roles": ["agency_staff"],
                                                      "sinergi_agency": "uptd-ppa-62.13"})
    token = await _csrf(browser_client)
    store = workspace_app.state.session_store
    assert await store.retire_unused_since(datetime.now(UTC) + timedelta(seconds=1)) >= 1
    old = browser_client.cookies[COOKIE]
    retired = await store.load(old)
    assert retired is not None
    assert "tokens" not in retired.data
    assert "person" not in retired.data

    posted = await browser_client.post(f"{PAGE}/notes", data={"csrf_token": token, "note": TYPED})
    assert posted.status_code == 303
    assert posted.headers["location"] == "/auth/sign-in"
    assert TYPED not in posted.headers["location"]
    assert await store.load(old) is None
    key = browser_client.cookies[COOKIE]
    assert key != old
    kept = await store.load(key)
    assert kept.data["drafts"] == {REFERRAL: {"values": {"note": TYPED}, "owner": "u3", "why": "expired"}}
    assert kept.data["return_to"] == PAGE  # back to the referral's page, where the form is shown filled
    assert "person" not in kept.data
    row = next(r for r in await _rows(workspace_app) if r.key_hash == key_hash(key))
    assert TYPED not in row.data  # encrypted like the rest of the session


async def test_a_late_form_with_another_token_keeps_nothing(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    await _sign_in_as(workspace_app, browser_client, {"sub": "u4", "name": "Ayu", "sinergi_roles": ["agency_staff"],
                                                      "sinergi_agency": "uptd-ppa-62.13"})
    await _csrf(browser_client)
    key = browser_client.cookies[COOKIE]
    async with workspace_app.state.runtime.engine.begin() as connection:
        await connection.execute(sessions.update().where(sessions.c.key_hash == key_hash(key))
                                 .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    posted = await browser_client.post(f"{PAGE}/notes", data={"csrf_token": "forged", "note": TYPED})
    assert posted.status_code == 303
    assert posted.headers["location"] == "/auth/sign-in"
    kept = await workspace_app.state.session_store.load(browser_client.cookies[COOKIE])
    assert "drafts" not in kept.data


async def test_a_role_without_workspace_pages_is_told_so(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    await _sign_in_as(workspace_app, browser_client, {"sub": "u5", "name": "Tari",
                                                      "sinergi_roles": ["national_admin"]})
    home = await browser_client.get("/", headers={"accept-language": "en"})
    assert home.status_code == 200
    assert "The workspace has no pages for your role yet" in home.text
    assert 'href="/inbox"' not in home.text
    for path in ("/inbox", "/inbox/events", PAGE):
        page = await browser_client.get(path, headers={"accept-language": "en"})
        assert page.status_code == 403, path
        assert "The workspace has no pages for your role yet" in page.text, path


async def test_a_form_posted_when_the_token_cannot_be_renewed_is_kept_as_a_draft(
    workspace_app: FastAPI, browser_client: httpx.AsyncClient
) -> None:
    """The session lasts but the provider no longer renews its token (here: it cannot be reached): the person
    signs in again, and what they typed waits for them as above."""
    store = workspace_app.state.session_store
    key = "k-refresh-" + datetime.now(UTC).isoformat()
    await store.create(key, {"person": {"sub": "u6", "name": "Nur", "sinergi_roles": ["agency_staff"],
                                        "sinergi_agency": "uptd-ppa-62.13"},
                             "tokens": {"access_token": "t", "refresh_token": "r", "expires_at": 0}},
                       datetime.now(UTC))
    browser_client.cookies.set(COOKIE, key, domain="127.0.0.1")
    token = await _csrf(browser_client)
    posted = await browser_client.post(f"{PAGE}/decline", data={"csrf_token": token, "reason": TYPED})
    assert posted.status_code == 303
    assert posted.headers["location"] == "/auth/sign-in"
    kept = await store.load(browser_client.cookies[COOKIE])
    assert kept.data["drafts"] == {REFERRAL: {"values": {"reason": TYPED}, "owner": "u6", "why": "expired"}}
    assert "tokens" not in kept.data
