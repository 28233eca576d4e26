"""Server-side sessions for the browser: the cookie holds a random key and nothing else; the session's data
lives encrypted in the workspace's schema (``adapters.session_store``). Handlers use ``request.session`` as
with Starlette's SessionMiddleware (Authlib keeps the sign-in's state there)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workspace.adapters.session_store import SessionStore
from workspace.domain.session import SessionLimits, ended_session, is_tombstone, new_session_key

COOKIE = "sinergi_workspace"
# Set by a handler to give the session a new key (after signing in: a key seen before sign-in is worthless).
ROTATE = "workspace.session.rotate"
# The session the request's cookie named, when it had just ended (an ``EndedSession``), else None.
ENDED = "workspace.session.ended"
_NO_SESSION_PATHS = ("/static/", "/health", "/ready", "/metrics")


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, *, store: SessionStore, limits: SessionLimits, secure: bool) -> None:
        self.app = app
        self.store = store
        self.limits = limits
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(_NO_SESSION_PATHS):
            await self.app(scope, receive, send)
            return
        now = datetime.now(UTC)
        key = _cookie(scope, COOKIE)
        stored = await self.store.load(key) if key else None
        scope[ENDED] = None
        if stored is not None and (is_tombstone(stored.data) or self.limits.expired(
            created_at=stored.created_at, last_seen_at=stored.last_seen_at, now=now
        )):
            await self.store.delete(stored.id)
            # Of the old data only whose it was, its CSRF token and language survive, for this request alone: a
            # form posted from it is kept as its person's draft (``entrypoints.drafts``). Never its tokens.
            scope[ENDED] = ended_session(stored.data)
            stored = None
        scope["session"] = dict(stored.data) if stored else {}
        before = _snapshot(scope["session"])

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await self._persist(scope, stored, before, now)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _persist(self, scope: Scope, stored: Any, before: str, now: datetime) -> str | None:
        data: dict[str, Any] = scope["session"]
        if stored is not None and (not data or scope.get(ROTATE)):
            await self.store.delete(stored.id)
            if not data:
                return self._cookie_header("", max_age=0)
            stored = None
        if stored is None:
            if not data:
                return None
            key = new_session_key()
            await self.store.create(key, data, now)
            return self._cookie_header(key)
        changed = _snapshot(data) != before
        await self.store.save(stored.id, data if changed else None, now)
        return None

    def _cookie_header(self, value: str, max_age: int | None = None) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def _snapshot(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return None
            if name in jar:
                return jar[name].value or None
    return None
