"""The rules of a signed-in person's session in the workspace: when it ends, when its tokens are renewed,
where a person may be sent back to after signing in. Plain code: no I/O."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# An access token this close to its expiry is renewed before a call, so it cannot expire on its way.
REFRESH_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta

    def expired(self, *, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        """A session ends once unused for ``idle`` or ``absolute`` after it began, whichever comes first."""
        return now - last_seen_at >= self.idle or now - created_at >= self.absolute


@dataclass(frozen=True)
class EndedSession:
    """What a session that ended leaves behind: whose it was, the CSRF token of its forms and its language."""

    user_id: str
    csrf: str | None
    lang: str | None = None


_TOMBSTONE = "ended"


def tombstone(data: Mapping[str, Any]) -> dict[str, Any]:
    """What an ended session's row keeps until its person comes back (or it is forgotten): no token, no claim
    but whose it was. ``data``: the session's data (or an earlier tombstone)."""
    ended = ended_session(data)
    if ended is None:
        return {_TOMBSTONE: {}}
    return {_TOMBSTONE: {"sub": ended.user_id, "csrf": ended.csrf, "lang": ended.lang}}


def is_tombstone(data: Mapping[str, Any]) -> bool:
    return _TOMBSTONE in data


def ended_session(data: Mapping[str, Any]) -> EndedSession | None:
    """The ``EndedSession`` of a session's data (or of its tombstone); None if nobody was signed in."""
    if is_tombstone(data):
        kept = data[_TOMBSTONE]
        sub, csrf, lang = kept.get("sub"), kept.get("csrf"), kept.get("lang")
    else:
        sub, csrf, lang = (data.get("person") or {}).get("sub"), data.get("csrf"), data.get("lang")
    if not sub:
        return None
    return EndedSession(str(sub), str(csrf) if csrf else None, str(lang) if lang else None)


def new_session_key() -> str:
    """The cookie's value: 256 random bits, the only thing the browser holds."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Compared in constant time; a session without a token matches nothing."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def needs_refresh(expires_at: float | None, now: datetime) -> bool:
    """True when the access token expires within ``REFRESH_MARGIN`` (``expires_at`` in epoch seconds)."""
    return expires_at is None or expires_at - now.timestamp() <= REFRESH_MARGIN.total_seconds()


def safe_return_path(path: str | None, default: str = "/") -> str:
    """A path on this site to come back to after signing in: absolute-path only, never another host
    (``//host``, ``/\\host``, a scheme), so the sign-in cannot be turned into an open redirect."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or any(c in path for c in "\r\n\t"):
        return default
    if path.startswith("/auth/"):
        return default
    return path
