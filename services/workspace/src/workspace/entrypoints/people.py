"""The signed-in person of a request, and their access token for calling the services as themselves."""

from __future__ import annotations

from fastapi import HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from workspace.adapters.oidc import refresh
from workspace.domain.drafts import form_page
from workspace.domain.person import Person
from workspace.domain.session import safe_return_path
from workspace.entrypoints import drafts
from workspace.service_layer.signin import SignInRequiredError, access_token


def person_of(request: Request) -> Person | None:
    """The signed-in person of the request, if any (for what a page shows, never for access)."""
    claims = request.session.get("person")
    return Person.from_claims(claims) if claims else None


async def current_person(request: Request) -> Person:
    """A dependency of every page that needs a signed-in person."""
    claims = request.session.get("person")
    if not claims:
        raise SignInRequiredError
    return Person.from_claims(claims)


class NoWorkspaceYetError(Exception):
    """The person's role has no workspace pages yet (issue 23 brings the operator's, the province admin's, the
    auditor's and the national admin's): a clear page says so, never another role's view."""


async def workspace_person(request: Request) -> Person:
    """A dependency of the pages of an inbox and a referral: a signed-in person whose role has them."""
    person = await current_person(request)
    if not person.has_workspace:
        if person.takes_reports or person.administers_province or person.audits_province:  # pages of their own
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        raise NoWorkspaceYetError
    return person


async def province_admin(request: Request) -> Person:
    """A dependency of the province admin's pages (directory, rules, subscriptions, export): a signed-in province
    admin; anyone else gets the no-access page (the services refuse them too, by their own rules)."""
    person = await current_person(request)
    if not person.administers_province:
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return person


async def operator(request: Request) -> Person:
    """A dependency of the operator's pages: a signed-in hotline operator. Another role with pages is refused
    (403); a role without any yet gets the page that says so."""
    person = await current_person(request)
    if person.takes_reports:
        return person
    if person.has_workspace or person.administers_province or person.audits_province:
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    raise NoWorkspaceYetError


async def auditor(request: Request) -> Person:
    """A dependency of the audit pages: a signed-in auditor of a province; anyone else gets the no-access page."""
    person = await current_person(request)
    if not person.audits_province:
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return person


async def bearer_token(request: Request) -> str:
    """The person's access token; when it cannot be renewed (the provider ended their session), a referral form
    they posted is kept as their draft before they are sent to sign in."""
    client = request.app.state.oidc
    try:
        return await access_token(request.session, lambda token: refresh(client, token))
    except SignInRequiredError:
        person = request.session.get("person") or {}
        if request.method == "POST" and person.get("sub"):
            drafts.keep_form(request, await request.form(), owner=str(person["sub"]), why="expired")
        raise


async def sign_in_required(request: Request, _error: Exception) -> Response:
    """Back to sign-in; after it, to the page asked for (kept in the session, never in the URL). A form post
    goes back to the page of its form (a referral's forms: the referral's page, where a draft of what it sent
    is shown again, ``entrypoints.drafts``), since what it sent is never replayed."""
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        wanted = form_page(request.url.path) or request.headers.get("referer") or "/"
        wanted = "/" if "://" in wanted else wanted
    request.session.pop("person", None)
    request.session.pop("tokens", None)
    request.session["return_to"] = safe_return_path(wanted)
    return RedirectResponse("/auth/sign-in", status_code=303)
