"""The signed-in person of a request, and their access token for calling the services as themselves."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters.oidc import refresh
from workspace.domain.person import Person
from workspace.domain.session import safe_return_path
from workspace.service_layer.signin import SignInRequiredError, access_token


async def current_person(request: Request) -> Person:
    """A dependency of every page that needs a signed-in person."""
    claims = request.session.get("person")
    if not claims:
        raise SignInRequiredError
    return Person.from_claims(claims)


async def bearer_token(request: Request) -> str:
    client = request.app.state.oidc
    return await access_token(request.session, lambda token: refresh(client, token))


async def sign_in_required(request: Request, _error: Exception) -> Response:
    """Back to sign-in; after it, to the page asked for (kept in the session, never in the URL). A form post
    goes back to its page, since what it sent cannot be replayed."""
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        wanted = request.headers.get("referer") or "/"
        wanted = "/" if "://" in wanted else wanted
    request.session.pop("person", None)
    request.session.pop("tokens", None)
    request.session["return_to"] = safe_return_path(wanted)
    return RedirectResponse("/auth/sign-in", status_code=303)
