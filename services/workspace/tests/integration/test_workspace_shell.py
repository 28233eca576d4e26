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
    client.cookies.set(COOKIE, key)


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
