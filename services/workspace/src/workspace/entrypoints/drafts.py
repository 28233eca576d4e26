"""Keeping what a person typed into a referral's form when it could not be sent, and giving it back to the form.
The rules are ``domain.drafts``; this is where they meet the request's session."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from workspace.domain.drafts import SESSION_KEY, draft, referral_of_form, typed
from workspace.domain.session import EndedSession


def keep(request: Request, referral_id: str, values: dict[str, Any], *, owner: str | None, why: str) -> None:
    request.session.setdefault(SESSION_KEY, {})[referral_id] = draft(values, owner=owner, why=why)


def keep_form(request: Request, form: FormData, *, owner: str, why: str) -> None:
    """What a referral form posted to this request holds, kept as ``owner``'s draft (nothing for another form)."""
    referral_id = referral_of_form(request.url.path)
    values = typed({name: form.getlist(name) if name == "services_given" else form.get(name)
                    for name in form.keys()})  # noqa: SIM118 - FormData is a multidict, not a dict
    if referral_id and values:
        keep(request, referral_id, values, owner=owner, why=why)


def keep_after_session_ended(request: Request, form: FormData, ended: EndedSession) -> None:
    """A referral form posted from a session that has just ended (the caller checked the form's CSRF token is
    that session's): what it holds is kept for the same person, who signs in and finds it in the form again."""
    keep_form(request, form, owner=ended.user_id, why="expired")
    if ended.lang:
        request.session["lang"] = ended.lang


def take(request: Request, referral_id: str) -> dict[str, Any] | None:
    """The signed-in person's draft for the referral (removed from the session: shown once), or None."""
    drafts = request.session.get(SESSION_KEY)
    if not isinstance(drafts, dict) or referral_id not in drafts:
        return None
    kept = drafts.pop(referral_id)
    owner = (request.session.get("person") or {}).get("sub")
    if not isinstance(kept, dict) or kept.get("owner") not in {None, owner}:
        return None
    return kept
