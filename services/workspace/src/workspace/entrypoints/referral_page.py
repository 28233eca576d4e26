"""A referral's page and its forms: accept, decline with a reason, start, complete with the services given,
add a note. Each form is a plain POST; a refused or failed one shows the page again with what was typed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters.services import ServiceError, Services, ServiceUnavailableError, TokenRejectedError
from workspace.domain.person import Person
from workspace.domain.referrals import FieldError, Move, check_completion, check_decline, check_note
from workspace.entrypoints import drafts
from workspace.entrypoints.labels import REFUSED
from workspace.entrypoints.people import bearer_token, person_of, workspace_person
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf
from workspace.service_layer.referral_view import referral_view
from workspace.service_layer.signin import SignInRequiredError

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(workspace_person)]
Token = Annotated[str, Depends(bearer_token)]
PAGE = "/cases/{case_id}/referrals/{referral_id}"


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def show(
    request: Request, token: str, case_id: UUID, referral_id: UUID, *, status_code: int = 200,
    errors: list[FieldError] | None = None, values: dict[str, Any] | None = None, refusal: str | None = None,
) -> Response:
    lang = language(request)
    kept = drafts.take(request, str(referral_id)) if values is None else None
    if kept is not None:
        values = kept["values"]  # what was typed when a service was down, or the session ended
    try:
        view = await referral_view(services_of(request), token, lang, case_id, referral_id, now=datetime.now(UTC))
    except ServiceError as error:
        return service_error_page(request, error, values, draft_of=referral_id)
    return pages(request).render(
        request, "referral.html", status_code=status_code, view=view, errors=errors or [], values=values or {},
        refusal=refusal, done=request.session.pop("done", None), action=PAGE.format(
            case_id=case_id, referral_id=referral_id), draft=kept["why"] if kept else None, me=person_of(request),
    )


def service_error_page(
    request: Request, error: ServiceError, values: dict[str, Any] | None = None, draft_of: UUID | None = None
) -> Response:
    if isinstance(error, TokenRejectedError):
        owner = (request.session.get("person") or {}).get("sub")
        if draft_of is not None and values and any(values.values()) and owner:
            drafts.keep(request, str(draft_of), values, owner=owner, why="expired")
        raise SignInRequiredError
    if isinstance(error, ServiceUnavailableError):
        if draft_of is not None and values and any(values.values()):
            # Kept (encrypted, in the session) until the page opens again, and put back into its form.
            owner = (request.session.get("person") or {}).get("sub")
            drafts.keep(request, str(draft_of), values, owner=owner, why="unavailable")
        return pages(request).render(request, "unavailable.html", status_code=503, what=error.service,
                                     values=values or {})
    template = {403: "forbidden.html"}.get(error.status, "not_found.html")
    return pages(request).render(request, template, status_code=403 if error.status == 403 else 404)


@router.get(PAGE)
async def referral_page(
    request: Request, case_id: UUID, referral_id: UUID, _person: SignedIn, token: Token
) -> Response:
    return await show(request, token, case_id, referral_id)


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {"reason": str(form.get("reason") or ""), "note": str(form.get("note") or ""),
            "services_given": [str(v) for v in form.getlist("services_given")]}


# Before the moves' route, which would take "notes" for a move.
@router.post(PAGE + "/notes", dependencies=[Depends(check_csrf)], name="add_note")
async def add_note(request: Request, case_id: UUID, referral_id: UUID, _person: SignedIn, token: Token) -> Response:
    values = await _form(request)
    errors = check_note(values["note"])
    if errors:
        return await show(request, token, case_id, referral_id, status_code=422, errors=errors, values=values)
    try:
        await services_of(request).add_note(token, language(request), case_id, values["note"])
    except ServiceError as error:
        return await refused(request, token, case_id, referral_id, error=error, values=values)
    request.session["done"] = "note"
    return RedirectResponse(PAGE.format(case_id=case_id, referral_id=referral_id), status_code=303)


@router.post(PAGE + "/{move}", dependencies=[Depends(check_csrf)])
async def make_move(
    request: Request, case_id: UUID, referral_id: UUID, move: Move, _person: SignedIn, token: Token
) -> Response:
    values = await _form(request)
    body: dict[str, Any] | None = None
    errors: list[FieldError] = []
    if move is Move.DECLINE:
        errors, body = check_decline(values["reason"]), {"reason": values["reason"].strip()}
    elif move is Move.COMPLETE:
        errors, body = check_completion(values["services_given"]), {"services_given": values["services_given"]}
    if errors:
        return await show(request, token, case_id, referral_id, status_code=422, errors=errors, values=values)
    try:
        await services_of(request).move(token, language(request), referral_id, move.value, body)
    except ServiceError as error:
        return await refused(request, token, case_id, referral_id, error=error, values=values)
    request.session["done"] = move.value
    return RedirectResponse(PAGE.format(case_id=case_id, referral_id=referral_id), status_code=303)


async def refused(
    request: Request, token: str, case_id: UUID, referral_id: UUID, *, error: ServiceError, values: dict[str, Any]
) -> Response:
    """A move the service refused: 409 and 403 are said in the person's language on the page (a 409's reason is
    the service's, asked for in the person's language), 422 names the field (the service's own message too);
    anything else is its own page. Every service answers errors as ``{"detail": [{"loc", "msg", "type"}]}``."""
    page = pages(request)
    items = [item for item in error.detail if isinstance(item, dict)] if isinstance(error.detail, list) else []
    if error.status == 409:
        reason = " ".join(str(item.get("msg", "")) for item in items)
        refusal = page.gettext(request, REFUSED[409]) % {"reason": reason}
        return await show(request, token, case_id, referral_id, status_code=409, refusal=refusal, values=values)
    if error.status == 403 and items:
        refusal = page.gettext(request, REFUSED[403])
        return await show(request, token, case_id, referral_id, status_code=403, refusal=refusal, values=values)
    if error.status == 422 and items:
        errors = [FieldError(_field_of(item), str(item.get("msg", ""))) for item in items]
        return await show(request, token, case_id, referral_id, status_code=422, errors=errors, values=values)
    return service_error_page(request, error, values, draft_of=referral_id)


def _field_of(item: dict[str, Any]) -> str:
    location = [str(part) for part in item.get("loc", []) if part != "body"]
    return location[0] if location else "form"
