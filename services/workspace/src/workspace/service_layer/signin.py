"""What signing in leaves in the session, and keeping its access token fresh."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from workspace.domain.drafts import SESSION_KEY, owned_by
from workspace.domain.person import Person
from workspace.domain.session import needs_refresh

Session = MutableMapping[str, Any]
Refresher = Callable[[str], Awaitable[dict[str, Any]]]


class SignInRequiredError(Exception):
    """The person must sign in (again) before this page."""


def tokens_of(token: dict[str, Any]) -> dict[str, Any]:
    expires_at = token.get("expires_at") or (time.time() + float(token.get("expires_in") or 300))
    return {
        "access_token": token["access_token"], "refresh_token": token.get("refresh_token"),
        "id_token": token.get("id_token"), "expires_at": float(expires_at),
    }


def signed_in(session: Session, token: dict[str, Any], claims: dict[str, Any], lang: str | None) -> Person:
    """Starts a signed-in session: whatever the session held before (the sign-in's state) is dropped, except
    the page to go back to, the chosen language, and the drafts of the person who signed in (typed before their
    session ended; another person's are dropped unseen)."""
    return_to = session.get("return_to")
    person = Person.from_claims(claims)
    drafts = owned_by(session.get(SESSION_KEY) or {}, person.user_id)
    session.clear()
    session.update({"person": person.as_claims(), "tokens": tokens_of(token)})
    if return_to:
        session["return_to"] = return_to
    if drafts:
        session[SESSION_KEY] = drafts
    if lang:
        session["lang"] = lang
    return person


async def access_token(session: Session, refresh: Refresher, now: datetime | None = None) -> str:
    """The person's access token, renewed with the refresh token when it is about to expire."""
    tokens = session.get("tokens")
    if not session.get("person") or not tokens:
        raise SignInRequiredError
    if not needs_refresh(tokens.get("expires_at"), now or datetime.now(UTC)):
        return str(tokens["access_token"])
    if not tokens.get("refresh_token"):
        raise SignInRequiredError
    try:
        renewed = await refresh(tokens["refresh_token"])
    except Exception as error:  # the provider refused or is unreachable: sign in again
        raise SignInRequiredError from error
    fresh = tokens_of(renewed)
    fresh["refresh_token"] = fresh["refresh_token"] or tokens["refresh_token"]
    fresh["id_token"] = fresh["id_token"] or tokens.get("id_token")
    session["tokens"] = fresh
    return str(fresh["access_token"])
